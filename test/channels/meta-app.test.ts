/** The Meta webhook through the whole app (npm start's wiring): route, signature, pipeline, outbox, Graph. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateFromStorage } from "../../src/db/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { metaJson, signatureOf, startFakeGraph, type FakeGraph } from "../fakes/meta-graph.js";

const SECRET = "app-secret-for-tests";
let graph: FakeGraph;
let app: TestApp;

beforeAll(async () => {
  graph = await startFakeGraph();
  app = await startApp({
    env: {
      META_APP_SECRET: SECRET,
      META_VERIFY_TOKEN: "verify-me",
      META_GRAPH_API_BASE: graph.url,
      WHATSAPP_CLOUD_TOKEN: graph.whatsappToken,
      WHATSAPP_PHONE_NUMBER_ID: graph.phoneNumberId,
    },
  });
});
afterAll(async () => {
  await app?.close();
  await graph?.close();
});

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/meta/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>;

async function deliver(payload: unknown, signature?: string | null) {
  const body = metaJson(payload);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const sig = signature === undefined ? signatureOf(SECRET, body) : signature;
  if (sig) headers["x-hub-signature-256"] = sig;
  const response = await fetch(`${app.url}/webhooks/meta`, { method: "POST", headers, body });
  return response.status;
}

describe("/webhooks/meta in the running app", () => {
  it("answers Meta's subscription check", async () => {
    const ok = await fetch(`${app.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    expect((await fetch(`${app.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);
  });

  it("refuses unsigned and forged requests and stores nothing", async () => {
    expect(await deliver(fixture("wa-text"), null)).toBe(401);
    expect(await deliver(fixture("wa-text"), "sha256=" + "0".repeat(64))).toBe(401);
    expect(await app.db.prisma.message.count({ where: { channel: "whatsapp-cloud" } })).toBe(0);
  });

  it("takes a WhatsApp message (the first message is the complaint), answers through the Graph API, and records statuses", async () => {
    // Sent just now: the 24-hour reply window counts from the message's own timestamp.
    const message = fixture("wa-text") as { entry: { changes: { value: { messages: { timestamp: string }[] } }[] }[] };
    message.entry[0]!.changes[0]!.value.messages[0]!.timestamp = String(Math.floor(Date.now() / 1000));
    expect(await deliver(message)).toBe(200);
    expect(await deliver(message)).toBe(200); // Meta's redelivery: handled once
    expect(await app.db.prisma.message.count({ where: { channel: "whatsapp-cloud", direction: "in" } })).toBe(1);
    const conversation = await app.db.prisma.conversation.findFirstOrThrow({ where: { channel: "whatsapp-cloud" } });
    expect(conversation.chatId).toBe("6281234567890");
    // The draft's text is sealed at rest (README, Privacy): opened here as the pipeline opens it.
    expect(conversation.state).not.toContain("antrean");
    const draft = stateFromStorage<{ draft: { text?: string } }>(conversation.state);
    expect(draft.draft.text).toContain("antrean di loket 3");
    const sent = await (async () => {
      for (let i = 0; i < 200; i++) {
        const rows = await app.db.prisma.outboxMessage.findMany({ where: { channel: "whatsapp-cloud", status: "sent" } });
        if (rows.length > 0 && rows.length === (await app.db.prisma.outboxMessage.count({ where: { channel: "whatsapp-cloud" } })))
          return rows;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error("replies not sent");
    })();
    expect(graph.sent("6281234567890").length).toBe(sent.length);
    const status = fixture("wa-status-read") as { entry: { changes: { value: { statuses: { id: string; recipient_id: string }[] } }[] }[] };
    status.entry[0]!.changes[0]!.value.statuses[0]!.id = sent[0]!.providerMessageId!;
    expect(await deliver(status)).toBe(200);
    expect((await app.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: sent[0]!.id } })).deliveryStatus).toBe("read");
  });

  it("acknowledges an unknown object without storing it", async () => {
    expect(await deliver({ object: "permissions", entry: [] })).toBe(200);
  });

  it("refuses signed bytes that are not JSON", async () => {
    const body = "{not json";
    const response = await fetch(`${app.url}/webhooks/meta`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signatureOf(SECRET, body) },
      body,
    });
    expect(response.status).toBe(400);
  });
});
