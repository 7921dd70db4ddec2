/** Telegram: citizens in private chats, staff in the ops group. See adapter.ts. */
export {
  createTelegramAdapter,
  normaliseApiRoot,
  telegramWebhookUrl,
  TELEGRAM_LIMITS,
  type TelegramAdapter,
  type TelegramAdapterOptions,
} from "./adapter.js";
export { toTelegramHtml } from "./format.js";
