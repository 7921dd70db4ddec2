/**
 * WhatsApp Web: an ordinary WhatsApp number linked like WhatsApp Web, through whatsapp-web.js and
 * Debian's chromium. Unofficial: see README ("WhatsApp Web") for the risks. See adapter.ts.
 */
export {
  createWhatsAppWebAdapter,
  WHATSAPP_WEB_LIMITS,
  DEFAULT_SINK_RETRY_DELAYS_MS,
  type SessionLock,
  type WhatsAppWebAdapter,
  type WhatsAppWebAdapterOptions,
} from "./adapter.js";
export type { AdminPage, AdminPageResponse, WhatsAppWebState, WhatsAppWebStatus } from "./admin-page.js";
export {
  createWhatsAppWebJsClient,
  sessionPath,
  CHROMIUM_ARGS,
  type WaClientFactory,
  type WaClientFactoryOptions,
  type WaClientLike,
  type WaEvents,
  type WaMediaLike,
  type WaMessageLike,
  type WaSendOptions,
} from "./client.js";
export { ignoreReason, phoneOf, toInbound } from "./inbound.js";
export { classifySendError, WA_WEB_TEXT_LIMIT, WA_WEB_CAPTION_LIMIT } from "./send.js";
