import { createTransport } from "nodemailer";
import {
  KanalError,
  type ChannelAdapter,
  type ChannelLimits,
  type ChannelStateStore,
  type InboundMessage,
  type InboundSink,
  type Log,
} from "../../src/core/index.js";
import { addressOf, domainOf } from "./address.js";
import { readMail, type MailView } from "./inbound.js";
import { HourlyLimit } from "./rate-limit.js";
import { createSender } from "./send.js";
import { ThreadStore } from "./threads.js";
import { MailboxWatcher, type Fetched, type ImapSettings, type WatcherStatus } from "./watcher.js";

export interface SmtpSettings {
  host: string;
  port: number;
  /** true: TLS from the first byte (port 465). false: STARTTLS when the server offers it (587). */
  secure: boolean;
  user?: string;
  password?: string;
}

/** A mail the channel could not turn into a message; the wiring tells staff to look at the inbox. */
export interface UnreadableMail {
  uid: number;
  reason: string;
  from?: string;
  subject?: string;
}

export interface EmailAdapterOptions {
  /** EMAIL_IMAP_*: the monitored inbox. */
  imap: ImapSettings;
  /** EMAIL_SMTP_*: outgoing mail. */
  smtp: SmtpSettings;
  /** EMAIL_FROM: the office's address (a display name in it is replaced by `officeName`). */
  from: string;
  /** OFFICE_NAME: the sender name of every answer. */
  officeName: string;
  /**
   * EMAIL_TRUSTED_AUTHSERV_ID: the office mail server's authserv-id. Its DMARC (or aligned DKIM/SPF)
   * pass lets a mail from a thread's address join the thread by ticket or by the citizen's own ids;
   * without it only a reply naming one of the bot's own Message-IDs joins.
   */
  trustedAuthservId?: string;
  /** Durable: the last UID, UIDVALIDITY and the threads (see threads.ts). */
  state: ChannelStateStore;
  /** Attachments larger than this are declared with their size, so the pipeline declines them. */
  maxAttachmentBytes: number;
  /** A mail larger than this is not downloaded; it is reported as unreadable. Default 25 MB. */
  maxMessageBytes?: number;
  /** Answers to one address in any hour; more wait (retryable). Default 10. */
  maxAnswersPerSenderPerHour?: number;
  log?: Log;
  /** Reconnect and retry backoff: first wait (default 1000 ms), doubling up to the cap (default 60 s). */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** How soon IDLE resumes after a command (default 500 ms). */
  idleDelayMs?: number;
  /** Look for new mail this often even without an IDLE notice (default 60 s). */
  pollIntervalMs?: number;
  /** A mail whose recording failed this many times is skipped and reported (default 5). */
  maxAttempts?: number;
  /** How long stop() waits for a mail in flight (default 10 s). */
  stopGraceMs?: number;
  /** IMAP connection and greeting timeout (default 30 s). */
  connectTimeoutMs?: number;
  /** Told of every mail that cannot be read (too large, unparsable, no sender, failing again and again). */
  onUnreadable?: (info: UnreadableMail) => Promise<void>;
  /** Milliseconds since the epoch; the answer limit's clock (tests). */
  now?: () => number;
}

export interface EmailAdapter extends ChannelAdapter {
  readonly name: "email";
  /** "watching" while the inbox is monitored; "failed" after a refused login or a missing mailbox. */
  status(): { state: WatcherStatus };
}

/**
 * An e-mail is long and slow: no practical text limit, attachments welcome, no buttons (options
 * are listed as lines to reply with), answers pushed through the outbox, and the thread itself
 * reaches the citizen later.
 */
export const EMAIL_LIMITS: ChannelLimits = {
  maxTextLength: 100_000,
  media: true,
  buttons: false,
  delivery: "push",
  canReachLater: true,
  oneMessagePerStep: true,
};

export const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

/** A body this short is an answer or a keyword ("1", "menu", "status ADU-2026-00001"): the subject would spoil it. */
const SHORT_BODY_WORDS = 4;

/**
 * The text the conversation sees. A new mail's subject often is the complaint's headline ("Lampu
 * jalan mati di depan kantor") or the whole of it: it comes first, unless the body already starts
 * with it or is a short answer or keyword of its own. A reply's subject is only our own
 * "Re: [ticket] …", so a reply is its (quote-stripped) body alone.
 */
export function conversationText(mail: MailView): string {
  if (mail.reply || mail.subject === "") return mail.text;
  const subject = mail.subject;
  if (mail.text === "") return subject;
  if (mail.text.split(/\s+/).filter(Boolean).length < SHORT_BODY_WORDS) return mail.text;
  const head = mail.text.slice(0, subject.length + 20).toLowerCase();
  return head.includes(subject.toLowerCase()) ? mail.text : `${subject}\n\n${mail.text}`;
}

export function createEmailAdapter(options: EmailAdapterOptions): EmailAdapter {
  const log: Log = options.log ?? (() => undefined);
  const fromAddress = addressOf(options.from);
  if (!fromAddress)
    throw new KanalError("KA_CONFIG", `EMAIL_FROM must be an e-mail address, e.g. aduan@kantor.go.id (got "${options.from}")`);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const ownAddresses = new Set(
    [fromAddress, addressOf(options.imap.user), addressOf(options.smtp.user)].filter((a): a is string => Boolean(a)),
  );
  const threads = new ThreadStore(options.state, domainOf(fromAddress));
  const transport = createTransport({
    host: options.smtp.host,
    port: options.smtp.port,
    secure: options.smtp.secure,
    ...(options.smtp.user ? { auth: { user: options.smtp.user, pass: options.smtp.password ?? "" } } : {}),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  const send = createSender({
    transport,
    fromAddress,
    officeName: options.officeName,
    threads,
    limit: new HourlyLimit(options.maxAnswersPerSenderPerHour ?? 10, options.state, options.now ?? Date.now),
    maxTextLength: EMAIL_LIMITS.maxTextLength,
    log,
  });

  let sink: InboundSink | undefined;

  async function unreadable(info: UnreadableMail): Promise<void> {
    log("email: a mail could not be read; it is left unread in the mailbox", { ...info });
    await options.onUnreadable?.(info);
  }

  async function handle(fetched: Fetched): Promise<{ seen: boolean }> {
    const { uid } = fetched;
    if (!fetched.source) {
      const from = fetched.envelope?.from?.[0]?.address;
      await unreadable({
        uid,
        reason: `it is larger (${fetched.size} bytes) than the ${maxMessageBytes}-byte limit for one mail`,
        ...(from ? { from: from.toLowerCase() } : {}),
        ...(fetched.envelope?.subject ? { subject: fetched.envelope.subject } : {}),
      });
      return { seen: false };
    }
    const read = await readMail(fetched.source, {
      maxAttachmentBytes: options.maxAttachmentBytes,
      ownAddresses,
      ...(options.trustedAuthservId ? { trustedAuthservId: options.trustedAuthservId } : {}),
    });
    if (!read.ok) {
      await unreadable({
        uid,
        reason: read.reason,
        ...(read.from ? { from: read.from } : {}),
        ...(read.subject ? { subject: read.subject } : {}),
      });
      return { seen: false };
    }
    const mail = read.mail;
    if (mail.automatic) {
      // Left unread: a person may want to see a bounce (a citizen's address that does not work).
      log("email: not answered (automatic mail)", { uid, from: mail.from.address, reason: mail.automatic });
      return { seen: false };
    }
    // No Message-ID (rare, but legal): the UID in this UIDVALIDITY is just as stable.
    const providerMessageId = mail.messageId ?? `uid:${fetched.uidValidity}:${uid}`;
    const { chatId, thread } = await threads.chatFor(mail, providerMessageId);
    await threads.recordInbound(chatId, thread, mail);
    const inbound: InboundMessage = {
      channel: "email",
      providerMessageId,
      chatId,
      sender: { id: mail.from.address, ...(mail.from.name ? { displayName: mail.from.name } : {}), email: mail.from.address },
      text: conversationText(mail),
      attachments: mail.attachments,
      // When the mail reached the mailbox, not its Date header (any sender's clock, or a lie).
      receivedAt: fetched.internalDate ?? new Date(),
      raw: {
        uid,
        uidValidity: fetched.uidValidity,
        messageId: mail.messageId,
        from: mail.from,
        subject: mail.subject,
        date: mail.date?.toISOString(),
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        authenticated: mail.authenticated,
      },
      ...(mail.localeHint ? { localeHint: mail.localeHint } : {}),
    };
    if (!sink) throw new Error("email: a mail arrived before start()");
    await sink(inbound);
    return { seen: true };
  }

  const backoffMs = options.reconnect?.initialMs ?? 1000;
  const watcher = new MailboxWatcher({
    imap: options.imap,
    state: options.state,
    handle,
    giveUp: (fetched, error) =>
      unreadable({ uid: fetched.uid, reason: `recording it failed ${options.maxAttempts ?? 5} times: ${error.message}` }),
    maxMessageBytes,
    log,
    backoffMs,
    maxBackoffMs: options.reconnect?.maxMs ?? 60_000,
    idleDelayMs: options.idleDelayMs ?? 500,
    pollIntervalMs: options.pollIntervalMs ?? 60_000,
    maxAttempts: options.maxAttempts ?? 5,
    stopGraceMs: options.stopGraceMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
  });

  let stopping: Promise<void> | undefined;

  return {
    name: "email",
    singleton: true,
    limits: EMAIL_LIMITS,
    status() {
      return { state: watcher.status };
    },

    async start(inboundSink) {
      if (sink) throw new Error("email: start() was called twice");
      sink = inboundSink;
      // Resolves once the first connection attempt is over, whatever its outcome: a mail server
      // that is down is retried in the background, a refused login is logged once, and neither
      // stops the bot's other channels.
      await watcher.start();
      if (watcher.status === "watching")
        log("email: watching the mailbox", { host: options.imap.host, mailbox: options.imap.mailbox, user: options.imap.user });
    },

    send,

    stop() {
      stopping ??= (async () => {
        await watcher.stop();
        transport.close();
      })();
      return stopping;
    },
  };
}
