import { createRequire } from "node:module";
import { join } from "node:path";
import type * as Wwebjs from "whatsapp-web.js";

/**
 * The narrow slice of whatsapp-web.js (https://docs.wwebjs.dev/Client.html) the adapter uses. Tests
 * pass a fake; `createWhatsAppWebJsClient` wraps the real Client. whatsapp-web.js's own types stop here.
 */

/** A downloaded or prepared file: whatsapp-web.js's MessageMedia (data is base64). */
export interface WaMediaLike {
  mimetype: string;
  data: string;
  filename?: string | null;
  filesize?: number | null;
}

/** The fields of whatsapp-web.js's Message (src/structures/Message.js) the adapter reads. */
export interface WaMessageLike {
  id: { _serialized: string };
  /** The chat: `<digits>@c.us`, `<id>@lid` (privacy ids, 2025+), `<id>@g.us` for groups, `status@broadcast`. */
  from: string;
  to?: string;
  /** Text, or the caption of a media message. For a location it is a JPEG thumbnail in base64: never text. */
  body: string;
  /** chat, image, video, document, ptt, audio, location, sticker, vcard, e2e_notification, … */
  type: string;
  /** Unix seconds. */
  timestamp: number;
  hasMedia: boolean;
  fromMe: boolean;
  isStatus?: boolean;
  /** The participant, in a group. */
  author?: string;
  location?: { latitude: number | string; longitude: number | string; name?: string; address?: string; description?: string };
  /** Resolves undefined/null when WhatsApp no longer has the file. */
  downloadMedia(): Promise<WaMediaLike | null | undefined>;
  /** WhatsApp Web's raw model: the push name, and for media the declared mimetype, filename and size. */
  _data?: { notifyName?: string; mimetype?: string; filename?: string; size?: number };
}

export interface WaSendOptions {
  caption?: string;
  sendMediaAsDocument?: boolean;
  quotedMessageId?: string;
  linkPreview?: boolean;
}

export interface WaEvents {
  qr: [qr: string];
  authenticated: [];
  ready: [];
  auth_failure: [message: string];
  /** "LOGOUT", a WAState (CONFLICT, UNPAIRED, …), or ours: "BROWSER_CLOSED", "PAGE_CRASHED". */
  disconnected: [reason: string];
  change_state: [state: string];
  message: [message: WaMessageLike];
}

export type WaEventName = keyof WaEvents;

export interface WaClientLike {
  on<E extends WaEventName>(event: E, listener: (...args: WaEvents[E]) => void): unknown;
  /** Launches the browser and opens WhatsApp Web; rejects when that fails (offline: net::ERR_NAME_NOT_RESOLVED). */
  initialize(): Promise<void>;
  /** Closes the browser. Must be called even after a failed initialize: the browser keeps running otherwise. */
  destroy(): Promise<void>;
  sendMessage(
    chatId: string,
    content: string | WaMediaLike,
    options?: WaSendOptions,
  ): Promise<{ id: { _serialized: string } } | null | undefined>;
  /** A file to send, from a local path (whatsapp-web.js's MessageMedia: sendMessage recognises its own class only). */
  createMedia(path: string, meta: { mime: string; filename?: string }): Promise<WaMediaLike>;
  /** Set once ready: the linked account. */
  info?: { wid: { user: string } } | null;
  /** Maps privacy ids (`…@lid`) to phone-number ids (`…@c.us`); whatsapp-web.js ≥ 1.34. */
  getContactLidAndPhone?(ids: string[]): Promise<{ lid?: string; pn?: string }[]>;
  /** The browser's process id while it runs (tests check that none is left behind). */
  browserPid?(): number | undefined;
}

export interface WaClientFactoryOptions {
  /** LocalAuth's dataPath: the session lives in `<sessionDir>/session`. */
  sessionDir: string;
  chromiumPath: string;
}

export type WaClientFactory = (options: WaClientFactoryOptions) => WaClientLike;

/** Debian's chromium in a container: no sandbox (no user namespaces), no GPU, no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

type WwebjsModule = typeof Wwebjs;
type WwebjsClient = InstanceType<WwebjsModule["Client"]>;

/** The browser and page as far as we touch them (puppeteer's typings are big). */
interface BrowserLike {
  isConnected(): boolean;
  on(event: "disconnected", listener: () => void): unknown;
  process(): { pid?: number; exitCode: number | null; signalCode: string | null } | null;
}
interface PageLike {
  on(event: "error", listener: (error: Error) => void): unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Loaded on first use: puppeteer is heavy and tests with a fake client never need it. */
let wwebjs: WwebjsModule | undefined;
function loadWwebjs(): WwebjsModule {
  wwebjs ??= createRequire(import.meta.url)("whatsapp-web.js") as WwebjsModule;
  return wwebjs;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills what is left of a browser. puppeteer starts chromium detached (its own process group) on
 * Linux, so the group goes with it: renderer and GPU processes included.
 */
function killBrowser(pid: number | undefined): void {
  if (pid === undefined || !isAlive(pid)) return;
  for (const target of process.platform === "win32" ? [pid] : [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * The real whatsapp-web.js Client behind WaClientLike: LocalAuth in `sessionDir`, Debian's chromium.
 * It adds what the library leaves out: a browser that dies (crash, OOM kill) is reported as
 * `disconnected` ("BROWSER_CLOSED" / "PAGE_CRASHED"), and destroy() leaves no process behind, even
 * while initialize() is still running or after it failed.
 */
export function createWhatsAppWebJsClient(options: WaClientFactoryOptions): WaClientLike {
  const lib = loadWwebjs();
  const client: WwebjsClient = new lib.Client({
    authStrategy: new lib.LocalAuth({ dataPath: options.sessionDir }),
    puppeteer: { executablePath: options.chromiumPath, headless: true, args: [...CHROMIUM_ARGS] },
    // The default "local" cache writes ./.wwebjs_cache/ into the working directory and only helps
    // when WhatsApp serves the pinned version; "none" loads what web.whatsapp.com serves.
    webVersionCache: { type: "none" },
  });
  // Internal fields of Client (src/Client.js): the puppeteer browser and page, set during initialize().
  const internals = client as unknown as { pupBrowser?: BrowserLike | null; pupPage?: PageLike | null };
  let initializing: Promise<void> | undefined;
  let destroyed = false;
  const pids = new Set<number>();

  const rememberPid = () => {
    const pid = internals.pupBrowser?.process()?.pid;
    if (pid !== undefined) pids.add(pid);
  };

  function watchBrowser(): void {
    rememberPid();
    internals.pupBrowser?.on("disconnected", () => {
      if (!destroyed) client.emit("disconnected", "BROWSER_CLOSED");
    });
    internals.pupPage?.on("error", () => {
      if (!destroyed) client.emit("disconnected", "PAGE_CRASHED");
    });
  }

  return {
    on(event, listener) {
      // Client is an EventEmitter; its typed overloads do not take a generic event name.
      (client as unknown as NodeJS.EventEmitter).on(event, listener as (...args: unknown[]) => void);
      return this;
    },
    initialize() {
      initializing = client.initialize().then(
        () => watchBrowser(),
        (error: unknown) => {
          rememberPid();
          // whatsapp-web.js also rejects with plain strings ("auth timeout").
          throw error instanceof Error ? error : new Error(String(error));
        },
      );
      return initializing;
    },
    async destroy() {
      destroyed = true;
      rememberPid();
      await client.destroy().catch(() => undefined);
      if (initializing) {
        // A launch still under way sets the browser later: wait for it (bounded), then close that too.
        await Promise.race([initializing.catch(() => undefined), sleep(15_000)]);
        rememberPid();
        await client.destroy().catch(() => undefined);
      }
      for (const pid of pids) killBrowser(pid);
    },
    async sendMessage(chatId, content, sendOptions) {
      // A MessageMedia made by createMedia below goes as it is; the cast only narrows the typing.
      const sent = await client.sendMessage(chatId, content, sendOptions);
      return sent ?? undefined;
    },
    async createMedia(path, meta) {
      const media = lib.MessageMedia.fromFilePath(path);
      media.mimetype = meta.mime || media.mimetype;
      if (meta.filename) media.filename = meta.filename;
      return media;
    },
    get info() {
      return client.info ? { wid: { user: client.info.wid.user } } : undefined;
    },
    getContactLidAndPhone: (ids) => client.getContactLidAndPhone(ids),
    browserPid: () => internals.pupBrowser?.process()?.pid ?? [...pids].at(-1),
  };
}

/** Where LocalAuth keeps the linked session (whatsapp-web.js src/authStrategies/LocalAuth.js, no clientId). */
export function sessionPath(sessionDir: string): string {
  return join(sessionDir, "session");
}
