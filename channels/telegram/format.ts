import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from "telegraf/types";
import type { OutboundMessage } from "../../src/core/index.js";

/** Bot API limits: https://core.telegram.org/bots/api#sendmessage, #sendphoto, #inlinekeyboardbutton */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const CALLBACK_DATA_LIMIT = 64;

/** Options this short fit two to a row on a phone. */
const SHORT_OPTION = 16;

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Our light markup (`*bold*`, newlines) as Telegram HTML (https://core.telegram.org/bots/api#html-style).
 * Escaping comes first, so whatever a citizen typed (`<script>`, `a & b`) stays text. As in
 * Markdown, bold hugs its text and never spans a line, so "5 * 3 * 2" keeps its stars.
 */
export function toTelegramHtml(text: string): string {
  return escapeHtml(text).replace(/\*(?=\S)([^*\n]*?\S)\*/g, "<b>$1</b>");
}

export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

/** Private chats have a positive id; groups and channels a negative one. */
export const isPrivateChatId = (chatId: string) => !chatId.startsWith("-");

/**
 * The markup for a message: inline buttons (staff cards) win over options; options become a
 * one-time reply keyboard whose buttons send their label as text; a private chat with neither gets
 * the last keyboard removed so stale choices do not linger.
 */
export function replyMarkupFor(chatId: string, message: OutboundMessage): ReplyMarkup | undefined {
  const buttons = message.buttons?.filter((row) => row.length > 0) ?? [];
  if (buttons.length > 0) {
    return { inline_keyboard: buttons.map((row) => row.map((b) => ({ text: b.label, callback_data: b.data }))) };
  }
  const options = message.options?.filter((o) => o.trim() !== "") ?? [];
  if (options.length > 0) {
    const perRow = options.every((o) => o.length <= SHORT_OPTION) ? 2 : 1;
    const keyboard: { text: string }[][] = [];
    for (let i = 0; i < options.length; i += perRow) keyboard.push(options.slice(i, i + perRow).map((text) => ({ text })));
    return { keyboard, one_time_keyboard: true, resize_keyboard: true };
  }
  return isPrivateChatId(chatId) ? { remove_keyboard: true } : undefined;
}

/** Callback data longer than Telegram takes would be refused (BUTTON_DATA_INVALID): say which. */
export function oversizedCallbackData(message: OutboundMessage): string | undefined {
  for (const row of message.buttons ?? []) {
    for (const button of row) {
      if (Buffer.byteLength(button.data, "utf8") > CALLBACK_DATA_LIMIT) return button.data;
    }
  }
  return undefined;
}

/**
 * A provider message id as we hand it out (`"42"`) or as an inbound one (`"<chat>:42"`), as the
 * Bot API's numeric message_id.
 */
export function telegramMessageId(id: string): number | undefined {
  const last = id.slice(id.lastIndexOf(":") + 1);
  return /^\d+$/.test(last) ? Number(last) : undefined;
}
