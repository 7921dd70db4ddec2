export { buildServer } from "./server.js";
export type { ServerDeps } from "./types.js";
export type { AdminPage } from "./admin-routes.js";
export { LIMITS, limitedBy, TooManyRequests, type LimitName, type SharedCounter, type RateLimitSettings } from "./rate-limit.js";
export { readUploadedForm, uploadedAttachment, type FormLimits, type UploadedFile, type UploadedForm } from "./multipart.js";
