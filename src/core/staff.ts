import type { ChannelName, InboundAttachment, Locale } from "./message.js";

/**
 * What a staff front end (today the Telegram ops group) hands to the staff console: a message or
 * button press from a person who may or may not be staff. The console parses the commands and
 * decides everything; the front end only transports.
 */
export interface StaffMessage {
  /** Unique per update: the same on redelivery (dedupe key). */
  updateId: string;
  from: { id: string; name?: string; username?: string };
  /** "ops": the configured staff group; "private": a private chat with the bot; "other": anywhere else. */
  chatKind: "ops" | "private" | "other";
  chatId: string;
  /** The message's own id in its chat (a staff reply is threaded to it, confirmations answer it). */
  messageId?: string;
  /** Text or caption, with a Telegram-style `/command@botname` already reduced to `/command`. */
  text: string;
  /** The bot message this one replies to (a Telegram reply), by its provider message id. */
  replyToMessageId?: string;
  attachments: InboundAttachment[];
  /** An inline-button press: its data (e.g. "close:ADU-2026-00001"). */
  callbackData?: string;
  receivedAt: Date;
}

/** What the console answers: short texts for the staff chat, and an optional toast for a button press. */
export interface StaffAnswer {
  /** Messages to post in the chat the staff message came from (threaded to it where possible). */
  messages: {
    text: string;
    replyTo?: string;
    attachments?: { kind: "image" | "document"; mime: string; filename?: string; path: string }[];
  }[];
  /** For a button press: the short notice shown by answerCallbackQuery. */
  callbackNotice?: string;
}

export type StaffSink = (message: StaffMessage) => Promise<StaffAnswer>;

/**
 * Where staff are told things: the Telegram ops group, when the bot and the group are configured.
 * Complaint cards, citizens' follow-ups, SOP warnings and delivery failures go there.
 */
export interface StaffFeed {
  channel: ChannelName;
  chatId: string;
  /** The staff's language (the office's DEFAULT_LOCALE). */
  locale: Locale;
  /** The card's hint line: "reply" mode relays plain replies, "command" mode only /balas. */
  replyMode: "reply" | "command";
}

/** Where a notice to staff goes: the feed's chat, in the staff's language. */
export type StaffFeedTarget = Pick<StaffFeed, "channel" | "chatId" | "locale">;
