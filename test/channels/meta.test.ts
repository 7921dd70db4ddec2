/**
 * The Meta channels (WhatsApp Cloud API, Messenger, Instagram) against a fake Graph API on 127.0.0.1
 * (test/fakes/meta-graph.ts), with webhook bodies from Meta's documentation in test/fixtures/meta/.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createMetaChannels, LIST_BUTTON_LABEL, type MetaChannelsOptions, type StatusUpdate } from "../../channels/meta/index.js";
import { KanalError, type ChannelAdapter, type InboundFailure, type InboundMessage, type SendResult } from "../../src/core/index.js";
import { signatureOf, signedRequest, startFakeGraph, type FakeGraph } from "../fakes/meta-graph.js";
import { containing, matching } from "../helpers/match.js";

const APP_SECRET = "0f6b2c1d9e8a7f6b5c4d3e2f1a0b9c8d";
const VERIFY_TOKEN = "kanal-aduan-verify-7f3a";
const CITIZEN = "6281234567890";
const PSID = "7203948572619384";
const IGSID = "1234567890123456";
const NOW = new Date("2026-01-01T04:00:00Z");
const HOUR = 3_600_000;

type Json = Record<string, unknown>;

const fixtureBytes = (name: string) => readFileSync(new URL(`../fixtures/meta/${name}.json`, import.meta.url));
const fixture = (name: string) => JSON.parse(fixtureBytes(name).toString("utf8")) as Json;

/** The first WhatsApp message (or status) object of a fixture, for changing it. */
function waValue(payload: Json): Json {
  const entry = (payload.entry as Json[])[0]!;
  return (entry.changes as Json[])[0]!.value as Json;
}

/** A fixture with its first WhatsApp message changed. */
function waWith(name: string, changes: Json): Json {
  const payload = fixture(name);
  const value = waValue(payload);
  const messages = value.messages as Json[];
  messages[0] = { ...messages[0], ...changes };
  return payload;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeGraph(): Promise<FakeGraph> {
  const graph = await startFakeGraph({ instagramRecipients: [IGSID] });
  cleanups.push(() => graph.close());
  return graph;
}

interface Setup {
  graph: FakeGraph;
  inbound: InboundMessage[];
  statuses: StatusUpdate[];
  logs: { msg: string; fields?: Record<string, unknown> }[];
  meta: ReturnType<typeof createMetaChannels>;
  adapter(name: "whatsapp-cloud" | "messenger" | "instagram"): ChannelAdapter;
  post(payload: unknown): ReturnType<ReturnType<typeof createMetaChannels>["webhook"]["handle"]>;
  clock: { now: Date };
}

type SetupOptions = Partial<MetaChannelsOptions> | ((graph: FakeGraph) => Partial<MetaChannelsOptions>);

async function setup(
  given: SetupOptions = {},
  { start = true, sink }: { start?: boolean; sink?: (m: InboundMessage) => Promise<void> } = {},
): Promise<Setup> {
  const graph = await fakeGraph();
  const options = typeof given === "function" ? given(graph) : given;
  const inbound: InboundMessage[] = [];
  const statuses: StatusUpdate[] = [];
  const logs: Setup["logs"] = [];
  const clock = { now: NOW };
  const meta = createMetaChannels({
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    graphApiBase: graph.url,
    whatsapp: { token: graph.whatsappToken, phoneNumberId: graph.phoneNumberId },
    pageAccessToken: graph.pageAccessToken,
    maxAttachmentBytes: 1024 * 1024,
    log: (msg, fields) => void logs.push({ msg, fields }),
    clock: () => clock.now,
    onStatus: async (update) => void statuses.push(update),
    ...options,
  });
  if (start) for (const adapter of meta.adapters) await adapter.start(sink ?? (async (m) => void inbound.push(m)));
  cleanups.push(async () => {
    for (const adapter of meta.adapters) await adapter.stop();
  });
  return {
    graph,
    inbound,
    statuses,
    logs,
    meta,
    clock,
    adapter: (name) => meta.adapters.find((a) => a.name === name)!,
    post: (payload) => meta.webhook.handle(signedRequest(APP_SECRET, payload)),
  };
}

const fail = (result: SendResult) => {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
  return result;
};

// ---------------------------------------------------------------------------------------------

describe("meta webhook: subscription check", () => {
  it("answers the challenge to the right verify token", async () => {
    const { meta } = await setup();
    const response = await meta.webhook.handle({
      method: "GET",
      headers: {},
      query: { "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444" },
      rawBody: Buffer.alloc(0),
    });
    expect(response).toEqual({ status: 200, body: "1158201444" });
    expect(meta.webhook.path).toBe("meta");
  });

  it("forbids a wrong token, a wrong mode or no token", async () => {
    const { meta } = await setup();
    for (const query of [
      { "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1" },
      { "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1" },
      { "hub.mode": "subscribe", "hub.challenge": "1" },
    ]) {
      const response = await meta.webhook.handle({ method: "GET", headers: {}, query, rawBody: Buffer.alloc(0) });
      expect(response.status).toBe(403);
    }
  });
});

describe("meta webhook: signature and bad input", () => {
  it("refuses an unsigned request with 401 and passes nothing on", async () => {
    const { meta, inbound, statuses } = await setup();
    const response = await meta.webhook.handle(signedRequest(APP_SECRET, fixtureBytes("wa-text"), { signature: null }));
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: containing("X-Hub-Signature-256") });
    expect(inbound).toHaveLength(0);
    expect(statuses).toHaveLength(0);
  });

  it("refuses forged, tampered and malformed signatures with 401", async () => {
    const { meta, inbound } = await setup();
    const bytes = fixtureBytes("wa-text");
    const tampered = Buffer.from(bytes.toString("utf8").replace("loket 3", "loket 4"));
    const cases = [
      signedRequest("another-app-secret", bytes),
      { ...signedRequest(APP_SECRET, bytes), rawBody: tampered },
      signedRequest(APP_SECRET, bytes, { signature: "sha256=zz" }),
      signedRequest(APP_SECRET, bytes, { signature: signatureOf(APP_SECRET, bytes).replace("sha256=", "sha1=") }),
      signedRequest(APP_SECRET, bytes, { signature: signatureOf(APP_SECRET, bytes).slice(0, 40) }),
    ];
    for (const request of cases) expect((await meta.webhook.handle(request)).status).toBe(401);
    expect(inbound).toHaveLength(0);
  });

  it("accepts the signature over the raw \\u-escaped bytes, which re-serialised JSON would not match", async () => {
    const { meta, inbound } = await setup();
    const bytes = fixtureBytes("wa-text");
    expect(bytes.toString("utf8")).toContain("\\u2014"); // Meta's escaping, kept in the fixture
    const reserialised = JSON.stringify(JSON.parse(bytes.toString("utf8")));
    expect(signatureOf(APP_SECRET, reserialised)).not.toBe(signatureOf(APP_SECRET, bytes));
    // Header names in any case.
    const request = signedRequest(APP_SECRET, bytes, {
      signature: null,
      headers: { "X-Hub-Signature-256": signatureOf(APP_SECRET, bytes) },
    });
    expect(await meta.webhook.handle(request)).toEqual({ status: 200, body: {} });
    expect(inbound[0]!.text).toBe("Selamat pagi, saya mau mengadu: antrean di loket 3 sudah 2 jam — petugasnya tidak ada 😩");
  });

  it("answers 400 to a signed body that is not JSON", async () => {
    const { meta, inbound } = await setup();
    const response = await meta.webhook.handle(signedRequest(APP_SECRET, '{"object":"whatsapp_business_account","entry":['));
    expect(response.status).toBe(400);
    expect(inbound).toHaveLength(0);
  });

  it("acknowledges an unknown object or shape with 200, ignores it and says so in the log", async () => {
    const { post, inbound, logs } = await setup();
    for (const payload of [
      { object: "user", entry: [{ id: "1", changes: [{ field: "feed", value: {} }] }] },
      { hello: "world" },
      [1, 2, 3],
      '"just a string"',
      "42",
    ]) {
      expect(await post(payload)).toEqual({ status: 200, body: {} });
    }
    expect(inbound).toHaveLength(0);
    const ignored = logs.filter((l) => l.msg.includes("ignored")).map((l) => JSON.stringify(l.fields));
    expect(ignored.some((f) => f.includes("object user"))).toBe(true);
    expect(ignored.some((f) => f.includes("unknown shape"))).toBe(true);
  });

  it("refuses a body over 1 MB with 413, signed or not", async () => {
    const { meta, inbound } = await setup();
    const payload = fixture("wa-text");
    (waValue(payload).messages as Json[])[0]!.text = { body: "x".repeat(1024 * 1024) };
    const response = await meta.webhook.handle(signedRequest(APP_SECRET, payload));
    expect(response.status).toBe(413);
    expect(inbound).toHaveLength(0);
  });

  it("answers 503 before the adapters are started (Meta retries)", async () => {
    const { meta, post } = await setup({}, { start: false });
    expect((await post(fixture("wa-text"))).status).toBe(503);
    expect(meta.adapters.map((a) => a.name)).toEqual(["whatsapp-cloud", "messenger", "instagram"]);
  });

  it("handles the good entries of a batch with a malformed entry and a malformed message", async () => {
    const { post, inbound, statuses, logs } = await setup();
    expect(await post(fixtureBytes("batch-several-entries"))).toEqual({ status: 200, body: {} });
    expect(inbound.map((m) => [m.chatId, m.text])).toEqual([
      ["6281234567890", "pesan pertama dari Budi"],
      ["6285712345678", "halo dari Rina"],
      ["6281234567890", "pesan kedua dari Budi"],
    ]);
    expect(inbound.map((m) => m.sender.displayName)).toEqual(["Budi Santoso", "Rina Wijaya", "Budi Santoso"]);
    expect(statuses).toEqual([expect.objectContaining({ status: "delivered" })]);
    const skipped = logs.find((l) => l.msg.includes("skipped"));
    expect(skipped?.fields?.count).toBe(2);
    expect(JSON.stringify(skipped?.fields)).toContain("entry[1]");
    expect(JSON.stringify(skipped?.fields)).toContain("entry[2].changes[0].value.messages[1]");
  });

  it("keeps one sender's messages in order and answers 200 only after every sink resolved", async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { post } = await setup(
      {},
      {
        sink: async (m) => {
          if (m.text === "pesan pertama dari Budi") await gate;
          order.push(m.text!);
        },
      },
    );
    let answered = false;
    const response = post(fixtureBytes("batch-several-entries")).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual(["halo dari Rina"]); // another sender goes on; Budi's second waits for his first
    expect(answered).toBe(false);
    release();
    expect((await response).status).toBe(200);
    expect(order).toEqual(["halo dari Rina", "pesan pertama dari Budi", "pesan kedua dari Budi"]);
  });

  it("answers 503 when the database is away, and the redelivery carries the same providerMessageId", async () => {
    const ids: string[] = [];
    const { post } = await setup(
      {},
      {
        sink: async (m) => {
          ids.push(m.providerMessageId);
          if (ids.length === 1) throw new KanalError("KA_DATABASE", "the database is not answering");
        },
      },
    );
    expect((await post(fixtureBytes("wa-text"))).status).toBe(503);
    expect((await post(fixtureBytes("wa-text"))).status).toBe(200);
    expect(ids).toEqual([
      "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDNzg5QTFCMkMzRDRFNUY2RzcA",
      "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDNzg5QTFCMkMzRDRFNUY2RzcA",
    ]);
  });

  it("answers 503 when a status cannot be recorded for want of the database, so Meta delivers it again", async () => {
    const { post } = await setup({ onStatus: async () => Promise.reject(new KanalError("KA_DATABASE", "the database is not answering")) });
    expect((await post(fixtureBytes("wa-status-delivered"))).status).toBe(503);
  });

  it("records a message that fails because of what it held, goes on with the others, and answers 200", async () => {
    const failures: InboundFailure[] = [];
    const delivered: string[] = [];
    const { post } = await setup(
      { onFailedMessage: async (failure) => void failures.push(failure) },
      {
        sink: async (m) => {
          if (m.text === "pesan pertama dari Budi") throw new TypeError("Cannot read properties of undefined (reading 'Budi')");
          delivered.push(m.text!);
        },
      },
    );
    const response = await post(fixtureBytes("batch-several-entries"));
    expect(response.status).toBe(200);
    // Budi's second message and Rina's go on; the failed one is recorded without its text or sender.
    expect(delivered.sort()).toEqual(["halo dari Rina", "pesan kedua dari Budi"]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ channel: "whatsapp-cloud", reason: "TypeError" });
    expect(failures[0]!.providerMessageId).toMatch(/^wamid\./);
    expect(JSON.stringify(failures)).not.toMatch(/Budi|pesan/);
  });

  it("records a receipt that fails on its own, and answers 200", async () => {
    const failures: InboundFailure[] = [];
    const { post } = await setup({
      onStatus: async () => Promise.reject(new RangeError("Invalid time value")),
      onFailedMessage: async (failure) => void failures.push(failure),
    });
    expect((await post(fixtureBytes("wa-status-delivered"))).status).toBe(200);
    expect(failures).toEqual([
      { channel: "whatsapp-cloud", providerMessageId: matching(/^status:delivered:wamid\./), reason: "RangeError" },
    ]);
  });

  it("answers 503 when a failure cannot be recorded for want of the database, so Meta delivers the body again", async () => {
    const { post } = await setup(
      { onFailedMessage: async () => Promise.reject(new KanalError("KA_DATABASE", "the database is not answering")) },
      { sink: async () => Promise.reject(new Error("bad content")) },
    );
    expect((await post(fixtureBytes("wa-text"))).status).toBe(503);
  });

  it("ignores products without credentials and other phone numbers of the same app", async () => {
    const graph = await fakeGraph();
    const inbound: InboundMessage[] = [];
    const logs: string[] = [];
    const meta = createMetaChannels({
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      graphApiBase: graph.url,
      whatsapp: { token: graph.whatsappToken, phoneNumberId: graph.phoneNumberId },
      maxAttachmentBytes: 1024,
      log: (msg, fields) => void logs.push(`${msg} ${JSON.stringify(fields)}`),
    });
    expect(meta.adapters.map((a) => a.name)).toEqual(["whatsapp-cloud"]);
    await meta.adapters[0]!.start(async (m) => void inbound.push(m));
    expect((await meta.webhook.handle(signedRequest(APP_SECRET, fixtureBytes("messenger-text")))).status).toBe(200);
    const other = fixture("wa-text");
    (waValue(other).metadata as Json).phone_number_id = "999999999999999";
    expect((await meta.webhook.handle(signedRequest(APP_SECRET, other))).status).toBe(200);
    expect(inbound).toHaveLength(0);
    expect(logs.join("\n")).toContain("messenger not configured");
    expect(logs.join("\n")).toContain("999999999999999");
    await meta.adapters[0]!.stop();
  });

  it("creates only the adapters whose credentials are set, and refuses an empty app secret", async () => {
    const base = {
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      graphApiBase: "https://graph.facebook.com/v21.0/",
      maxAttachmentBytes: 1,
    };
    expect(createMetaChannels(base).adapters).toEqual([]);
    expect(createMetaChannels({ ...base, pageAccessToken: "EAAG" }).adapters.map((a) => a.name)).toEqual(["messenger", "instagram"]);
    expect(() => createMetaChannels({ ...base, appSecret: " " })).toThrow(KanalError);
    expect(() => createMetaChannels({ ...base, graphApiBase: "graph.facebook.com" })).toThrow(/META_GRAPH_API_BASE/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("whatsapp inbound", () => {
  it("normalises a text message: ids, the verified phone, the profile name, the time and the raw message", async () => {
    const { post, inbound } = await setup();
    await post(fixtureBytes("wa-text"));
    const [message] = inbound;
    expect(message).toMatchObject({
      channel: "whatsapp-cloud",
      providerMessageId: "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDNzg5QTFCMkMzRDRFNUY2RzcA",
      chatId: CITIZEN,
      sender: { id: CITIZEN, displayName: "Budi Santoso · Kelurahan Gambir", phone: `+${CITIZEN}` },
      attachments: [],
    });
    expect(message!.receivedAt.toISOString()).toBe("2026-01-01T03:00:00.000Z");
    expect(message!.raw).toMatchObject({
      message: { id: message!.providerMessageId, type: "text" },
      metadata: { phone_number_id: "106540352242922" },
    });
  });

  it("takes the title of a list reply, a reply button and a template button as the text", async () => {
    const { post, inbound } = await setup();
    await post(fixtureBytes("wa-interactive-list-reply"));
    await post(fixtureBytes("wa-button-reply"));
    await post(fixtureBytes("wa-template-button"));
    expect(inbound.map((m) => m.text)).toEqual(["2. Pelayanan", "Ya, kirim", "Balas"]);
    expect(inbound.every((m) => m.attachments.length === 0 && m.sender.phone === `+${CITIZEN}`)).toBe(true);
  });

  it("takes an image with its caption, downloaded through Graph with the token only when fetched", async () => {
    const { post, inbound, graph } = await setup();
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 13) % 256);
    graph.media.register("1003383421387256", bytes, "image/jpeg");
    await post(fixtureBytes("wa-image"));
    const [message] = inbound;
    expect(message!.text).toBe("Foto loket 3 yang kosong sejak jam 9");
    expect(message!.attachments).toHaveLength(1);
    const image = message!.attachments[0]!;
    expect(image).toMatchObject({ kind: "image", mime: "image/jpeg", filename: "image-1003383421387256.jpg" });
    expect(graph.calls).toHaveLength(0); // lazy: nothing downloaded until the pipeline asks
    expect(await image.fetch()).toEqual(bytes);
    expect(graph.calls.map((c) => [c.method, c.path.replace(/\?.*/, ""), c.headers.authorization])).toEqual([
      ["GET", "/v21.0/1003383421387256", `Bearer ${graph.whatsappToken}`],
      ["GET", "/whatsapp-media/1003383421387256", `Bearer ${graph.whatsappToken}`],
    ]);
  });

  it("takes a document with its file name and caption", async () => {
    const { post, inbound, graph } = await setup();
    const pdf = new Uint8Array(Buffer.from("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", "latin1"));
    graph.media.register("2038445683299811", pdf, "application/pdf");
    await post(fixtureBytes("wa-document"));
    const [message] = inbound;
    expect(message!.text).toBe("Surat pengantar dari kelurahan");
    expect(message!.attachments[0]).toMatchObject({ kind: "document", mime: "application/pdf", filename: "surat-pengantar.pdf" });
    expect(await message!.attachments[0]!.fetch()).toEqual(pdf);
  });

  it("takes audio (a voice note) and video as attachments", async () => {
    const { post, inbound } = await setup();
    await post(
      waWith("wa-text", {
        type: "audio",
        text: undefined,
        audio: { mime_type: "audio/ogg; codecs=opus", sha256: "x", id: "555", voice: true },
      }),
    );
    await post(
      waWith("wa-text", { id: "wamid.video", type: "video", text: undefined, video: { mime_type: "video/mp4", sha256: "y", id: "556" } }),
    );
    expect(inbound[0]!.attachments[0]).toMatchObject({ kind: "audio", mime: "audio/ogg; codecs=opus", filename: "voice-555.ogg" });
    expect(inbound[1]!.attachments[0]).toMatchObject({ kind: "video", mime: "video/mp4", filename: "video-556.mp4" });
  });

  it("takes a location as a GeoJSON attachment with empty text", async () => {
    const { post, inbound } = await setup();
    await post(fixtureBytes("wa-location"));
    const [message] = inbound;
    expect(message!.text).toBe("");
    const location = message!.attachments[0]!;
    expect(location).toMatchObject({ kind: "location", mime: "application/geo+json" });
    const bytes = await location.fetch();
    expect(location.size).toBe(bytes.byteLength);
    expect(JSON.parse(Buffer.from(bytes).toString("utf8"))).toEqual({
      type: "Feature",
      geometry: { type: "Point", coordinates: [106.8271528, -6.1753924] },
      properties: { title: "Kantor Kecamatan Gambir", address: "Jl. Tanah Abang I No. 5, Jakarta Pusat" },
    });
  });

  it("passes a sticker, a reaction and contacts on with empty text (the flow explains), a removed reaction not at all", async () => {
    const { post, inbound } = await setup();
    await post(fixtureBytes("wa-sticker"));
    await post(
      waWith("wa-text", { id: "wamid.reaction", type: "reaction", text: undefined, reaction: { message_id: "wamid.x", emoji: "👍" } }),
    );
    await post(
      waWith("wa-text", {
        id: "wamid.contacts",
        type: "contacts",
        text: undefined,
        contacts: [{ name: { formatted_name: "Pak RT" }, phones: [{ phone: "+62 812" }] }],
      }),
    );
    await post(
      waWith("wa-text", { id: "wamid.unreact", type: "reaction", text: undefined, reaction: { message_id: "wamid.x", emoji: "" } }),
    );
    await post(
      waWith("wa-text", {
        id: "wamid.unsupported",
        type: "unsupported",
        text: undefined,
        errors: [{ code: 131051, title: "Message type unknown" }],
      }),
    );
    expect(inbound.map((m) => [m.providerMessageId.slice(0, 20), m.text, m.attachments.length])).toEqual([
      ["wamid.HBgNNjI4MTIzND", "", 0],
      ["wamid.reaction", "", 0],
      ["wamid.contacts", "", 0],
      ["wamid.unsupported", "", 0],
    ]);
  });

  it("keeps the providerMessageId of a redelivered message (the pipeline dedupes)", async () => {
    const { post, inbound } = await setup();
    await post(fixtureBytes("wa-interactive-list-reply"));
    await post(fixtureBytes("wa-interactive-list-reply"));
    expect(inbound).toHaveLength(2);
    expect(inbound[1]!.providerMessageId).toBe(inbound[0]!.providerMessageId);
  });

  it("passes delivery statuses to onStatus and never to the sink", async () => {
    const { post, inbound, statuses } = await setup();
    for (const name of ["wa-status-sent", "wa-status-delivered", "wa-status-read", "wa-status-failed"]) {
      expect((await post(fixtureBytes(name))).status).toBe(200);
    }
    expect(inbound).toHaveLength(0);
    const id = "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjQ2QTI3RjlFQkM2MTVGQjNBRgA=";
    expect(statuses).toEqual([
      { providerMessageId: id, status: "sent", at: new Date(1767236401 * 1000) },
      { providerMessageId: id, status: "delivered", at: new Date(1767236402 * 1000) },
      { providerMessageId: id, status: "read", at: new Date(1767236410 * 1000) },
      {
        providerMessageId: id,
        status: "failed",
        error:
          "131047 Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        at: new Date(1767409200 * 1000),
      },
    ]);
  });
});

describe("whatsapp media limits", () => {
  it("refuses a file whose declared size is over the limit without downloading it", async () => {
    const { post, inbound, graph } = await setup({ maxAttachmentBytes: 1000 });
    graph.media.register("1003383421387256", new Uint8Array(5000), "image/jpeg");
    await post(fixtureBytes("wa-image"));
    const error = await inbound[0]!.attachments[0]!.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KanalError);
    expect((error as KanalError).code).toBe("KA_TOO_LARGE");
    expect(graph.media.downloads()).toHaveLength(0);
  });

  it("stops a download that grows past the limit, without reading the rest", async () => {
    const { post, inbound, graph } = await setup({ maxAttachmentBytes: 256 * 1024 });
    const big = new Uint8Array(8 * 1024 * 1024);
    // The metadata understates the size and the download has no content-length: only counting helps.
    graph.media.register("1003383421387256", big, "image/jpeg", { declaredSize: 1000, chunked: true });
    await post(fixtureBytes("wa-image"));
    const error = await inbound[0]!.attachments[0]!.fetch().catch((e: unknown) => e);
    expect((error as KanalError).code).toBe("KA_TOO_LARGE");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [download] = graph.media.downloads();
    expect(download!.completed).toBe(false);
    expect(download!.bytesSent).toBeLessThan(big.byteLength / 2);
  });

  it("reports an expired media id as KA_NOT_FOUND", async () => {
    const { post, inbound } = await setup();
    await post(fixtureBytes("wa-image"));
    const error = await inbound[0]!.attachments[0]!.fetch().catch((e: unknown) => e);
    expect((error as KanalError).code).toBe("KA_NOT_FOUND");
  });
});

// ---------------------------------------------------------------------------------------------

describe("messenger and instagram inbound", () => {
  it("normalises a Messenger text message", async () => {
    const { post, inbound } = await setup();
    await post(fixtureBytes("messenger-text"));
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({
      channel: "messenger",
      providerMessageId: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",
      chatId: PSID,
      sender: { id: PSID },
      text: "Halo, jalan di depan kantor kelurahan rusak parah. Terima kasih 🙏",
      attachments: [],
    });
    expect(inbound[0]!.receivedAt.getTime()).toBe(1767236399876);
    expect(inbound[0]!.sender.phone).toBeUndefined();
  });

  it("takes a Messenger image from its URL, with the size limit", async () => {
    const { post, inbound, graph } = await setup({ maxAttachmentBytes: 4096 });
    const payload = fixture("messenger-image");
    const item = ((payload.entry as Json[])[0]!.messaging as Json[])[0]!;
    const attachment = ((item.message as Json).attachments as Json[])[0]!;
    const photo = new Uint8Array(3000).fill(7);
    (attachment.payload as Json).url = graph.media.publicFile("471234567_n.jpg", photo, "image/jpeg");
    await post(payload);
    const image = inbound[0]!.attachments[0]!;
    expect(inbound[0]!.text).toBe("");
    expect(image).toMatchObject({ kind: "image", mime: "image/jpeg" });
    expect(await image.fetch()).toEqual(photo);

    (attachment.payload as Json).url = graph.media.publicFile("big_n.png", new Uint8Array(10_000), "image/png");
    await post(payload);
    expect(inbound[1]!.attachments[0]!.mime).toBe("image/png");
    await expect(inbound[1]!.attachments[0]!.fetch()).rejects.toMatchObject({ code: "KA_TOO_LARGE" });
  });

  it("takes a quick reply's title and a postback's title as the text", async () => {
    const { post, inbound } = await setup();
    await post(fixtureBytes("messenger-quick-reply"));
    await post({
      object: "page",
      entry: [
        {
          id: "104857291738562",
          time: 1767236600000,
          messaging: [
            {
              sender: { id: PSID },
              recipient: { id: "104857291738562" },
              timestamp: 1767236599000,
              postback: { title: "Mulai", payload: "GET_STARTED", mid: "m_postback1" },
            },
          ],
        },
      ],
    });
    expect(inbound.map((m) => [m.providerMessageId.slice(0, 11), m.text])).toEqual([
      ["m_qR7bTz0Kx", "Ya, kirim"],
      ["m_postback1", "Mulai"],
    ]);
  });

  it("ignores reads, deliveries and a sticker-only like is passed with empty text", async () => {
    const { post, inbound, logs } = await setup();
    expect((await post(fixtureBytes("messenger-read"))).status).toBe(200);
    expect(inbound).toHaveLength(0);
    expect(logs.filter((l) => l.msg.includes("ignored"))).toEqual([]); // routine: no log line
    await post({
      object: "page",
      entry: [
        {
          id: "1",
          time: 1,
          messaging: [
            {
              sender: { id: PSID },
              recipient: { id: "1" },
              timestamp: 1767236599000,
              message: {
                mid: "m_like",
                attachments: [
                  {
                    type: "image",
                    payload: {
                      url: "https://scontent.xx.fbcdn.net/t39.1997-6/851557_369239266556155_759568595_n.png",
                      sticker_id: 369239263222822,
                    },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(inbound[0]).toMatchObject({ providerMessageId: "m_like", text: "", attachments: [] });
  });

  it("normalises an Instagram message and ignores its echo", async () => {
    const { post, inbound, logs } = await setup();
    await post(fixtureBytes("instagram-text"));
    expect((await post(fixtureBytes("instagram-echo"))).status).toBe(200);
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({
      channel: "instagram",
      chatId: IGSID,
      sender: { id: IGSID },
      text: "Selamat siang, izin bertanya soal layanan KTP — kenapa lama sekali?",
    });
    expect(logs.filter((l) => l.msg.includes("ignored"))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("whatsapp sends", () => {
  it("sends text with the token, keeping *bold*, and returns the wamid", async () => {
    const { adapter, graph } = await setup();
    const result = await adapter("whatsapp-cloud").send(CITIZEN, { text: "Aduan Anda tercatat: *ADU-2026-00042*" });
    const [sent] = graph.sent(CITIZEN);
    expect(result).toEqual({ ok: true, providerMessageId: sent!.id });
    expect(sent!.id).toMatch(/^wamid\./);
    const call = graph.calls[0]!;
    expect(call.path).toBe(`/v21.0/${graph.phoneNumberId}/messages`);
    expect(call.headers.authorization).toBe(`Bearer ${graph.whatsappToken}`);
    expect(call.body).toMatchObject({
      messaging_product: "whatsapp",
      to: CITIZEN,
      type: "text",
      text: { body: "Aduan Anda tercatat: *ADU-2026-00042*" },
    });
  });

  it("sends up to three short options as reply buttons", async () => {
    const { adapter, graph } = await setup();
    await adapter("whatsapp-cloud").send(CITIZEN, { text: "Kirim aduan ini?", options: ["Ya, kirim", "Tidak, ubah", "Batal"] });
    const [sent] = graph.sent(CITIZEN);
    expect(sent!.payload).toMatchObject({
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "Kirim aduan ini?" },
        action: {
          buttons: [
            { type: "reply", reply: { id: "opt-1", title: "Ya, kirim" } },
            { type: "reply", reply: { id: "opt-2", title: "Tidak, ubah" } },
            { type: "reply", reply: { id: "opt-3", title: "Batal" } },
          ],
        },
      },
    });
  });

  it("sends four options as an interactive list", async () => {
    const { adapter, graph } = await setup();
    const options = ["1. Perilaku Pegawai", "2. Pelayanan", "3. Sarana Prasarana", "4. Lain-lain"];
    await adapter("whatsapp-cloud").send(CITIZEN, { text: "Pilih kategori aduan:", options });
    const [sent] = graph.sent(CITIZEN);
    expect(sent!.payload).toMatchObject({
      type: "interactive",
      interactive: {
        type: "list",
        body: { text: "Pilih kategori aduan:" },
        action: { button: LIST_BUTTON_LABEL, sections: [{ rows: options.map((title, i) => ({ id: `opt-${i + 1}`, title })) }] },
      },
    });
    expect(sent!.options).toEqual(options);
  });

  it("lists options in the text when they fit neither buttons nor a list, as they are typed back", async () => {
    const { adapter, graph } = await setup();
    const options = ["1. Employee conduct", "2. Service", "3. Facilities & infrastructure", "4. Other"];
    await adapter("whatsapp-cloud").send(CITIZEN, { text: "Choose a category:", options });
    // Numbered labels as they are ("1" answers them); the rest would get a bullet.
    expect(graph.sent(CITIZEN)[0]).toMatchObject({ type: "text", text: `Choose a category:\n\n${options.join("\n")}` });
    // A label the text already shows on a line of its own (a menu) is not listed twice.
    await adapter("whatsapp-cloud").send(CITIZEN, { text: `Menu:\n${options[0]}\n${options[1]}`, options });
    expect(graph.sent(CITIZEN)[1]).toMatchObject({
      type: "text",
      text: `Menu:\n${options[0]}\n${options[1]}\n\n${options[2]}\n${options[3]}`,
    });
  });

  it("splits text over 4096 characters, and puts buttons with a last part of at most 1024", async () => {
    const { adapter, graph } = await setup();
    const sentence = "Petugas loket tidak ada di tempat selama jam pelayanan berlangsung. ";
    const text = sentence.repeat(150).trim(); // ≈ 10,000 characters
    await adapter("whatsapp-cloud").send(CITIZEN, { text });
    const parts = graph.sent(CITIZEN).map((m) => m.text!);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join(" ")).toBe(text);

    await adapter("whatsapp-cloud").send("6289999999999", { text: sentence.repeat(30).trim(), options: ["Ya", "Tidak"] });
    const withButtons = graph.sent("6289999999999");
    expect(withButtons.map((m) => m.type)).toEqual(["text", "interactive"]);
    expect(withButtons[1]!.text!.length).toBeLessThanOrEqual(1024);
    expect(withButtons.map((m) => m.text).join(" ")).toBe(sentence.repeat(30).trim());
  });

  it("threads a reply with context.message_id", async () => {
    const { adapter, graph } = await setup();
    await adapter("whatsapp-cloud").send(CITIZEN, { text: "Baik", replyTo: "wamid.ABC" });
    expect(graph.sent(CITIZEN)[0]!.payload).toMatchObject({ context: { message_id: "wamid.ABC" } });
  });

  it("uploads files to /media and sends them by id, the text as the first caption", async () => {
    const { adapter, graph } = await setup();
    const dir = mkdtempSync(join(tmpdir(), "meta-send-"));
    const photo = join(dir, "foto.jpg");
    const letter = join(dir, "surat.pdf");
    writeFileSync(photo, Buffer.alloc(2048, 1));
    writeFileSync(letter, Buffer.from("%PDF-1.4 surat"));
    const result = await adapter("whatsapp-cloud").send(CITIZEN, {
      text: "Balasan petugas untuk ADU-2026-00042",
      attachments: [
        { kind: "image", mime: "image/jpeg", filename: "foto.jpg", path: photo },
        { kind: "document", mime: "application/pdf", filename: "surat.pdf", path: letter },
      ],
    });
    expect(result.ok).toBe(true);
    const uploads = graph.uploads();
    expect(uploads.map((u) => [u.filename, u.type, u.size])).toEqual([
      ["foto.jpg", "image/jpeg", 2048],
      ["surat.pdf", "application/pdf", 14],
    ]);
    const upload = graph.calls.find((c) => c.path.endsWith("/media"))!;
    expect(upload.body).toMatchObject({ messaging_product: "whatsapp", type: "image/jpeg" });
    const sent = graph.sent(CITIZEN);
    expect(sent.map((m) => m.payload.type)).toEqual(["image", "document"]);
    expect(sent[0]!.payload).toMatchObject({ image: { id: uploads[0]!.id, caption: "Balasan petugas untuk ADU-2026-00042" } });
    expect(sent[1]!.payload).toMatchObject({ document: { id: uploads[1]!.id, filename: "surat.pdf" } });
    expect(result).toEqual({ ok: true, providerMessageId: sent[0]!.id });
  });

  it("refuses for good a file that is gone", async () => {
    const { adapter } = await setup();
    const result = fail(
      await adapter("whatsapp-cloud").send(CITIZEN, {
        text: "x".repeat(2000),
        attachments: [{ kind: "document", mime: "application/pdf", path: "/nonexistent/surat.pdf" }],
      }),
    );
    expect(result).toMatchObject({ retryable: false, reason: containing("ENOENT") });
  });

  it("sends the reply template outside the 24-hour window when one is configured", async () => {
    const { adapter, graph } = await setup((fake) => ({
      whatsapp: { token: fake.whatsappToken, phoneNumberId: fake.phoneNumberId, replyTemplate: { name: "balasan_aduan", language: "id" } },
    }));
    const wa = adapter("whatsapp-cloud");
    expect(wa.limits.replyWindow).toEqual({ hours: 24, outside: "template" });
    const lastInboundAt = new Date(NOW.getTime() - 25 * HOUR).toISOString();
    const result = await wa.send(CITIZEN, {
      text: "Balasan petugas untuk ADU-2026-00042:\n\nBerkas Anda sudah   diproses.\n\tSilakan ambil di loket 2.",
      options: ["Ya"],
      lastInboundAt,
    });
    expect(result.ok).toBe(true);
    const [sent] = graph.sent(CITIZEN);
    expect(sent!.payload).toMatchObject({
      type: "template",
      template: {
        name: "balasan_aduan",
        language: { code: "id" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "Balasan petugas untuk ADU-2026-00042: · Berkas Anda sudah diproses. · Silakan ambil di loket 2." },
            ],
          },
        ],
      },
    });
    // A long text is cut to the parameter's 1024 characters.
    await wa.send("6289999999999", { text: "panjang ".repeat(400), lastInboundAt });
    expect(graph.sent("6289999999999")[0]!.text!.length).toBeLessThanOrEqual(1024);
  });

  it("refuses for good, without calling the API, outside the window when no template is configured", async () => {
    const { adapter, graph } = await setup();
    const wa = adapter("whatsapp-cloud");
    expect(wa.limits).toMatchObject({
      maxTextLength: 4096,
      media: true,
      buttons: true,
      delivery: "push",
      canReachLater: true,
      replyWindow: { hours: 24, outside: "none" },
      pacing: { globalPerSecond: 80 },
    });
    const result = await wa.send(CITIZEN, { text: "Balasan petugas", lastInboundAt: new Date(NOW.getTime() - 25 * HOUR).toISOString() });
    expect(result).toEqual({
      ok: false,
      retryable: false,
      reason: "outside WhatsApp's 24-hour window and no WHATSAPP_REPLY_TEMPLATE configured",
    });
    expect(graph.calls).toHaveLength(0);
    // Inside the window: free text.
    expect((await wa.send(CITIZEN, { text: "Balasan petugas", lastInboundAt: new Date(NOW.getTime() - 23 * HOUR).toISOString() })).ok).toBe(
      true,
    );
    expect(graph.sent(CITIZEN)[0]!.type).toBe("text");
  });
});

describe("messenger and instagram sends", () => {
  it("sends Messenger text as a RESPONSE with the page token, stars removed, split at 2000 characters", async () => {
    const { adapter, graph } = await setup();
    const result = await adapter("messenger").send(PSID, { text: "Tiket Anda: *ADU-2026-00042*" });
    expect(result.ok).toBe(true);
    const call = graph.calls[0]!;
    expect(call.path).toBe("/v21.0/me/messages");
    expect(call.query.access_token).toBe(graph.pageAccessToken);
    expect(call.body).toEqual({ recipient: { id: PSID }, messaging_type: "RESPONSE", message: { text: "Tiket Anda: ADU-2026-00042" } });
    expect(result).toEqual({ ok: true, providerMessageId: graph.sent(PSID)[0]!.id });

    const text = "Jalan berlubang di depan kantor kelurahan membahayakan pengendara motor. ".repeat(70).trim();
    await adapter("messenger").send("555", { text });
    const parts = graph.sent("555").map((m) => m.text!);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(parts.join(" ")).toBe(text);
  });

  it("splits Instagram text at 1000 UTF-8 bytes, multi-byte characters included", async () => {
    const { adapter, graph } = await setup();
    const text = "Pelayanan KTP — lambat sekali 🙏 mohon ditindaklanjuti. ".repeat(60).trim();
    expect(text.length).toBeLessThan(4000);
    expect(Buffer.byteLength(text)).toBeGreaterThan(3000);
    const result = await adapter("instagram").send(IGSID, { text });
    expect(result.ok).toBe(true);
    const parts = graph.sent(IGSID).map((m) => m.text!);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    for (const part of parts) expect(Buffer.byteLength(part, "utf8")).toBeLessThanOrEqual(1000);
    expect(parts.join(" ")).toBe(text);
    expect(graph.sent(IGSID).every((m) => m.product === "instagram")).toBe(true);
    // A "word" of emoji longer than the limit is cut between characters, never inside one.
    const emoji = "😩".repeat(600);
    expect((await adapter("instagram").send("999", { text: emoji })).ok).toBe(true);
    const pieces = graph.sent("999").map((m) => m.text!);
    expect(pieces.map((p) => Buffer.byteLength(p))).toEqual([1000, 1000, 400]);
    expect(pieces.join("")).toBe(emoji);
  });

  it("sends options as quick replies on the last part", async () => {
    const { adapter, graph } = await setup();
    await adapter("messenger").send(PSID, { text: "Kirim aduan ini?", options: ["Ya, kirim", "Tidak, ubah", "Batal"] });
    expect(graph.sent(PSID)[0]!.payload).toMatchObject({
      message: {
        text: "Kirim aduan ini?",
        quick_replies: [
          { content_type: "text", title: "Ya, kirim", payload: "opt-1" },
          { content_type: "text", title: "Tidak, ubah", payload: "opt-2" },
          { content_type: "text", title: "Batal", payload: "opt-3" },
        ],
      },
    });
    await adapter("instagram").send(IGSID, {
      text: "Pilih:",
      options: ["1. Perilaku Pegawai", "2. Pelayanan", "3. Sarana Prasarana and more", "4. Lain-lain"],
    });
    expect(graph.sent(IGSID)[0]!.text).toBe("Pilih:\n\n1. Perilaku Pegawai\n2. Pelayanan\n3. Sarana Prasarana and more\n4. Lain-lain");
  });

  it("tags a Messenger reply HUMAN_AGENT after 24 hours and refuses it after 7 days without calling the API", async () => {
    const { adapter, graph } = await setup();
    const messenger = adapter("messenger");
    expect(messenger.limits.replyWindow).toEqual({ hours: 24, outside: "tag" });
    await messenger.send(PSID, { text: "Balasan petugas", lastInboundAt: new Date(NOW.getTime() - 30 * HOUR).toISOString() });
    expect(graph.calls[0]!.body).toMatchObject({ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" });
    const calls = graph.calls.length;
    const result = fail(
      await messenger.send(PSID, { text: "Balasan petugas", lastInboundAt: new Date(NOW.getTime() - 8 * 24 * HOUR).toISOString() }),
    );
    expect(result.retryable).toBe(false);
    expect(result.reason).toContain("7-day");
    expect(graph.calls).toHaveLength(calls);
    await adapter("instagram").send(IGSID, { text: "Balasan petugas", lastInboundAt: new Date(NOW.getTime() - 48 * HOUR).toISOString() });
    expect(graph.calls.at(-1)!.body).toMatchObject({ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" });
  });

  it("uploads Messenger files with the message; Instagram sends the text only", async () => {
    const { adapter, graph } = await setup();
    const dir = mkdtempSync(join(tmpdir(), "meta-send-"));
    const photo = join(dir, "foto.png");
    writeFileSync(photo, Buffer.alloc(1500, 2));
    const file = { kind: "image" as const, mime: "image/png", filename: "foto.png", path: photo };
    expect((await adapter("messenger").send(PSID, { text: "Foto bukti perbaikan", attachments: [file] })).ok).toBe(true);
    const sent = graph.sent(PSID);
    expect(sent.map((m) => m.type)).toEqual(["text", "attachment"]);
    expect(sent[1]!.payload).toMatchObject({
      recipient: { id: PSID },
      messaging_type: "RESPONSE",
      message: { attachment: { type: "image", payload: { is_reusable: false } } },
      filedata: { upload: true, filename: "foto.png", type: "image/png", size: 1500 },
    });
    expect(adapter("instagram").limits.media).toBe(false);
    expect((await adapter("instagram").send(IGSID, { text: "Foto bukti", attachments: [file] })).ok).toBe(true);
    expect(graph.sent(IGSID).map((m) => m.type)).toEqual(["text"]);
    expect(fail(await adapter("instagram").send(IGSID, { text: "", attachments: [file] })).retryable).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

describe("graph errors as SendResult", () => {
  const waError = (code: number, message: string, extra: Partial<{ error_subcode: number; is_transient: boolean }> = {}) => ({
    message,
    code,
    ...extra,
  });

  it("retries a Graph 500 with backoff", async () => {
    const { adapter, graph } = await setup();
    graph.inject("/messages", 500, waError(2, "Service temporarily unavailable", { is_transient: true }));
    const result = fail(await adapter("whatsapp-cloud").send(CITIZEN, { text: "Halo" }));
    expect(result).toMatchObject({ retryable: true, reason: "2 Service temporarily unavailable" });
    expect(result.retryAfterMs).toBeUndefined();
    expect((await adapter("whatsapp-cloud").send(CITIZEN, { text: "Halo" })).ok).toBe(true);
  });

  it("waits out throttling that comes as HTTP 400 with a code: a minute, or Retry-After", async () => {
    const { adapter, graph } = await setup();
    const wa = adapter("whatsapp-cloud");
    graph.inject("/messages", 400, waError(130429, "(#130429) Rate limit hit"));
    expect(fail(await wa.send(CITIZEN, { text: "Halo" }))).toMatchObject({
      retryable: true,
      retryAfterMs: 60_000,
      reason: containing("130429"),
    });
    graph.inject("/messages", 400, waError(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit"), 1, {
      headers: { "retry-after": "12" },
    });
    expect(fail(await wa.send(CITIZEN, { text: "Halo" }))).toMatchObject({ retryable: true, retryAfterMs: 12_000 });
    for (const code of [4, 80007, 131048]) {
      graph.inject("/messages", 400, waError(code, "throttled"));
      expect(fail(await wa.send(CITIZEN, { text: "Halo" }))).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    }
    graph.inject("/me/messages", 429, waError(613, "Calls to this api have exceeded the rate limit."), 1, {
      headers: { "retry-after": "3" },
    });
    expect(fail(await adapter("messenger").send(PSID, { text: "Halo" }))).toMatchObject({ retryable: true, retryAfterMs: 3000 });
  });

  it("records permanent refusals with the code and message", async () => {
    const { adapter, graph } = await setup();
    const wa = adapter("whatsapp-cloud");
    graph.inject("/messages", 400, {
      message: "Re-engagement message",
      code: 131047,
      error_data: {
        details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
      },
    });
    expect(fail(await wa.send(CITIZEN, { text: "Halo" }))).toEqual({
      ok: false,
      retryable: false,
      reason:
        "131047 Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    });
    graph.inject("/messages", 401, waError(190, "Error validating access token: Session has expired", { error_subcode: 463 }));
    expect(fail(await wa.send(CITIZEN, { text: "Halo" }))).toMatchObject({
      retryable: false,
      reason: "190 Error validating access token: Session has expired",
    });
    graph.inject("/messages", 400, waError(131026, "Message undeliverable"));
    expect(fail(await wa.send(CITIZEN, { text: "Halo" })).retryable).toBe(false);
    graph.inject("/me/messages", 400, waError(551, "This person isn't available right now.", { error_subcode: 1545041 }));
    expect(fail(await adapter("messenger").send(PSID, { text: "Halo" }))).toMatchObject({
      retryable: false,
      reason: "551 This person isn't available right now.",
    });
    graph.inject("/me/messages", 400, waError(10, "(#10) This message is sent outside of allowed window.", { error_subcode: 2018278 }));
    expect(fail(await adapter("instagram").send(IGSID, { text: "Halo" })).retryable).toBe(false);
    // The fake's own validation: a wrong token is Graph's 401/190.
    const wrong = createMetaChannels({
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      graphApiBase: graph.url,
      whatsapp: { token: "revoked", phoneNumberId: graph.phoneNumberId },
      maxAttachmentBytes: 1,
    });
    expect(fail(await wrong.adapters[0]!.send(CITIZEN, { text: "Halo" }))).toMatchObject({
      retryable: false,
      reason: matching(/^190 /),
    });
  });

  it("retries when the network fails, and never throws", async () => {
    const { adapter, graph } = await setup();
    graph.injectNetworkFailure("/messages");
    expect(fail(await adapter("whatsapp-cloud").send(CITIZEN, { text: "Halo" }))).toMatchObject({
      retryable: true,
      reason: matching(/^network: /),
    });
    await graph.close();
    expect(fail(await adapter("whatsapp-cloud").send(CITIZEN, { text: "Halo" }))).toMatchObject({
      retryable: true,
      reason: containing("ECONNREFUSED"),
    });
    expect(fail(await adapter("messenger").send(PSID, { text: "Halo" })).retryable).toBe(true);
  });

  it("resumes a split message after a failure instead of sending its first part again", async () => {
    const { adapter, graph } = await setup();
    const wa = adapter("whatsapp-cloud");
    const message = { text: "Paragraf panjang tentang pelayanan. ".repeat(200).trim() };
    graph.inject("/messages", 503, { message: "Service unavailable", code: 2, is_transient: true }, 1, { afterCalls: 1 });
    expect(fail(await wa.send(CITIZEN, message)).retryable).toBe(true);
    expect(graph.sent(CITIZEN)).toHaveLength(1);
    const retried = await wa.send(CITIZEN, message);
    const parts = graph.sent(CITIZEN);
    expect(parts).toHaveLength(2);
    expect(retried).toEqual({ ok: true, providerMessageId: parts[0]!.id });
    expect(parts.map((p) => p.text).join(" ")).toBe(message.text);
  });
});
