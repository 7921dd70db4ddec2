import type { ChannelName, InboundMessage, OutboundMessage } from "./message.js";

/** A refusal is data, not an exception: the outbox decides what to do with it. */
export type SendResult =
  | { ok: true; providerMessageId: string }
  | { ok: false; retryable: boolean; retryAfterMs?: number; reason: string };

export interface ChannelLimits {
  maxTextLength: number;
  media: boolean;
  buttons: boolean;
  /**
   * "pull": the citizen's client fetches bot messages itself (web chat, terminal); replies are
   * stored as messages and never go through the outbox. "push": the outbox delivers them.
   */
  delivery: "push" | "pull";
  /** True when the channel itself can answer the complainant later, so contact details may be skipped. */
  canReachLater: boolean;
}

export type InboundSink = (message: InboundMessage) => Promise<unknown>;

/** To add a channel: implement this in channels/<name>/ and register it in src/main.ts. */
export interface ChannelAdapter {
  readonly name: ChannelName;
  readonly limits: ChannelLimits;
  start(sink: InboundSink): Promise<void>;
  send(chatId: string, message: OutboundMessage): Promise<SendResult>;
  stop(): Promise<void>;
}
