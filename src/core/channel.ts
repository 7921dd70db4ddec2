import type { ChannelName, InboundMessage, OutboundMessage } from "./message.js";
import type { StaffSink } from "./staff.js";

/** A refusal is data, not an exception: the outbox decides what to do with it. */
export type SendResult = { ok: true; providerMessageId: string } | { ok: false; retryable: boolean; retryAfterMs?: number; reason: string };

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
  /**
   * The provider's sending limits, kept by the outbox worker: at most one message per `perChatMs`
   * to one chat, `groupPerMinute` to one group chat (chat ids starting with "-"), `globalPerSecond` overall.
   */
  pacing?: { perChatMs?: number; groupPerMinute?: number; globalPerSecond?: number };
  /**
   * Free-form replies are only allowed this many hours after the citizen's last message (the Meta
   * channels: 24). Outside it the adapter sends a pre-approved template or a message tag when it can
   * (`outside: "template" | "tag"`), or the message cannot be delivered (`"none"`), and staff are told at once.
   */
  replyWindow?: { hours: number; outside: "template" | "tag" | "none" };
  /**
   * The bot's replies to one step go as one message: their texts joined by a blank line, with the
   * last reply's options (a greeting and the menu; "not recognised" and the question again). Each is
   * still stored as its own message. For every channel that pushes: one answer arrives at once instead
   * of paced a second apart, and spends one message of the provider's rate budget, not two or three
   * (e-mail: one letter per mail). A joined text over maxTextLength is split by the adapter.
   */
  oneMessagePerStep?: boolean;
}

/**
 * Small durable values a channel keeps across restarts (IMAP UID and UIDVALIDITY, a mail thread's
 * Message-ID). Backed by the database; channels get it from src/main/channels.ts.
 */
export interface ChannelStateStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** An HTTP request to a webhook route, with the raw body (signatures are computed over its bytes). */
export interface WebhookRequest {
  method: "GET" | "POST";
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

export interface WebhookResponse {
  status: number;
  /** A string is sent as text/plain, an object as JSON. */
  body?: string | Record<string, unknown>;
}

/** Mounted by src/http at `/webhooks/<path>` for GET and POST. */
export interface Webhook {
  path: string;
  handle(request: WebhookRequest): Promise<WebhookResponse>;
}

/** An HTML page an operator page answers with. */
export interface OperatorPageResponse {
  status: number;
  body: string;
  /** Headers to send with it (its own Content-Security-Policy, no caching). */
  headers?: Record<string, string>;
}

/**
 * An operator's page a channel serves (WhatsApp Web's QR code) behind a secret. The channel checks
 * the secret and draws the pages; src/http owns the login around them: a form (POST) and then an
 * HttpOnly, SameSite=Strict session cookie signed with sessionKey(), so the secret never travels in
 * a URL (proxy logs, browser history) and is never logged.
 */
export interface OperatorPage {
  /** False when no secret is configured: the page does not exist (404). */
  readonly enabled: boolean;
  /** Compares a secret typed into the login form, in constant time. */
  checkSecret(given: string): boolean;
  /** A key derived from the secret that signs session cookies: a new secret ends every session. */
  sessionKey(): Buffer | undefined;
  /** The page for a signed-in operator; `logoutAction` is where its sign-out form posts. */
  render(options: { logoutAction: string }): Promise<OperatorPageResponse>;
  /** The sign-in form, posting `token` to `action`; `failed` after a wrong secret. */
  loginForm(options: { action: string; failed: boolean }): OperatorPageResponse;
}

export type InboundSink = (message: InboundMessage) => Promise<unknown>;

/**
 * What the rest of the bot offers a channel when it starts, beside the inbound sink. Given at
 * start(), not at construction, because the staff console is built after the channels (it needs
 * their limits): passing it here is what breaks the channel ↔ console cycle.
 */
export interface ChannelServices {
  /** The staff console, for a channel that carries a staff group (Telegram). */
  staff?: StaffSink;
}

/**
 * Where a channel's connection stands, for /health: `state` is the channel's own word ("running",
 * "webhook", "watching", "reconnecting", "waiting-for-scan", …); `reason` says why it is not working.
 */
export interface ChannelStatus {
  state: string;
  reason?: string;
  /** ISO time the state began, when the channel knows it. */
  since?: string;
}

/** To add a channel: implement this in channels/<name>/ and register it in src/main/channels.ts. */
export interface ChannelAdapter {
  readonly name: ChannelName;
  readonly limits: ChannelLimits;
  start(sink: InboundSink, services?: ChannelServices): Promise<void>;
  /** The connection's state once started (before start(), what the adapter can say: usually "stopped"). */
  status(): ChannelStatus;
  /**
   * True when start() opens a connection that must exist once per office (Telegram long polling,
   * IMAP IDLE, a WhatsApp Web session, the Discord gateway). With several instances on one
   * database, src/main/ runs such a channel on the elected leader only, and only the leader sends
   * its messages. An adapter is started at most once: a new leader term gets a new adapter.
   */
  readonly singleton?: boolean;
  /** Webhook channels: the route the HTTP server mounts. */
  readonly webhook?: Webhook;
  send(chatId: string, message: OutboundMessage): Promise<SendResult>;
  stop(): Promise<void>;
}
