/** E-mail: the office inbox watched over IMAP, answers by SMTP in the citizen's thread. See adapter.ts. */
export {
  createEmailAdapter,
  conversationText,
  DEFAULT_MAX_MESSAGE_BYTES,
  EMAIL_LIMITS,
  type EmailAdapter,
  type EmailAdapterOptions,
  type SmtpSettings,
  type UnreadableMail,
} from "./adapter.js";
export type { ImapSettings, WatcherStatus } from "./watcher.js";
export { ownText } from "./quote.js";
export { automaticReason } from "./loop-safety.js";
export { baseSubject } from "./threads.js";
export { toSendFailure } from "./send.js";
