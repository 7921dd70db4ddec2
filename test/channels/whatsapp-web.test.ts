/**
 * The WhatsApp Web adapter with a fake WaClientLike (no browser): recorded Message-shaped fixtures
 * in (test/fixtures/whatsapp-web/), sends out, the client's life (reconnects, logout, the lock) and
 * the admin page. The real whatsapp-web.js client with chromium: whatsapp-web-chromium.test.ts.
 */
import { EventEmitter } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createWhatsAppWebAdapter,
  sessionPath,
  type WaClientLike,
  type WaEvents,
  type WaMediaLike,
  type WaMessageLike,
  type WaSendOptions,
  type WhatsAppWebAdapter,
  type WhatsAppWebAdapterOptions,
} from "../../channels/whatsapp-web/index.js";
import { KanalError, type InboundMessage } from "../../src/core/index.js";
import { describeChannelAdapter } from "../contract/channel-adapter.js";
import { containing } from "../helpers/match.js";

// ---------------------------------------------------------------------------------------------
// A fake of the narrow client interface

interface SentCall {
  chatId: string;
  content: string | WaMediaLike;
  options?: WaSendOptions;
}

class FakeWaClient implements WaClientLike {
  readonly events = new EventEmitter();
  readonly sent: SentCall[] = [];
  readonly created: { path: string; mime: string; filename?: string }[] = [];
  initializeCalls = 0;
  destroyCalls = 0;
  info: { wid: { user: string } } | undefined;
  /** What initialize() does; default: resolves (the test emits qr/ready itself). */
  initializeBehaviour: () => Promise<void> = async () => undefined;
  /** The next sendMessage calls throw these, in order. */
  readonly failures: Error[] = [];
  lidPhones = new Map<string, string>();
  private nextId = 1;

  on<E extends keyof WaEvents>(event: E, listener: (...args: WaEvents[E]) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  emit<E extends keyof WaEvents>(event: E, ...args: WaEvents[E]): void {
    this.events.emit(event, ...args);
  }
  initialize(): Promise<void> {
    this.initializeCalls++;
    return this.initializeBehaviour();
  }
  async destroy(): Promise<void> {
    this.destroyCalls++;
  }
  async sendMessage(chatId: string, content: string | WaMediaLike, options?: WaSendOptions) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push({ chatId, content, options });
    return { id: { _serialized: `true_${chatId}_SENT${this.nextId++}` } };
  }
  async createMedia(path: string, meta: { mime: string; filename?: string }): Promise<WaMediaLike> {
    this.created.push({ path, ...meta });
    return { mimetype: meta.mime, data: readFileSync(path).toString("base64"), filename: meta.filename ?? null };
  }
  async getContactLidAndPhone(ids: string[]) {
    return ids.map((lid) => ({ lid, pn: this.lidPhones.get(lid) }));
  }
  /** The phone scanned the QR code and WhatsApp Web loaded. */
  link(user = "6281190001234"): void {
    this.info = { wid: { user } };
    this.emit("authenticated");
    this.emit("ready");
  }
  /** What the citizen sees in this chat, in order (text or caption). */
  texts(chatId?: string): string[] {
    return this.sent
      .filter((s) => chatId === undefined || s.chatId === chatId)
      .map((s) => (typeof s.content === "string" ? s.content : (s.options?.caption ?? "")));
  }
}

/** Every client the adapter created, newest last. */
function fakeFactory() {
  const clients: FakeWaClient[] = [];
  const factoryCalls: { sessionDir: string; chromiumPath: string }[] = [];
  let prepare: (client: FakeWaClient) => void = () => undefined;
  return {
    clients,
    factoryCalls,
    latest: () => clients.at(-1)!,
    /** Configures each new client before the adapter initialises it. */
    onCreate(fn: (client: FakeWaClient) => void) {
      prepare = fn;
    },
    factory: (options: { sessionDir: string; chromiumPath: string }) => {
      factoryCalls.push(options);
      const client = new FakeWaClient();
      prepare(client);
      clients.push(client);
      return client;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Fixtures and helpers

type Fixture = Omit<WaMessageLike, "downloadMedia">;

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/whatsapp-web/${name}.json`, import.meta.url), "utf8")) as Fixture;
}

/** A fixture as a live Message: downloadMedia answers `media` (counting the calls). */
function message(name: string, media?: WaMediaLike | null, changes: Partial<Fixture> = {}) {
  const calls = { downloads: 0 };
  const m: WaMessageLike = {
    ...fixture(name),
    ...changes,
    async downloadMedia() {
      calls.downloads++;
      return media;
    },
  };
  return { message: m, calls };
}

async function until<T>(probe: () => T | undefined | false | null, what = "condition", timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kanal-wa-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function fakeLock(acquired = true) {
  const lock = {
    acquired: 0,
    released: 0,
    async acquire() {
      lock.acquired++;
      return acquired;
    },
    async release() {
      lock.released++;
    },
  };
  return lock;
}

interface Harness {
  adapter: WhatsAppWebAdapter;
  fake: ReturnType<typeof fakeFactory>;
  lock: ReturnType<typeof fakeLock>;
  logs: { msg: string; fields?: Record<string, unknown> }[];
  qrPrints: string[];
  received: InboundMessage[];
  loggedOut: number;
  sessionDir: string;
}

function harness(options: Partial<WhatsAppWebAdapterOptions> & { lockAcquired?: boolean } = {}): Harness {
  const fake = fakeFactory();
  const lock = fakeLock(options.lockAcquired ?? true);
  const sessionDir = options.sessionDir ?? tempDir();
  const h: Harness = {
    fake,
    lock,
    logs: [],
    qrPrints: [],
    received: [],
    loggedOut: 0,
    sessionDir,
    adapter: undefined as unknown as WhatsAppWebAdapter, // set just below
  };
  h.adapter = createWhatsAppWebAdapter({
    sessionDir,
    chromiumPath: "/usr/bin/chromium",
    maxAttachmentBytes: 64 * 1024,
    adminToken: "rahasia-operator",
    lock,
    onLoggedOut: async () => {
      h.loggedOut++;
    },
    log: (msg, fields) => void h.logs.push({ msg, fields }),
    clientFactory: fake.factory,
    printQr: (text) => void h.qrPrints.push(text),
    reconnectDelayMs: (attempt) => 20 * 2 ** attempt,
    sinkRetryDelaysMs: [10, 20],
    stopGraceMs: 500,
    ...options,
  });
  cleanups.push(() => h.adapter.stop());
  return h;
}

/** Started and linked: the client is ready. */
async function connected(options: Partial<WhatsAppWebAdapterOptions> = {}): Promise<Harness> {
  const h = harness(options);
  await h.adapter.start(async (m) => void h.received.push(m));
  await until(() => h.fake.clients.length === 1, "the client");
  h.fake.latest().link();
  expect(h.adapter.state()).toMatchObject({ state: "connected", phone: "+6281190001234" });
  return h;
}

/** The admin page's HTML: its body is always text. */
function html(page: { body?: unknown }): string {
  if (typeof page.body !== "string") throw new Error("the admin page answered without HTML");
  return page.body;
}

const CITIZEN = "6281234567890@c.us";

// ---------------------------------------------------------------------------------------------

describe("whatsapp-web: a citizen's messages", () => {
  it("normalises a text message with the sender's number and push name", async () => {
    const h = await connected();
    h.fake.latest().emit("message", message("text").message);
    const [m] = await until(() => h.received.length > 0 && h.received, "the message");
    expect(m).toMatchObject({
      channel: "whatsapp-web",
      providerMessageId: "false_6281234567890@c.us_3EB0C5A1B2C3D4E5F6A7",
      chatId: CITIZEN,
      sender: { id: CITIZEN, displayName: "Siti Rahayu", phone: "+6281234567890" },
      text: "Selamat pagi, saya mau mengadukan loket KTP yang tutup sejak jam 10",
      attachments: [],
    });
    expect(m!.receivedAt.toISOString()).toBe(new Date(1767236400 * 1000).toISOString());
    expect(JSON.parse(JSON.stringify(m!.raw))).toMatchObject({ id: m!.providerMessageId, type: "chat" });
  });

  it("takes an image with its caption and downloads it only when fetched", async () => {
    const h = await connected();
    const bytes = Buffer.alloc(48213, 7);
    const { message: m, calls } = message("image-with-caption", {
      mimetype: "image/jpeg",
      data: bytes.toString("base64"),
      filename: null,
      filesize: bytes.byteLength,
    });
    h.fake.latest().emit("message", m);
    const [inbound] = await until(() => h.received.length > 0 && h.received);
    expect(inbound!.text).toBe("Foto loket 3 yang kosong");
    expect(inbound!.attachments).toHaveLength(1);
    const photo = inbound!.attachments[0]!;
    expect(photo).toMatchObject({ kind: "image", mime: "image/jpeg", size: 48213, filename: "photo-3EB0AA11BB22CC33DD44.jpg" });
    expect(calls.downloads).toBe(0); // lazy
    expect(Buffer.from(await photo.fetch()).equals(bytes)).toBe(true);
    expect(calls.downloads).toBe(1);
  });

  it("takes a document with its file name, and a voice note as audio", async () => {
    const h = await connected();
    const pdf = Buffer.from("%PDF-1.4 kuitansi");
    h.fake.latest().emit(
      "message",
      message("document", {
        mimetype: "application/pdf",
        data: pdf.toString("base64"),
        filename: "kuitansi-pungutan.pdf",
        filesize: pdf.byteLength,
      }).message,
    );
    const voice = Buffer.from("OggS voice");
    h.fake.latest().emit("message", message("voice-note", { mimetype: "audio/ogg; codecs=opus", data: voice.toString("base64") }).message);
    await until(() => h.received.length === 2, "both messages");
    const [doc, ptt] = h.received;
    expect(doc!.text).toBeUndefined();
    expect(doc).toMatchObject({
      attachments: [{ kind: "document", mime: "application/pdf", filename: "kuitansi-pungutan.pdf", size: 2048 }],
    });
    expect(Buffer.from(await doc!.attachments[0]!.fetch()).toString()).toBe("%PDF-1.4 kuitansi");
    expect(ptt).toMatchObject({
      attachments: [{ kind: "audio", mime: "audio/ogg; codecs=opus", filename: "voice-3A1F2E3D4C5B6A798877.ogg" }],
    });
    expect(ptt!.text).toBeUndefined();
  });

  it("takes a location as a GeoJSON point, never its thumbnail as text", async () => {
    const h = await connected();
    h.fake.latest().emit("message", message("location").message);
    const [m] = await until(() => h.received.length > 0 && h.received);
    expect(m!.text).toBeUndefined();
    const [location] = m!.attachments;
    expect(location).toMatchObject({ kind: "location", mime: "application/geo+json" });
    expect(JSON.parse(Buffer.from(await location!.fetch()).toString("utf8"))).toEqual({
      type: "Feature",
      geometry: { type: "Point", coordinates: [110.8254, -7.5601] },
      properties: { title: "Kantor Kecamatan Jebres", address: "Jl. Kolonel Sutarto No. 2, Surakarta" },
    });
  });

  it("ignores group messages, status broadcasts and the bot's own messages", async () => {
    const h = await connected();
    for (const name of ["group-message", "status-broadcast", "own-message"]) h.fake.latest().emit("message", message(name).message);
    h.fake.latest().emit("message", message("text").message); // a marker: everything before it was handled
    await until(() => h.received.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(h.received.map((m) => m.providerMessageId)).toEqual(["false_6281234567890@c.us_3EB0C5A1B2C3D4E5F6A7"]);
  });

  it("gives a sticker as an empty text, so the flow asks its question again", async () => {
    const h = await connected();
    h.fake.latest().emit("message", message("sticker", null).message);
    const [m] = await until(() => h.received.length > 0 && h.received);
    expect(m).toMatchObject({ text: "", attachments: [] });
  });

  it("maps a privacy id (@lid) to the number when WhatsApp Web knows it", async () => {
    const h = await connected();
    h.fake.latest().lidPhones.set("204781234567890@lid", "6285712345678@c.us");
    h.fake.latest().emit("message", message("lid-text").message);
    const [m] = await until(() => h.received.length > 0 && h.received);
    expect(m).toMatchObject({
      chatId: "204781234567890@lid",
      sender: { id: "204781234567890@lid", displayName: "Budi", phone: "+6285712345678" },
    });
  });

  it("refuses a file over the limit by its declared size, without downloading it", async () => {
    const h = await connected({ maxAttachmentBytes: 1000 });
    const { message: m, calls } = message("image-with-caption", { mimetype: "image/jpeg", data: "AAAA" });
    h.fake.latest().emit("message", m);
    const [inbound] = await until(() => h.received.length > 0 && h.received);
    await expect(inbound!.attachments[0]!.fetch()).rejects.toMatchObject({ code: "KA_TOO_LARGE" });
    expect(calls.downloads).toBe(0);
  });

  it("refuses a file over the limit by its decoded size when none was declared", async () => {
    const h = await connected({ maxAttachmentBytes: 1000 });
    const big = Buffer.alloc(1500, 1).toString("base64");
    const { message: m } = message(
      "document",
      { mimetype: "application/pdf", data: big, filename: "besar.pdf" },
      { _data: { notifyName: "Siti", mimetype: "application/pdf", filename: "besar.pdf" } },
    );
    h.fake.latest().emit("message", m);
    const [inbound] = await until(() => h.received.length > 0 && h.received);
    const error = await inbound!.attachments[0]!.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KanalError);
    expect((error as KanalError).code).toBe("KA_TOO_LARGE");
  });

  it("says so when WhatsApp no longer has the file", async () => {
    const h = await connected();
    h.fake.latest().emit("message", message("document", undefined).message);
    const [inbound] = await until(() => h.received.length > 0 && h.received);
    await expect(inbound!.attachments[0]!.fetch()).rejects.toMatchObject({ code: "KA_NOT_FOUND" });
  });

  it("hands one chat's messages over in order, one at a time, retrying a failed one", async () => {
    const h = harness();
    const seen: string[] = [];
    let running = 0;
    let failOnce = true;
    await h.adapter.start(async (m) => {
      running++;
      expect(running).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (m.text === "satu" && failOnce) {
        failOnce = false;
        throw new Error("database briefly away");
      }
      seen.push(m.text!);
    });
    h.fake.latest().link();
    for (const [i, text] of ["satu", "dua", "tiga"].entries()) {
      h.fake
        .latest()
        .emit("message", message("text", undefined, { body: text, id: { _serialized: `false_${CITIZEN}_ORDER${i}` } }).message);
    }
    await until(() => seen.length === 3, "three messages");
    expect(seen).toEqual(["satu", "dua", "tiga"]);
    expect(h.logs.some((l) => l.msg.includes("trying again"))).toBe(true);
  });
});

describe("whatsapp-web: replies", () => {
  const tiny = (dir: string, name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it("sends text as it is (*bold* is WhatsApp's own markup) and returns the message id", async () => {
    const h = await connected();
    const result = await h.adapter.send(CITIZEN, { text: "Aduan *ADU-2026-00042* kami terima." });
    expect(result).toEqual({ ok: true, providerMessageId: `true_${CITIZEN}_SENT1` });
    expect(h.fake.latest().sent[0]).toMatchObject({ chatId: CITIZEN, content: "Aduan *ADU-2026-00042* kami terima." });
  });

  it("lists options as lines: numbered labels as they are, others with a bullet, none repeated from the text", async () => {
    const h = await connected();
    await h.adapter.send(CITIZEN, {
      text: "Silakan pilih:\n1. Buat aduan baru\n2. Cek status aduan\n3. Minta informasi",
      options: ["1. Buat aduan baru", "2. Cek status aduan", "3. Minta informasi"],
    });
    await h.adapter.send(CITIZEN, { text: "Kirim aduan ini?", options: ["Ya, kirim", "Tidak, ubah", "Batal"] });
    await h.adapter.send(CITIZEN, { text: "Kategori?", options: ["1. Perilaku Pegawai", "2. Pelayanan"] });
    expect(h.fake.latest().texts()).toEqual([
      "Silakan pilih:\n1. Buat aduan baru\n2. Cek status aduan\n3. Minta informasi",
      "Kirim aduan ini?\n\n• Ya, kirim\n• Tidak, ubah\n• Batal",
      "Kategori?\n\n1. Perilaku Pegawai\n2. Pelayanan",
    ]);
  });

  it("sends a photo with the text as caption and a PDF as a document", async () => {
    const h = await connected();
    const dir = tempDir();
    const photo = tiny(dir, "bukti.jpg", "jpeg-bytes");
    const pdf = tiny(dir, "surat.pdf", "%PDF");
    const result = await h.adapter.send(CITIZEN, {
      text: "Balasan petugas untuk ADU-2026-00042",
      attachments: [
        { kind: "image", mime: "image/jpeg", path: photo, filename: "bukti.jpg" },
        { kind: "document", mime: "application/pdf", path: pdf, filename: "surat.pdf" },
      ],
    });
    expect(result.ok).toBe(true);
    const [first, second] = h.fake.latest().sent;
    expect(first).toMatchObject({ chatId: CITIZEN, options: { caption: "Balasan petugas untuk ADU-2026-00042" } });
    expect(first!.options?.sendMediaAsDocument).toBeUndefined();
    expect(second!.options).toMatchObject({ sendMediaAsDocument: true });
    expect(second!.options?.caption).toBeUndefined();
    expect(h.fake.latest().created).toEqual([
      { path: photo, mime: "image/jpeg", filename: "bukti.jpg" },
      { path: pdf, mime: "application/pdf", filename: "surat.pdf" },
    ]);
  });

  it("sends a long text first and the files after it when it does not fit in a caption", async () => {
    const h = await connected();
    const photo = tiny(tempDir(), "bukti.png", "png");
    const text = "Penjelasan panjang. ".repeat(80).trim();
    await h.adapter.send(CITIZEN, { text, attachments: [{ kind: "image", mime: "image/png", path: photo }] });
    const [first, second] = h.fake.latest().sent;
    expect(first!.content).toBe(text);
    expect(typeof second!.content).not.toBe("string");
    expect(second!.options?.caption).toBeUndefined();
  });

  it("resumes a split message after a partial failure without sending the first part twice", async () => {
    const h = await connected();
    const text = "Pelayanan di loket tiga sangat lambat. ".repeat(260).trim();
    const client = h.fake.latest();
    const realSend = client.sendMessage.bind(client);
    let calls = 0;
    client.sendMessage = async (...args) => {
      if (++calls === 2) throw new Error("Protocol error (Runtime.callFunctionOn): Target closed.");
      return realSend(...args);
    };
    const first = await h.adapter.send(CITIZEN, { text });
    expect(first).toMatchObject({ ok: false, retryable: true });
    // The page went away: the adapter restarts the client; once linked again the retry resumes.
    await until(() => h.fake.clients.length === 2, "a new client");
    h.fake.latest().link();
    const second = await h.adapter.send(CITIZEN, { text });
    expect(second.ok).toBe(true);
    const parts = [...client.texts(), ...h.fake.latest().texts()];
    expect(parts.join(" ")).toBe(text);
  });

  it("classifies refusals: unknown numbers for good, a closed page for a retry", async () => {
    const h = await connected();
    h.fake.latest().failures.push(new Error("No LID for user"));
    expect(await h.adapter.send("6280000000000@c.us", { text: "halo" })).toMatchObject({ ok: false, retryable: false });
    h.fake.latest().failures.push(new Error("invalid wid"));
    expect(await h.adapter.send("abc", { text: "halo" })).toMatchObject({
      ok: false,
      retryable: false,
      reason: containing("invalid wid"),
    });
    h.fake.latest().failures.push(new Error("Evaluation failed: something odd"));
    expect(await h.adapter.send(CITIZEN, { text: "halo" })).toMatchObject({ ok: false, retryable: true });
    const missing = await h.adapter.send(CITIZEN, {
      text: "x",
      attachments: [{ kind: "document", mime: "application/pdf", path: "/nonexistent/file.pdf" }],
    });
    expect(missing).toMatchObject({ ok: false });
  });

  it("refuses to send while not linked, as retryable, waiting for a person to scan", async () => {
    const h = harness();
    await h.adapter.start(async () => undefined);
    h.fake.latest().emit("qr", "2@qr-code-ref,abc,def,ghi");
    const result = await h.adapter.send(CITIZEN, { text: "halo" });
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 600_000 });
    expect(h.fake.latest().sent).toHaveLength(0);
  });
});

describe("whatsapp-web: staying up", () => {
  it("reconnects with backoff after a disconnect, destroying the old client first", async () => {
    const h = await connected({ reconnectDelayMs: (attempt) => [30, 60, 120][attempt] ?? 120 });
    const first = h.fake.latest();
    const t0 = Date.now();
    first.emit("disconnected", "CONFLICT");
    await until(() => first.destroyCalls === 1, "the old client destroyed");
    expect(h.adapter.state()).toMatchObject({ state: "disconnected", reason: "CONFLICT" });
    expect(h.adapter.state().nextAttemptAt).toBeDefined();
    // While down, a send waits for the reconnection.
    const refused = await h.adapter.send(CITIZEN, { text: "halo" });
    expect(refused).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1000 });
    await until(() => h.fake.clients.length === 2, "the second client");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(h.fake.latest().initializeCalls).toBe(1);
    // A second disconnect before "ready" waits longer.
    const t1 = Date.now();
    h.fake.latest().emit("disconnected", "TIMEOUT");
    await until(() => h.fake.clients.length === 3, "the third client");
    expect(Date.now() - t1).toBeGreaterThanOrEqual(55);
    // Once ready, the backoff starts over.
    h.fake.latest().link();
    const t2 = Date.now();
    h.fake.latest().emit("disconnected", "NAVIGATION");
    await until(() => h.fake.clients.length === 4, "the fourth client");
    expect(Date.now() - t2).toBeLessThan(55);
    expect(h.fake.clients.slice(0, 3).every((c) => c.destroyCalls >= 1)).toBe(true);
    expect(h.loggedOut).toBe(0);
  });

  it("restarts a client whose browser failed to start, after destroying it", async () => {
    const h = harness();
    h.fake.onCreate((client) => {
      if (h.fake.clients.length === 0)
        client.initializeBehaviour = async () => Promise.reject(new Error("net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/"));
    });
    await h.adapter.start(async () => undefined);
    await until(() => h.fake.clients.length === 2, "the restart");
    expect(h.fake.clients[0]!.destroyCalls).toBe(1);
    expect(h.logs.find((l) => l.msg.includes("reconnecting"))?.fields?.reason).toMatch(/ERR_NAME_NOT_RESOLVED/);
  });

  it("on LOGOUT tells staff, clears the session and offers a new QR code without a restart", async () => {
    const h = await connected();
    mkdirSync(sessionPath(h.sessionDir), { recursive: true });
    writeFileSync(join(sessionPath(h.sessionDir), "Local State"), "{}");
    const first = h.fake.latest();
    first.emit("disconnected", "LOGOUT");
    expect(h.adapter.state().state).toBe("logged-out");
    await until(() => h.fake.clients.length === 2, "a new client");
    expect(first.destroyCalls).toBe(1);
    expect(h.loggedOut).toBe(1);
    expect(existsSync(sessionPath(h.sessionDir))).toBe(false);
    h.fake.latest().emit("qr", "2@fresh-qr-ref,key1,key2,key3");
    expect(h.adapter.state().state).toBe("waiting-for-scan");
    const page = await h.adapter.adminPage.render({ logoutAction: "/admin/whatsapp/logout" });
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-state="waiting-for-scan"');
    expect(page.body).toMatch(/<img class="qr" [^>]*src="data:image\/png;base64,[A-Za-z0-9+/=]{100,}"/);
    await until(() => h.qrPrints.length > 0, "the terminal QR");
    expect(h.qrPrints[0]).toContain("scan this QR code");
    // Linked again: the number shows, and the next logout is told again.
    h.fake.latest().link("6281190009999");
    expect(h.adapter.state()).toMatchObject({ state: "connected", phone: "+6281190009999" });
  });

  it("tells staff once when a QR code appears for a session that had been linked (lost without LOGOUT)", async () => {
    const h = await connected();
    await until(() => existsSync(join(h.sessionDir, "linked.json")), "the linked marker");
    h.fake.latest().emit("disconnected", "UNPAIRED");
    await until(() => h.fake.clients.length === 2);
    h.fake.latest().emit("qr", "2@qr1,a,b,c");
    h.fake.latest().emit("qr", "2@qr2,a,b,c");
    await until(() => h.loggedOut === 1, "the notice");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.loggedOut).toBe(1);
  });

  it("treats auth_failure like a logout", async () => {
    const h = harness();
    await h.adapter.start(async () => undefined);
    h.fake.latest().emit("auth_failure", "Unable to log in. Are the session details valid?");
    await until(() => h.fake.clients.length === 2);
    expect(h.loggedOut).toBe(1);
  });

  it("leaves WhatsApp Web off, with a log line, when another instance holds the session", async () => {
    const h = harness({ lockAcquired: false });
    await h.adapter.start(async () => undefined);
    expect(h.fake.clients).toHaveLength(0);
    expect(h.logs.map((l) => l.msg)).toContain(
      "whatsapp-web: another instance holds the WhatsApp Web session; WhatsApp Web stays off in this process",
    );
    expect(h.adapter.state().state).toBe("locked");
    const page = await h.adapter.adminPage.render({ logoutAction: "/admin/whatsapp/logout" });
    expect(page.body).toContain("instance lain");
    expect(await h.adapter.send(CITIZEN, { text: "halo" })).toMatchObject({ ok: false, retryable: true });
    await h.adapter.stop();
    expect(h.lock.released).toBe(0);
  });

  it("stop() destroys the client and releases the lock, even after a failed start", async () => {
    const h = harness({ reconnectDelayMs: () => 60_000 });
    h.fake.onCreate((client) => {
      client.initializeBehaviour = () => Promise.reject(new Error("Failed to launch the browser process!"));
    });
    await h.adapter.start(async () => undefined);
    await until(() => h.fake.latest().destroyCalls === 1, "the destroy after the failure");
    await h.adapter.stop();
    expect(h.fake.clients).toHaveLength(1);
    expect(h.lock.released).toBe(1);
    expect(h.adapter.state().state).toBe("stopped");
  });

  it("stop() destroys a client still starting and never starts another", async () => {
    const h = harness();
    h.fake.onCreate((client) => {
      client.initializeBehaviour = () => new Promise(() => undefined); // the browser hangs
    });
    await h.adapter.start(async () => undefined);
    await until(() => h.fake.clients.length === 1);
    await h.adapter.stop();
    expect(h.fake.latest().destroyCalls).toBe(1);
    h.fake.latest().emit("disconnected", "CONFLICT"); // late events of a stopped client change nothing
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.fake.clients).toHaveLength(1);
    expect(h.lock.released).toBe(1);
  });

  it("passes the session dir and chromium path to the client factory", async () => {
    const h = harness({ chromiumPath: "/opt/chromium/chrome" });
    await h.adapter.start(async () => undefined);
    expect(h.fake.factoryCalls).toEqual([{ sessionDir: h.sessionDir, chromiumPath: "/opt/chromium/chrome" }]);
  });
});

describe("whatsapp-web: the admin page", () => {
  it("does not exist when no admin token is configured, and then accepts no token at all", async () => {
    const h = harness({ adminToken: undefined });
    expect(h.adapter.adminPage.enabled).toBe(false);
    expect(h.adapter.adminPage.checkSecret("anything")).toBe(false);
    expect(h.adapter.adminPage.checkSecret("")).toBe(false);
    expect(h.adapter.adminPage.sessionKey()).toBeUndefined();
  });

  it("accepts only the exact token, and signs sessions with a key that is not the token", async () => {
    const h = harness();
    const page = h.adapter.adminPage;
    expect(page.enabled).toBe(true);
    for (const wrong of ["", "rahasia-operatoR", "r", "rahasia-operator ", "rahasia-operator\u0000"])
      expect(page.checkSecret(wrong)).toBe(false);
    expect(page.checkSecret("rahasia-operator")).toBe(true);
    const key = page.sessionKey()!;
    expect(key.byteLength).toBe(32);
    expect(key.toString("utf8")).not.toContain("rahasia");
    expect(harness({ adminToken: "another-token-0123456789" }).adapter.adminPage.sessionKey()!.equals(key)).toBe(false);
  });

  it("offers a sign-in form that posts the token (never a URL parameter) and says when it was wrong", () => {
    const h = harness();
    const form = h.adapter.adminPage.loginForm({ action: "/admin/whatsapp/login", failed: false });
    expect(form.status).toBe(401);
    expect(form.body).toMatch(/<form method="post" action="\/admin\/whatsapp\/login">/);
    expect(form.body).toMatch(/<input id="token" name="token" type="password"/);
    expect(form.body).not.toMatch(/role="alert"/);
    expect(h.adapter.adminPage.loginForm({ action: "/admin/whatsapp/login", failed: true }).body).toMatch(/role="alert">Token salah/);
    expect(form.headers?.["content-security-policy"]).toMatch(/form-action 'self'/);
  });

  it("shows the state, refreshes itself every 5 seconds and is never cached", async () => {
    const h = harness();
    await h.adapter.start(async () => undefined);
    let page = await h.adapter.adminPage.render({ logoutAction: "/admin/whatsapp/logout" });
    expect(page.status).toBe(200);
    expect(page.headers).toMatchObject({ "cache-control": "no-store" });
    expect(page.body).toContain('<form method="post" action="/admin/whatsapp/logout">');
    expect(page.body).toContain('<meta http-equiv="refresh" content="5">');
    expect(page.body).toContain('data-state="starting"');
    h.fake.latest().emit("qr", "2@first,a,b,c");
    page = await h.adapter.adminPage.render({ logoutAction: "/admin/whatsapp/logout" });
    const firstQr = /src="(data:image\/png;base64,[^"]+)"/.exec(html(page))?.[1];
    expect(firstQr).toBeDefined();
    h.fake.latest().emit("qr", "2@second,a,b,c");
    page = await h.adapter.adminPage.render({ logoutAction: "/admin/whatsapp/logout" });
    expect(html(page)).not.toContain(firstQr!);
    h.fake.latest().link();
    page = await h.adapter.adminPage.render({ logoutAction: "/admin/whatsapp/logout" });
    expect(page.body).toContain("Terhubung sebagai <strong>+6281190001234</strong>");
    expect(page.body).not.toContain("data:image/png");
    h.fake.latest().emit("disconnected", "CONFLICT");
    page = await h.adapter.adminPage.render({ logoutAction: "/admin/whatsapp/logout" });
    expect(page.body).toContain('data-state="disconnected"');
    expect(page.body).toContain("<code>CONFLICT</code>");
  });

  it("escapes what it shows", async () => {
    const h = harness();
    await h.adapter.start(async () => undefined);
    h.fake.latest().emit("disconnected", "<script>alert(1)</script>");
    const page = await h.adapter.adminPage.render({ logoutAction: "/admin/whatsapp/logout" });
    expect(page.body).not.toContain("<script>");
    expect(page.body).toContain("&lt;script&gt;");
  });

  it("keeps the QR code out of state() (/health)", async () => {
    const h = harness();
    await h.adapter.start(async () => undefined);
    h.fake.latest().emit("qr", "2@secret-ref,a,b,c");
    expect(JSON.stringify(h.adapter.state())).not.toContain("secret-ref");
    expect(h.adapter.state().state).toBe("waiting-for-scan");
  });
});

// ---------------------------------------------------------------------------------------------
// The shared contract. WhatsApp Web has no rate-limit answer: its transient refusal is a link that
// went down, and the wait it names is the time until the reconnection — the "rate limit" of the
// contract is an outage of that many seconds. Its permanent refusal is a number WhatsApp cannot
// reach. WhatsApp Web never delivers a message twice: the redelivery is the adapter's own retry.

describeChannelAdapter("whatsapp-web", async () => {
  let outageMs = 2000;
  let counter = 0;
  const fake = fakeFactory();
  const sessionDir = mkdtempSync(join(tmpdir(), "kanal-wa-contract-"));
  const adapter = createWhatsAppWebAdapter({
    sessionDir,
    chromiumPath: "/usr/bin/chromium",
    maxAttachmentBytes: 1024 * 1024,
    lock: fakeLock(true),
    clientFactory: fake.factory,
    printQr: () => undefined,
    reconnectDelayMs: () => outageMs,
    sinkRetryDelaysMs: [20, 50, 100],
    stopGraceMs: 500,
  });
  // Every client links as soon as it starts (the QR code was scanned long ago).
  fake.onCreate((client) => {
    client.initializeBehaviour = async () => client.link();
  });
  return {
    adapter,
    remote: {
      chatId: CITIZEN,
      async deliverText(text) {
        fake.latest().emit(
          "message",
          message("text", undefined, {
            body: text,
            id: { _serialized: `false_${CITIZEN}_CONTRACT${++counter}` },
            timestamp: Math.floor(Date.now() / 1000),
          }).message,
        );
      },
      refuseNextSend(kind: "rateLimit" | "permanent", retryAfterSeconds?: number) {
        if (kind === "rateLimit") {
          outageMs = (retryAfterSeconds ?? 2) * 1000;
          fake.latest().emit("disconnected", "CONFLICT");
        } else {
          fake.latest().failures.push(new Error("No LID for user"));
        }
      },
      sentTexts: () => fake.clients.flatMap((c) => c.texts(CITIZEN)),
      async close() {
        rmSync(sessionDir, { recursive: true, force: true });
      },
    },
  };
});
