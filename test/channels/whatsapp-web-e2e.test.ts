/**
 * WhatsApp Web below src/main/: the adapter with a fake whatsapp-web.js client (no browser), the
 * pipeline on a fresh SQLite database and the outbox worker. A citizen files a complaint from their
 * WhatsApp number and gets the ticket; a staff reply reaches them — after the link dropped and came
 * back, which the outbox waits out.
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createWhatsAppWebAdapter,
  WHATSAPP_WEB_LIMITS,
  type WaClientLike,
  type WaEvents,
  type WaMediaLike,
  type WhatsAppWebAdapter,
} from "../../channels/whatsapp-web/index.js";
import type { ChannelAdapter, ChannelName } from "../../src/core/index.js";
import { createOutboxWorker, type OutboxWorker } from "../../src/outbox/index.js";
import { ANONYMOUS_INTAKE, createTestPipeline, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { firstOutboxSaying } from "../helpers/outbox.js";

const CITIZEN = "6281234567890@c.us";

/** Just enough of a linked WhatsApp Web client: it links on initialize and records sends. */
class LinkedClient implements WaClientLike {
  readonly events = new EventEmitter();
  readonly sent: string[] = [];
  info = { wid: { user: "6281190001234" } };
  on<E extends keyof WaEvents>(event: E, listener: (...args: WaEvents[E]) => void) {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  emit<E extends keyof WaEvents>(event: E, ...args: WaEvents[E]) {
    this.events.emit(event, ...args);
  }
  async initialize() {
    this.emit("authenticated");
    this.emit("ready");
  }
  async destroy() {}
  async sendMessage(_chatId: string, content: string | WaMediaLike) {
    this.sent.push(typeof content === "string" ? content : "[media]");
    return { id: { _serialized: `true_${CITIZEN}_${this.sent.length}` } };
  }
  async createMedia(): Promise<WaMediaLike> {
    return { mimetype: "application/octet-stream", data: "" };
  }
}

let t: TestPipeline;
let adapter: WhatsAppWebAdapter;
let worker: OutboxWorker;
let sessionDir: string;
const clients: LinkedClient[] = [];
let counter = 0;
const toCitizen = () => clients.flatMap((c) => c.sent);

beforeAll(async () => {
  sessionDir = mkdtempSync(join(tmpdir(), "kanal-wa-e2e-"));
  t = await createTestPipeline({ limits: { "whatsapp-web": WHATSAPP_WEB_LIMITS }, overrides: { onOutboxRows: () => worker?.notify() } });
  adapter = createWhatsAppWebAdapter({
    sessionDir,
    chromiumPath: "/usr/bin/chromium",
    maxAttachmentBytes: 1024 * 1024,
    lock: { acquire: async () => true, release: async () => undefined },
    clientFactory: () => {
      const client = new LinkedClient();
      clients.push(client);
      return client;
    },
    printQr: () => undefined,
    reconnectDelayMs: () => 1000,
  });
  worker = createOutboxWorker({
    db: t.db,
    adapters: new Map<ChannelName, ChannelAdapter>([["whatsapp-web", adapter]]),
    options: { pollIntervalMs: 50, baseDelayMs: 10 },
    log: () => undefined,
  });
  worker.start();
  await adapter.start((inbound) => t.pipeline.receive(inbound));
});

afterAll(async () => {
  await adapter?.stop();
  await worker?.stop();
  await t?.close();
  rmSync(sessionDir, { recursive: true, force: true });
});

function citizenSays(text: string) {
  clients.at(-1)!.emit("message", {
    id: { _serialized: `false_${CITIZEN}_E2E${++counter}` },
    from: CITIZEN,
    body: text,
    type: "chat",
    timestamp: Math.floor(Date.now() / 1000),
    hasMedia: false,
    fromMe: false,
    isStatus: false,
    _data: { notifyName: "Siti" },
    downloadMedia: async () => undefined,
  });
}

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("WhatsApp Web end to end (pipeline and outbox)", () => {
  let ticket: string;

  it("a citizen files a complaint from their number and gets the ticket", async () => {
    for (const text of ["halo", ...ANONYMOUS_INTAKE]) citizenSays(text);
    const receipt = await until(() => toCitizen().find((text) => TICKET.test(text)), "the receipt", 60_000);
    ticket = TICKET.exec(receipt)![0];
    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    expect(complaint.channel).toBe("whatsapp-web");
    // One step, one message: the greeting and the menu arrived together.
    expect(toCitizen()[0]).toMatch(/^Selamat datang[^]*\n\nSilakan pilih layanan[^]*1\. Buat aduan baru/);
  }, 90_000);

  it("an office message sent while the link is down arrives once it is back", async () => {
    clients.at(-1)!.emit("disconnected", "CONFLICT");
    const before = toCitizen().length;
    await t.pipeline.speak("whatsapp-web", CITIZEN, {
      author: "staff",
      run: (state) => ({
        state,
        replies: [{ key: "staff.relay", vars: { ticket, text: "Petugas loket sudah kami tegur.", files: 0 } }],
        effects: [],
      }),
    });
    const relayed = await until(
      () =>
        toCitizen()
          .slice(before)
          .find((text) => text.includes("sudah kami tegur")),
      "the relay",
      20_000,
    );
    expect(relayed).toContain(ticket);
    expect(clients.length).toBe(2);
    const row = await firstOutboxSaying(t.db, { channel: "whatsapp-web" }, "sudah kami tegur");
    expect(row.status).toBe("sent");
  }, 30_000);
});
