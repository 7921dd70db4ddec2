export { AttachmentStore, isAllowedMime, type AttachmentCheck, type StoredAttachment } from "./attachment-store.js";
