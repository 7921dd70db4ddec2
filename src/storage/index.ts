export { AttachmentStore, STAFF_FILES_DIR, type AcceptOptions, type AttachmentCheck, type StoredAttachment } from "./attachment-store.js";
export { EVIDENCE_MIME_TYPES, sniffType, type FileType, type Sniffed } from "./file-types.js";
export { cleanFileName, FILE_NAME_MAX_CHARS } from "./file-names.js";
export {
  attachmentSweeper,
  sweepAttachments,
  UNREFERENCED_FILE_GRACE_MS,
  type AttachmentSweeper,
  type SweepDeps,
  type SweepResult,
} from "./sweep.js";
