/**
 * One Meta webhook body with messages whose content PostgreSQL refuses, through the whole app (npm
 * start's wiring) on SQLite and, under test:pg, PostgreSQL: the body is answered 200, every message
 * is either stored (cleaned) or recorded as failed on its own — shown on /metrics and to staff,
 * without its text or sender — and the good messages of the body go on.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";
import { onPostgres } from "../helpers/database.js";
import { metaJson, signatureOf, startFakeGraph, whatsappTextWebhook, type FakeGraph, type WhatsAppText } from "../fakes/meta-graph.js";
import { startFakeBotApi, type FakeBotApi } from "../fakes/telegram-bot-api.js";

const SECRET = "app-secret-for-tests";
const OPS = "-1001555000222";
let graph: FakeGraph;
let telegram: FakeBotApi;
let app: TestApp;

beforeAll(async () => {
  graph = await startFakeGraph();
  telegram = await startFakeBotApi();
  app = await startApp({
    env: {
      META_APP_SECRET: SECRET,
      META_VERIFY_TOKEN: "verify-me",
      META_GRAPH_API_BASE: graph.url,
      WHATSAPP_CLOUD_TOKEN: graph.whatsappToken,
      WHATSAPP_PHONE_NUMBER_ID: graph.phoneNumberId,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_OPS_CHAT_ID: OPS,
    },
  });
});
afterAll(async () => {
  await app?.close();
  await graph?.close();
  await telegram?.close();
});

function waBody(messages: WhatsAppText[]) {
  return whatsappTextWebhook(graph.phoneNumberId, messages);
}

async function deliver(payload: unknown): Promise<number> {
  const body = metaJson(payload);
  const response = await fetch(`${app.url}/webhooks/meta`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signatureOf(SECRET, body) },
    body,
  });
  return response.status;
}

describe("a Meta webhook body with hostile content", () => {
  it("answers 200, stores NUL and lone surrogates cleaned, and records a message the database refuses as failed", async () => {
    // An id of 8000 random characters: PostgreSQL's unique index cannot hold it (a btree row is at
    // most 2704 bytes), SQLite can. Either way the rest of the body must go on.
    const hugeId = `wamid.${randomBytes(6000).toString("base64url")}`;
    const body = waBody([
      { from: "6281200000001", id: "wamid.NUL0001", text: "ha\u0000lo \ud83d", name: "Bu\u0000di \udc00" },
      { from: "6281200000002", id: hugeId, text: "pesan rahasia warga", name: "Sari Rahasia" },
      { from: "6281200000003", id: "wamid.GOOD0001", text: "halo", name: "Rina" },
    ]);
    expect(await deliver(body)).toBe(200);
    // Meta's redelivery of the same body: answered 200 again, nothing doubled, nothing reported twice.
    expect(await deliver(body)).toBe(200);

    const stored = await app.db.prisma.message.findMany({
      where: { channel: "whatsapp-cloud", direction: "in" },
      select: { providerMessageId: true, text: true },
      orderBy: { id: "asc" },
    });
    expect(stored.find((m) => m.providerMessageId === "wamid.NUL0001")?.text).toBe("halo \ufffd");
    expect(stored.find((m) => m.providerMessageId === "wamid.GOOD0001")?.text).toBe("halo");
    const identity = await app.db.prisma.channelIdentity.findFirst({ where: { channel: "whatsapp-cloud", externalId: "6281200000001" } });
    if (identity) expect(identity.displayName).toBe("Budi \ufffd");

    const failed = await app.db.prisma.failedInbound.findMany();
    const hugeStored = stored.some((m) => m.providerMessageId === hugeId);
    // Each message is stored or recorded as failed, never both, never neither.
    expect(hugeStored).toBe(failed.length === 0);
    if (onPostgres) expect(failed).toHaveLength(1);
    if (failed.length === 1) {
      expect(failed[0]).toMatchObject({ channel: "whatsapp-cloud" });
      expect(hugeId.startsWith(failed[0]!.providerMessageId)).toBe(true);
      expect(JSON.stringify(failed)).not.toMatch(/rahasia|Sari|6281200000002/i);
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toMatch(/^kanal_inbound_failed_total\{channel="whatsapp-cloud"\} 1$/m);
      // Staff are told once, without the citizen's text, name or number.
      const notices = await app.db.prisma.outboxMessage.findMany({ where: { kind: "staff", chatId: OPS } });
      expect(notices).toHaveLength(1);
      expect(notices[0]!.payload).toMatch(/tidak dapat diproses/);
      expect(notices[0]!.payload).not.toMatch(/rahasia|Sari|6281200000002/i);
    }
  }, 30_000);
});
