import { mkdir, rm, writeFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import QRCode from "qrcode";
import type { ChannelAdapter, ChannelLimits, InboundSink, Log } from "../../src/core/index.js";
import { createAdminPage, type AdminPage, type WhatsAppWebState, type WhatsAppWebStatus } from "./admin-page.js";
import { createWhatsAppWebJsClient, sessionPath, type WaClientFactory, type WaClientLike, type WaMessageLike } from "./client.js";
import { createDeliveryQueue } from "../shared/index.js";
import { ignoreReason, phoneOf, toInbound } from "./inbound.js";
import { createSender, WA_WEB_TEXT_LIMIT, type SendFailure } from "./send.js";

/** Only one process may drive the linked session: two browsers on one session log each other out. */
export interface SessionLock {
  /** True when this process now holds the session; false when another one does. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

export interface WhatsAppWebAdapterOptions {
  /** WHATSAPP_WEB_SESSION_DIR: LocalAuth's dataPath; the linked session survives restarts there. */
  sessionDir: string;
  /** CHROMIUM_PATH: Debian's chromium, never a downloaded browser. */
  chromiumPath: string;
  /** ATTACHMENT_MAX_BYTES. */
  maxAttachmentBytes: number;
  /** WHATSAPP_WEB_ADMIN_TOKEN: opens the admin page; without it the page answers 404. */
  adminToken?: string;
  lock: SessionLock;
  /** The number was unlinked (logout on the phone, or the session no longer works): tell staff it must be linked again. */
  onLoggedOut?: () => Promise<void>;
  log?: Log;
  /** Tests pass a fake; default: the real whatsapp-web.js Client (client.ts). */
  clientFactory?: WaClientFactory;
  /** Where the terminal QR code goes (default: stdout). */
  printQr?: (text: string) => void;
  /** Wait before reconnection attempt `attempt` (0, 1, …); default 2 s doubling up to 5 min. */
  reconnectDelayMs?: (attempt: number) => number;
  /** Waits between attempts to hand a message to the pipeline (default 1 s, 5 s, 30 s, 2 min, 10 min). */
  sinkRetryDelaysMs?: readonly number[];
  /** How long stop() waits for messages being recorded (default 10 s). */
  stopGraceMs?: number;
  clock?: () => Date;
  /** The admin page's times (default Asia/Jakarta). */
  timeZone?: string;
}

export interface WhatsAppWebAdapter extends ChannelAdapter {
  readonly name: "whatsapp-web";
  /** The operator's page with the QR code: mount at GET /admin/whatsapp. */
  readonly adminPage: AdminPage;
  /** For /health: where the link stands (no QR code here: the page is behind a token). */
  state(): WhatsAppWebStatus;
}

/**
 * whatsapp-web.js drives a phone number like a person at WhatsApp Web does: no buttons (WhatsApp
 * renders those for the Business API only), and sending in bursts is what gets numbers banned. The
 * pacing stays well under what a person could type, per chat and overall.
 */
export const WHATSAPP_WEB_LIMITS: ChannelLimits = {
  maxTextLength: WA_WEB_TEXT_LIMIT,
  media: true,
  buttons: false,
  delivery: "push",
  canReachLater: true,
  pacing: { perChatMs: 1500, globalPerSecond: 2 },
  // Paced 1.5 s apart per chat, and fewer messages look less like a bulk sender.
  oneMessagePerStep: true,
};

export const DEFAULT_SINK_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 30_000, 120_000, 600_000];

const defaultReconnectDelay = (attempt: number) => Math.min(2000 * 2 ** attempt, 5 * 60_000);

/** A send while the link is being set up waits this long: a person has to scan, or the browser is starting. */
const WAITING_FOR_SCAN_RETRY_MS = 10 * 60_000;
const STARTING_RETRY_MS = 30_000;

/** Marks a session that was once linked, so a QR code after a restart means "the link was lost". */
const LINKED_MARKER = "linked.json";

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0]!;
  return String(error);
}

export function createWhatsAppWebAdapter(options: WhatsAppWebAdapterOptions): WhatsAppWebAdapter {
  const log: Log = options.log ?? (() => undefined);
  const clock = options.clock ?? (() => new Date());
  const factory = options.clientFactory ?? createWhatsAppWebJsClient;
  const reconnectDelay = options.reconnectDelayMs ?? defaultReconnectDelay;
  const printQr = options.printQr ?? ((text: string) => void process.stdout.write(text));
  const markerPath = join(options.sessionDir, LINKED_MARKER);

  let sink: InboundSink | undefined;
  let current: WaClientLike | undefined;
  let started = false;
  let stopped = false;
  let lockHeld = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The teardown of the previous client (destroy, and after a logout the session's removal). */
  let teardown: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  let qr: string | undefined;
  /** Staff were told the number must be linked again; cleared once it is. */
  let loggedOutNotified = false;
  const lidPhones = new Map<string, string | undefined>();

  let status: WhatsAppWebStatus = { state: "stopped", since: clock().toISOString() };
  function setStatus(state: WhatsAppWebState, extra: Omit<WhatsAppWebStatus, "state" | "since"> = {}): void {
    status = { state, since: clock().toISOString(), ...extra };
    if (state !== "waiting-for-scan") qr = undefined;
  }

  const queue = createDeliveryQueue({
    sink: () => sink,
    retryDelaysMs: options.sinkRetryDelaysMs ?? DEFAULT_SINK_RETRY_DELAYS_MS,
    log,
    channel: "whatsapp-web",
  });

  const adminPage = createAdminPage({
    adminToken: options.adminToken,
    status: () => status,
    qr: () => qr,
    clock,
    timeZone: options.timeZone,
  });

  async function destroyQuietly(client: WaClientLike | undefined): Promise<void> {
    if (!client) return;
    try {
      await client.destroy();
    } catch (error) {
      log("whatsapp-web: closing the browser failed", { error: describe(error) });
    }
  }

  async function notifyLoggedOut(reason: string): Promise<void> {
    if (loggedOutNotified) return;
    loggedOutNotified = true;
    log("whatsapp-web: the number is no longer linked; scan a new QR code (terminal or /admin/whatsapp)", { reason });
    await rm(markerPath, { force: true }).catch(() => undefined);
    try {
      await options.onLoggedOut?.();
    } catch (error) {
      log("whatsapp-web: telling staff about the logout failed", { error: describe(error) });
    }
  }

  function launch(): void {
    if (stopped) return;
    let client: WaClientLike;
    try {
      client = factory({ sessionDir: options.sessionDir, chromiumPath: options.chromiumPath });
    } catch (error) {
      restart(`creating the WhatsApp Web client failed: ${describe(error)}`, false);
      return;
    }
    current = client;
    setStatus("starting");
    const live = () => current === client && !stopped;

    client.on("qr", (code) => {
      if (!live()) return;
      qr = code;
      status = { state: "waiting-for-scan", since: status.state === "waiting-for-scan" ? status.since : clock().toISOString() };
      void onQr(code);
    });
    client.on("authenticated", () => {
      if (live()) setStatus("authenticated");
    });
    client.on("ready", () => {
      if (!live()) return;
      attempt = 0;
      loggedOutNotified = false;
      const user = client.info?.wid.user;
      const phone = user ? `+${user.replace(/\D/g, "")}` : undefined;
      setStatus("connected", phone ? { phone } : {});
      log("whatsapp-web: connected", { phone });
      void mkdir(options.sessionDir, { recursive: true })
        .then(() => writeFile(markerPath, JSON.stringify({ phone, linkedAt: clock().toISOString() })))
        .catch(() => undefined);
    });
    client.on("auth_failure", (message) => {
      if (live()) restart(`auth_failure: ${message}`, true);
    });
    client.on("disconnected", (reason) => {
      if (!live()) return;
      // LOGOUT: unlinked on the phone (whatsapp-web.js emits it after WhatsApp Web's logout page).
      // Everything else (CONFLICT, TIMEOUT, UNPAIRED, our BROWSER_CLOSED…) is worth another try;
      // a session that no longer works shows a QR code on that try, handled in onQr.
      restart(String(reason), reason === "LOGOUT");
    });
    client.on("change_state", (state) => {
      if (live()) log("whatsapp-web: connection state", { state });
    });
    client.on("message", (message) => {
      if (!stopped) onMessage(client, message);
    });
    Promise.resolve()
      .then(() => client.initialize())
      .catch((error: unknown) => {
        // Offline, a crashed or missing browser, WhatsApp Web not loading: the browser may still be
        // running, so restart() destroys it before trying again.
        if (live()) restart(`starting WhatsApp Web failed: ${describe(error)}`, false);
      });
  }

  async function onQr(code: string): Promise<void> {
    // A QR code for a number that was linked before: the session was lost without a LOGOUT event.
    const wasLinked = await readFile(markerPath, "utf8").then(
      () => true,
      () => false,
    );
    if (wasLinked) await notifyLoggedOut("a QR code was shown for a session that had been linked");
    try {
      const art = await QRCode.toString(code, { type: "terminal", small: true });
      printQr(
        `\nWhatsApp Web: scan this QR code with the office phone (WhatsApp → Linked devices → Link a device), or open /admin/whatsapp\n${art}\n`,
      );
    } catch (error) {
      log("whatsapp-web: printing the QR code failed", { error: describe(error) });
    }
  }

  /**
   * Destroys the client and starts a new one: after `reconnectDelay` for a lost connection or a
   * failed start, at once after a logout — whatsapp-web.js's own client often never shows a new QR
   * code after a logout, so a fresh client with an empty session does.
   */
  function restart(reason: string, loggedOut: boolean): void {
    if (stopped) return;
    const old = current;
    current = undefined;
    const delay = loggedOut ? 0 : reconnectDelay(attempt++);
    const nextAttemptAt = new Date(clock().getTime() + delay).toISOString();
    if (loggedOut) setStatus("logged-out", { reason });
    else setStatus("disconnected", { reason, nextAttemptAt });
    log(loggedOut ? "whatsapp-web: logged out; starting over with a new QR code" : "whatsapp-web: disconnected; reconnecting", {
      reason,
      delayMs: delay,
    });
    const previous = teardown;
    teardown = (async () => {
      await previous;
      await destroyQuietly(old);
      if (loggedOut) {
        await notifyLoggedOut(reason);
        await rm(sessionPath(options.sessionDir), { recursive: true, force: true, maxRetries: 3 }).catch((error: unknown) => {
          log("whatsapp-web: removing the old session failed", { error: describe(error) });
        });
      }
    })();
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void teardown.then(() => launch());
    }, delay);
  }

  function onMessage(client: WaClientLike, message: WaMessageLike): void {
    const ignored = ignoreReason(message);
    if (ignored) return;
    queue.push(message.from, async () => toInbound(message, options.maxAttachmentBytes, await phoneIdFor(client, message.from)));
  }

  /** A privacy id (…@lid) hides the number; WhatsApp Web can map it for contacts it knows. */
  async function phoneIdFor(client: WaClientLike, from: string): Promise<string | undefined> {
    if (!from.endsWith("@lid") || !client.getContactLidAndPhone) return undefined;
    if (lidPhones.has(from)) return lidPhones.get(from);
    let pn: string | undefined;
    try {
      pn = (await client.getContactLidAndPhone([from]))[0]?.pn;
    } catch (error) {
      log("whatsapp-web: the number behind a privacy id could not be read", { from, error: describe(error) });
      return undefined;
    }
    if (lidPhones.size > 10_000) lidPhones.delete(lidPhones.keys().next().value!);
    lidPhones.set(from, phoneOf(pn) ? pn : undefined);
    return lidPhones.get(from);
  }

  /**
   * WhatsApp Web has no rate-limit answer; its transient refusal is a link that is down. The send is
   * then retried when the reconnection is due (rounded up to the second), or after a while when a
   * person has to scan a QR code first.
   */
  function notReady(): SendFailure | undefined {
    if (status.state === "connected" && current) return undefined;
    const reason = `whatsapp-web: not connected (${status.state}${status.reason ? `: ${status.reason}` : ""})`;
    if (status.state === "disconnected" && status.nextAttemptAt) {
      const wait = Math.max(1000, Math.ceil((Date.parse(status.nextAttemptAt) - clock().getTime()) / 1000) * 1000);
      return { ok: false, retryable: true, retryAfterMs: wait, reason };
    }
    const waiting =
      status.state === "waiting-for-scan" || status.state === "logged-out" || status.state === "locked" || status.state === "stopped";
    return { ok: false, retryable: true, retryAfterMs: waiting ? WAITING_FOR_SCAN_RETRY_MS : STARTING_RETRY_MS, reason };
  }

  const sendTo = createSender({
    client: () => current,
    onBrowserGone: (reason) => {
      if (status.state === "connected") restart(reason, false);
    },
  });

  return {
    name: "whatsapp-web",
    singleton: true,
    limits: WHATSAPP_WEB_LIMITS,
    adminPage,

    state() {
      const { state, since, phone, reason, nextAttemptAt } = status;
      return { state, since, ...(phone ? { phone } : {}), ...(reason ? { reason } : {}), ...(nextAttemptAt ? { nextAttemptAt } : {}) };
    },

    status() {
      // No phone number here: /health is public.
      return { state: status.state, since: status.since, ...(status.reason ? { reason: status.reason } : {}) };
    },

    async start(inboundSink) {
      if (started) throw new Error("whatsapp-web: start() was called twice");
      started = true;
      sink = inboundSink;
      try {
        lockHeld = await options.lock.acquire();
      } catch (error) {
        log("whatsapp-web: the session lock could not be taken; WhatsApp Web stays off", { error: describe(error) });
        setStatus("locked", { reason: describe(error) });
        return;
      }
      if (!lockHeld) {
        log("whatsapp-web: another instance holds the WhatsApp Web session; WhatsApp Web stays off in this process", {
          sessionDir: options.sessionDir,
        });
        setStatus("locked");
        return;
      }
      if (stopped) return;
      // The browser starts in the background: linking may wait for a person, start-up must not.
      launch();
    },

    async send(chatId, message) {
      try {
        return await sendTo(chatId, message, notReady);
      } catch (error) {
        return { ok: false, retryable: false, reason: `whatsapp-web: unexpected: ${describe(error)}` };
      }
    },

    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        timer = undefined;
        const old = current;
        current = undefined;
        // Always: after a failed initialize the browser is still running.
        await teardown.catch(() => undefined);
        await destroyQuietly(old);
        await queue.close(options.stopGraceMs ?? 10_000);
        if (lockHeld) {
          lockHeld = false;
          await options.lock
            .release()
            .catch((error: unknown) => log("whatsapp-web: releasing the session lock failed", { error: describe(error) }));
        }
        setStatus("stopped");
      })();
      return stopping;
    },
  };
}
