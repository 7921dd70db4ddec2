export { eraseComplaint, ERASED_EVENT, type EraseRequest, type EraseResult } from "./erase.js";
export { retentionRound, retentionDutyRound, retentionDuty, retentionCutoff, type RetentionOptions } from "./retention.js";
export { subjectData, identityAudit, findComplaint, IDENTITY_VIEW_EVENTS, type SubjectData, type AuditEntry } from "./subject.js";
export { subjectPdf } from "./export-pdf.js";
export { rotateIdentityKey, type RotationResult } from "./rotate.js";
