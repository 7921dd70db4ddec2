/** The vocabulary every channel speaks. Provider SDK types stop at the adapter. */

export type ChannelName =
  "webchat" | "terminal" | "telegram" | "whatsapp-web" | "whatsapp-cloud" | "messenger" | "instagram" | "discord" | "email";

export const CHANNEL_NAMES: readonly ChannelName[] = [
  "webchat",
  "terminal",
  "telegram",
  "whatsapp-web",
  "whatsapp-cloud",
  "messenger",
  "instagram",
  "discord",
  "email",
];

export type AttachmentKind = "image" | "document" | "audio" | "video" | "location" | "other";

/** A file the citizen sent. Bytes are fetched lazily: a declined file is never downloaded. */
export interface InboundAttachment {
  kind: AttachmentKind;
  mime: string;
  size: number;
  filename?: string;
  fetch(): Promise<Uint8Array>;
}

export interface Sender {
  id: string;
  displayName?: string;
  /** Set when the channel itself proves the number (WhatsApp), so the flow does not ask for it. */
  phone?: string;
  /** Set when the channel itself proves the address (e-mail). */
  email?: string;
}

/** One normalised inbound event. */
export interface InboundMessage {
  channel: ChannelName;
  /** The same on redelivery: the dedupe key, unique per channel. */
  providerMessageId: string;
  /** Where replies go. */
  chatId: string;
  sender: Sender;
  text?: string;
  attachments: InboundAttachment[];
  receivedAt: Date;
  /** The provider's payload, kept for audit only. */
  raw: unknown;
  /** Locale hint from the channel (web page language), used only for a new conversation. */
  localeHint?: Locale;
}

export type Locale = "id" | "en";
export const LOCALES: readonly Locale[] = ["id", "en"];

/** One rendered message to a citizen or to staff. `options` become reply buttons where the channel has them. */
export interface OutboundMessage {
  text: string;
  options?: string[];
  /** Set when the message concerns a complaint: channels that thread (e-mail) use it. */
  ticket?: string;
  /** Post as a reply to this provider message id (a staff thread in Telegram). */
  replyTo?: string;
  /** Inline buttons with callback data (staff cards); rows of (label, data). */
  buttons?: { label: string; data: string }[][];
  /** When the citizen last wrote in this conversation (ISO time), for channels with a reply window. */
  lastInboundAt?: string;
  /** Files to send with the message (a staff reply's photo), already stored. */
  attachments?: { kind: "image" | "document"; mime: string; filename?: string; path: string }[];
}

/**
 * An inbound message that could not be processed because of what it held, while the rest of its
 * batch went on. Carries no text and no sender: it is shown to staff and counted on /metrics.
 */
export interface InboundFailure {
  channel: ChannelName;
  providerMessageId: string;
  /** The kind of error (errorKind), never the message's content. */
  reason: string;
}
