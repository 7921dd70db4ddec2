/**
 * A WhatsApp complaint end to end below src/main/: the Meta webhook → the real pipeline (SQLite) →
 * the outbox worker → the WhatsApp adapter → the fake Graph API, with delivery statuses written back
 * to the outbox rows. The citizen answers the category from an interactive list and confirms with a
 * reply button, as on a phone.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMetaChannels, type MetaChannels } from "../../channels/meta/index.js";
import { createOutboxWorker, recordDeliveryStatus, type OutboxWorker } from "../../src/outbox/index.js";
import { createTestPipeline, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { signedRequest, startFakeGraph, type FakeGraph, type SentMessage } from "../fakes/meta-graph.js";

const APP_SECRET = "e2e-app-secret";
const CITIZEN = "6281377788899";

let graph: FakeGraph | undefined;
let t: TestPipeline | undefined;
let worker: OutboxWorker | undefined;
let meta: MetaChannels | undefined;
afterEach(async () => {
  for (const adapter of meta?.adapters ?? []) await adapter.stop();
  await worker?.stop();
  await t?.close();
  await graph?.close();
  graph = t = worker = meta = undefined;
});

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let counter = 0;
const seconds = () => String(Math.floor(Date.now() / 1000));

function envelope(value: Record<string, unknown>) {
  return { object: "whatsapp_business_account", entry: [{ id: "102290129340398", changes: [{ field: "messages", value }] }] };
}

function citizenMessage(graphFake: FakeGraph, message: Record<string, unknown>, id = `wamid.E2E${++counter}`) {
  return envelope({
    messaging_product: "whatsapp",
    metadata: { display_phone_number: "6281190001234", phone_number_id: graphFake.phoneNumberId },
    contacts: [{ profile: { name: "Budi Santoso" }, wa_id: CITIZEN }],
    messages: [{ from: CITIZEN, id, timestamp: seconds(), ...message }],
  });
}

describe("WhatsApp Cloud end to end", () => {
  it("files a complaint through lists and buttons, once per message, despite a Graph 500, and records statuses", async () => {
    graph = await startFakeGraph();
    const fake = graph;
    meta = createMetaChannels({
      appSecret: APP_SECRET,
      verifyToken: "verify",
      graphApiBase: fake.url,
      whatsapp: { token: fake.whatsappToken, phoneNumberId: fake.phoneNumberId },
      maxAttachmentBytes: 1024 * 1024,
      onStatus: async (update) => {
        await recordDeliveryStatus(t!.db, "whatsapp-cloud", update);
      },
    });
    const wa = meta.adapters[0]!;
    t = await createTestPipeline({ limits: { "whatsapp-cloud": wa.limits }, overrides: { onOutboxRows: () => worker?.notify() } });
    const pipeline = t.pipeline;
    const db = t.db;
    worker = createOutboxWorker({
      db,
      adapters: new Map([["whatsapp-cloud", wa]]),
      options: { pollIntervalMs: 20, baseDelayMs: 10, maxDelayMs: 50 },
      log: () => undefined,
    });
    await wa.start((m) => pipeline.receive(m));
    worker.start();

    const post = async (payload: unknown) => (await meta!.webhook.handle(signedRequest(APP_SECRET, payload))).status;
    /** Waits until every outbox row is sent, and returns what the citizen received since `from`. */
    const settle = async (from: number): Promise<SentMessage[]> => {
      await until(async () => {
        const rows = await db.prisma.outboxMessage.findMany({ select: { status: true } });
        return rows.length > 0 && rows.every((r) => r.status === "sent");
      }, "all outbox rows sent");
      return fake.sent(CITIZEN).slice(from);
    };
    const say = async (text: string) => {
      const from = fake.sent(CITIZEN).length;
      expect(await post(citizenMessage(fake, { type: "text", text: { body: text } }))).toBe(200);
      return settle(from);
    };
    const tap = async (kind: "button_reply" | "list_reply", title: string) => {
      const from = fake.sent(CITIZEN).length;
      const reply = kind === "button_reply" ? { button_reply: { id: "opt-1", title } } : { list_reply: { id: "opt-2", title } };
      expect(await post(citizenMessage(fake, { type: "interactive", interactive: { type: kind, ...reply } }))).toBe(200);
      return settle(from);
    };

    // The first send meets a Graph 500: the outbox retries it.
    fake.inject("/messages", 500, { message: "An unknown error occurred", code: 1, is_transient: true });
    const greeting = await say("halo");
    const menu = greeting.at(-1)!;
    expect(menu.payload).toMatchObject({ type: "interactive", interactive: { type: "button" } });
    // One step, one message: the greeting is the body above the menu's buttons.
    expect(greeting).toHaveLength(1);
    expect(menu.text).toMatch(/^Selamat datang[^]*\n\nSilakan pilih layanan/);
    expect(fake.calls.filter((c) => c.path.endsWith("/messages")).length).toBe(greeting.length + 1);

    // The menu's first button, then a name; the phone is never asked: WhatsApp proved it.
    const asked: SentMessage[] = [...(await tap("button_reply", menu.options![0]!))];
    asked.push(...(await say("anonim")));
    let question = asked.at(-1)!;
    expect(question.payload).toMatchObject({ type: "interactive", interactive: { type: "list" } });
    expect(question.options).toHaveLength(4);

    // The category from the list, the text (delivered twice by Meta: handled once), no evidence.
    asked.push(...(await tap("list_reply", question.options![1]!)));
    const text = citizenMessage(fake, { type: "text", text: { body: "Petugas loket meminta biaya tambahan untuk mempercepat KTP" } });
    const from = fake.sent(CITIZEN).length;
    expect(await post(text)).toBe(200);
    const afterText = await settle(from);
    const rows = await db.prisma.outboxMessage.count();
    expect(await post(text)).toBe(200); // Meta's redelivery of the same wamid
    await new Promise((r) => setTimeout(r, 100));
    expect(await db.prisma.outboxMessage.count()).toBe(rows);
    asked.push(...afterText);
    asked.push(...(await say("lewati")));
    question = asked.at(-1)!;
    expect(question.payload).toMatchObject({ type: "interactive", interactive: { type: "button" } });

    // Confirm with the first reply button: the answer holds the ticket.
    const done = await tap("button_reply", question.options![0]!);
    expect(done.map((m) => m.text).join("\n")).toMatch(TICKET);
    expect(asked.every((m) => !/telepon|nomor hp|phone/i.test(m.text ?? ""))).toBe(true);

    // Delivery receipts update the outbox row of the message they concern.
    const last = done.at(-1)!;
    const status = envelope({
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "6281190001234", phone_number_id: fake.phoneNumberId },
      statuses: [{ id: last.id, status: "read", timestamp: seconds(), recipient_id: CITIZEN }],
    });
    expect(await post(status)).toBe(200);
    const row = await db.prisma.outboxMessage.findFirstOrThrow({ where: { providerMessageId: last.id } });
    expect(row.deliveryStatus).toBe("read");
  });
});
