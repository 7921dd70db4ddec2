import { ImapFlow, type FetchMessageObject } from "imapflow";
import type { ChannelStateStore, Log } from "../../src/core/index.js";

export interface ImapSettings {
  host: string;
  port: number;
  /** true: TLS from the first byte (port 993). false: STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  password: string;
  /** The monitored mailbox, usually INBOX. */
  mailbox: string;
}

/** One new message as fetched: its source, or only its envelope when it is over the size limit. */
export interface Fetched {
  uid: number;
  size: number;
  uidValidity: string;
  /** Undefined when the message is over the size limit: never downloaded. */
  source?: Buffer;
  envelope?: FetchMessageObject["envelope"];
  /** When the server received it (INTERNALDATE). */
  internalDate?: Date;
}

/**
 * What the adapter does with one message. Resolves with whether to flag it \Seen ("recorded");
 * a rejection leaves it unprocessed: it is tried again later, from the same UID.
 */
export type MessageHandler = (message: Fetched) => Promise<{ seen: boolean }>;

export interface WatcherOptions {
  imap: ImapSettings;
  state: ChannelStateStore;
  handle: MessageHandler;
  /** A message that failed `maxAttempts` times is given up (left unseen) and reported here. */
  giveUp: (message: Fetched, error: Error) => Promise<void>;
  maxMessageBytes: number;
  log: Log;
  /** First wait after a dropped connection or a failed message; doubles up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** imapflow's autoIdleDelay: how soon after the last command IDLE starts again. */
  idleDelayMs: number;
  /** A safety net: look for new mail this often even when IDLE said nothing. */
  pollIntervalMs: number;
  maxAttempts: number;
  /** How long stop() waits for a message in flight. */
  stopGraceMs: number;
  /** imapflow's connection and greeting timeouts. */
  connectTimeoutMs: number;
}

export type WatcherStatus = "idle" | "connecting" | "watching" | "reconnecting" | "failed" | "stopped";

/** imapflow's error shape (https://imapflow.com/docs/api/imapflow-client): codes and the server's response code. */
interface ImapError {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
}

const describe = (error: unknown) => {
  const e = error as ImapError;
  return [e?.code, e?.serverResponseCode, e?.responseText ?? e?.message ?? String(error)].filter(Boolean).join(" ");
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The monitored mailbox, read in UID order with at-least-once delivery:
 * - On connecting it catches up on every message above the last processed UID, then IDLEs and
 *   reads again on each EXISTS (and every `pollIntervalMs`).
 * - A message is handed to the adapter; only after that resolved is its UID stored as processed,
 *   and then it is flagged \Seen: a crash in between leaves a processed message unseen (harmless),
 *   never an unprocessed one seen. A crash before the UID is stored hands it over again; the
 *   pipeline dedupes it by Message-ID.
 * - A failed message stops the reading there (later ones wait, order is kept) and is tried again
 *   after a backoff; after `maxAttempts` it is given up so it cannot block the mailbox for ever.
 * - A dropped connection reconnects with exponential backoff (capped) and catches up from the
 *   stored UID. A refused login or a missing mailbox stops the watcher with one log line: retrying
 *   cannot fix a configuration, and the other channels keep running.
 * - A changed UIDVALIDITY (the mailbox was recreated, UIDs mean other messages) starts again from
 *   the first message; Message-ID dedupe keeps what was processed once. On the very first start
 *   (no stored UID) the messages already read by a person are left alone: the bot must not answer
 *   the office's whole mail history.
 */
export class MailboxWatcher {
  private client: ImapFlow | undefined;
  private generation = 0;
  private stopped = false;
  private statusValue: WatcherStatus = "idle";
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private blockedUntil = 0;
  private draining: Promise<void> | undefined;
  private again = false;
  private readonly attempts = new Map<number, number>();
  /** Processed messages whose \Seen flag could not be set (the connection dropped): set on reconnect. */
  private readonly unflagged = new Map<number, string>();
  private readonly keys: { validity: string; lastUid: string };

  constructor(private readonly options: WatcherOptions) {
    const { user, host, port, mailbox } = options.imap;
    const account = `email:imap:${user}@${host}:${port}/${mailbox}`;
    this.keys = { validity: `${account}:uidvalidity`, lastUid: `${account}:lastuid` };
  }

  get status(): WatcherStatus {
    return this.statusValue;
  }

  /** Connects once and resolves (whatever the outcome); failures retry in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
    if (this.stopped) return; // a refused login or a missing mailbox: nothing to poll
    this.pollTimer = setInterval(() => this.kick(), this.options.pollIntervalMs);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.statusValue = "stopped";
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.retryTimer);
    clearInterval(this.pollTimer);
    if (this.draining) {
      await Promise.race([this.draining, sleep(this.options.stopGraceMs)]);
    }
    const client = this.client;
    this.client = undefined;
    this.generation++;
    if (client) {
      // LOGOUT on a connection that is already gone would wait for an answer that never comes.
      if (client.usable) await Promise.race([client.logout().catch(() => undefined), sleep(2000)]);
      client.close();
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const { imap, log } = this.options;
    this.statusValue = this.failures === 0 && this.statusValue === "idle" ? "connecting" : "reconnecting";
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.user, pass: imap.password },
      logger: false,
      // IDLE starts this soon after our last command, so new mail is announced at once (the
      // default, 15 s, delays it; NOTES.md). Any command we send ends the IDLE by itself.
      autoIdleDelay: this.options.idleDelayMs,
      connectionTimeout: this.options.connectTimeoutMs,
      greetingTimeout: this.options.connectTimeoutMs,
      // A message over our size limit is never fetched; this is the hard stop for a lying server.
      maxLiteralSize: this.options.maxMessageBytes + 1024 * 1024,
    });
    this.client = client;
    const current = () => generation === this.generation && !this.stopped;
    client.on("error", (error: unknown) => {
      if (current()) log("email: IMAP connection error", { error: describe(error) });
    });
    client.on("close", () => {
      if (current() && this.statusValue === "watching") {
        this.statusValue = "reconnecting";
        this.scheduleReconnect(generation, "the IMAP connection closed");
      }
    });
    client.on("exists", () => {
      if (current()) this.kick();
    });

    try {
      await client.connect();
      const lock = await client.getMailboxLock(imap.mailbox);
      lock.release();
    } catch (error) {
      if (!current()) return;
      client.close();
      const e = error as ImapError;
      if (e?.authenticationFailed || e?.serverResponseCode === "AUTHENTICATIONFAILED") {
        this.fail(
          `email: the IMAP server ${imap.host}:${imap.port} refused the login of ${imap.user} (AUTHENTICATIONFAILED); the e-mail channel is stopped. ` +
            "Check EMAIL_IMAP_USER and EMAIL_IMAP_PASSWORD (for Gmail, Outlook and Yahoo an app password), then restart.",
        );
        return;
      }
      if (e?.serverResponseCode === "NONEXISTENT" || /mailbox doesn't exist|not exist/i.test(describe(error))) {
        this.fail(
          `email: the mailbox "${imap.mailbox}" does not exist on ${imap.host}; the e-mail channel is stopped. Check EMAIL_IMAP_MAILBOX, then restart.`,
        );
        return;
      }
      this.statusValue = "reconnecting";
      this.scheduleReconnect(generation, `connecting to ${imap.host}:${imap.port} failed: ${describe(error)}`);
      return;
    }
    if (!current()) {
      client.close();
      return;
    }
    if (this.failures > 0) log("email: IMAP connection restored", { host: imap.host, mailbox: imap.mailbox });
    this.failures = 0;
    this.statusValue = "watching";
    this.kick();
  }

  private fail(line: string): void {
    this.statusValue = "failed";
    this.stopped = true;
    clearInterval(this.pollTimer);
    this.options.log(line);
  }

  private scheduleReconnect(generation: number, why: string): void {
    if (this.stopped || generation !== this.generation || this.reconnectTimer) return;
    const wait = Math.min(this.options.backoffMs * 2 ** this.failures, this.options.maxBackoffMs);
    this.failures++;
    this.options.log(`email: ${why}; reconnecting`, { waitMs: wait, attempt: this.failures });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, wait);
  }

  /** Read new mail now (or as soon as the current read ends), unless a failed message is waiting for its retry. */
  private kick(): void {
    if (this.stopped || this.statusValue !== "watching" || Date.now() < this.blockedUntil) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      this.again = false;
      const outcome = await this.readNew();
      // A failed message waits for its retry timer; new mail announced meanwhile waits with it.
      if (this.stopped || outcome === "retry" || !this.again) return;
    }
  }

  /** One pass over the messages above the stored UID. */
  private async readNew(): Promise<"done" | "retry" | "disconnected"> {
    const client = this.client;
    const generation = this.generation;
    if (!client || !client.usable) return "disconnected";
    let lock: { release(): void } | undefined;
    try {
      lock = await client.getMailboxLock(this.options.imap.mailbox);
      const mailbox = client.mailbox;
      if (!mailbox) return "disconnected";
      // uidValidity is a BigInt: kept as its decimal string.
      const validity = String(mailbox.uidValidity);
      await this.flagUnflagged(client, validity);
      const cursor = await this.cursor(validity);
      if (mailbox.exists === 0) return "done";
      const items: { uid: number; size: number; seen: boolean }[] = [];
      // "N:*" also returns the highest message when N is above it: filtered below.
      for await (const m of client.fetch(`${cursor.lastUid + 1}:*`, { uid: true, size: true, flags: true }, { uid: true })) {
        if (m.uid > cursor.lastUid) items.push({ uid: m.uid, size: m.size ?? 0, seen: m.flags?.has("\\Seen") ?? false });
      }
      items.sort((a, b) => a.uid - b.uid);
      let skippedTo: number | undefined;
      for (const item of items) {
        if (this.stopped || generation !== this.generation) return "done";
        if (cursor.firstRun && item.seen) {
          skippedTo = item.uid;
          continue;
        }
        if (skippedTo !== undefined) {
          await this.saveUid(skippedTo);
          skippedTo = undefined;
        }
        const outcome = await this.processOne(client, item, validity);
        if (outcome === "retry") return "retry";
      }
      if (skippedTo !== undefined) await this.saveUid(skippedTo);
      return "done";
    } catch (error) {
      if (generation !== this.generation || !client.usable || this.stopped) return "disconnected";
      this.options.log("email: reading the mailbox failed; trying again", { error: describe(error) });
      this.blockFor(this.options.backoffMs);
      return "retry";
    } finally {
      lock?.release();
    }
  }

  private async cursor(validity: string): Promise<{ lastUid: number; firstRun: boolean }> {
    const { state, log } = this.options;
    const stored = await state.get(this.keys.validity);
    if (stored === validity) return { lastUid: Number((await state.get(this.keys.lastUid)) ?? "0"), firstRun: false };
    if (stored !== undefined) {
      log("email: the mailbox's UIDVALIDITY changed; reading it again from the first message (each is recorded once, by Message-ID)", {
        mailbox: this.options.imap.mailbox,
        was: stored,
        now: validity,
      });
    }
    // The UID first, then the validity it belongs to: a crash in between only repeats this reset.
    await state.set(this.keys.lastUid, "0");
    await state.set(this.keys.validity, validity);
    return { lastUid: 0, firstRun: stored === undefined };
  }

  private saveUid(uid: number): Promise<void> {
    return this.options.state.set(this.keys.lastUid, String(uid));
  }

  private async processOne(client: ImapFlow, item: { uid: number; size: number }, validity: string): Promise<"next" | "retry"> {
    const { maxMessageBytes, log } = this.options;
    let fetched: Fetched;
    // Fetch errors are connection errors: they end this pass (the caller reconnects or retries).
    if (item.size > maxMessageBytes) {
      const head = await client.fetchOne(String(item.uid), { envelope: true }, { uid: true });
      fetched = { uid: item.uid, size: item.size, uidValidity: validity, ...(head ? { envelope: head.envelope } : {}) };
    } else {
      const message = await client.fetchOne(String(item.uid), { source: true, internalDate: true }, { uid: true });
      if (!message || !message.source) {
        // Expunged since the listing: nothing to process.
        await this.saveUid(item.uid);
        return "next";
      }
      const date =
        message.internalDate instanceof Date ? message.internalDate : message.internalDate ? new Date(message.internalDate) : undefined;
      fetched = {
        uid: item.uid,
        size: item.size,
        uidValidity: validity,
        source: message.source,
        ...(date && !Number.isNaN(date.getTime()) ? { internalDate: date } : {}),
      };
    }

    let seen: boolean;
    try {
      ({ seen } = await this.options.handle(fetched));
    } catch (error) {
      const attempt = (this.attempts.get(item.uid) ?? 0) + 1;
      this.attempts.set(item.uid, attempt);
      if (attempt < this.options.maxAttempts) {
        const wait = Math.min(this.options.backoffMs * 2 ** (attempt - 1), this.options.maxBackoffMs);
        log("email: a message could not be recorded; it will be tried again", {
          uid: item.uid,
          attempt,
          waitMs: wait,
          error: describe(error),
        });
        this.blockFor(wait);
        return "retry";
      }
      log("email: a message failed too often and is skipped (left unread in the mailbox)", {
        uid: item.uid,
        attempts: attempt,
        error: describe(error),
      });
      this.attempts.delete(item.uid);
      await this.options
        .giveUp(fetched, error as Error)
        .catch((e: unknown) => log("email: reporting a skipped message failed", { uid: item.uid, error: describe(e) }));
      await this.saveUid(item.uid);
      return "next";
    }
    this.attempts.delete(item.uid);
    // Recorded: first the UID (so it is not handed over again), then the flag a person sees.
    await this.saveUid(item.uid);
    if (seen) await this.flagSeen(client, item.uid, validity);
    return "next";
  }

  private async flagSeen(client: ImapFlow, uid: number, validity: string): Promise<void> {
    try {
      await client.messageFlagsAdd(String(uid), ["\\Seen"], { uid: true });
    } catch (error) {
      this.unflagged.set(uid, validity);
      this.options.log("email: a recorded message could not be flagged \\Seen yet", { uid, error: describe(error) });
    }
  }

  private async flagUnflagged(client: ImapFlow, validity: string): Promise<void> {
    for (const [uid, itsValidity] of [...this.unflagged]) {
      this.unflagged.delete(uid);
      if (itsValidity === validity) await this.flagSeen(client, uid, validity);
    }
  }

  private blockFor(ms: number): void {
    this.blockedUntil = Date.now() + ms;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.blockedUntil = 0;
      this.kick();
    }, ms);
  }
}
