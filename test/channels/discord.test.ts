/**
 * The Discord adapter with the real discord.js client against a fake of Discord's REST API and
 * gateway on 127.0.0.1 (test/fakes/discord.ts). Every test has its own fake. Recorded MESSAGE_CREATE
 * payloads are in test/fixtures/discord/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordAdapter, toDiscordMarkdown, type DiscordAdapter, type DiscordAdapterOptions } from "../../channels/discord/index.js";
import { KanalError, type InboundMessage } from "../../src/core/index.js";
import { describeChannelAdapter } from "../contract/channel-adapter.js";
import { startFakeDiscord, type FakeDiscord, type MessageCreateInput } from "../fakes/discord.js";
import { containing } from "../helpers/match.js";

const MESSAGES = "POST /channels/:id/messages";
const CITIZEN = "987654321098765432";
const DM = "1324500000000000001";

type Payload = MessageCreateInput;

function fixture(name: string): Payload {
  return JSON.parse(readFileSync(new URL(`../fixtures/discord/${name}.json`, import.meta.url), "utf8")) as Payload;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeDiscord(): Promise<FakeDiscord> {
  const fake = await startFakeDiscord();
  cleanups.push(() => fake.close());
  return fake;
}

function adapterFor(fake: FakeDiscord, options: Partial<DiscordAdapterOptions> = {}): DiscordAdapter {
  const adapter = createDiscordAdapter({
    token: fake.token,
    apiBase: fake.apiBase,
    maxAttachmentBytes: 1024 * 1024,
    sinkRetryDelaysMs: [10, 20],
    stopGraceMs: 500,
    ...options,
  });
  cleanups.push(() => adapter.stop());
  return adapter;
}

async function started(options: Partial<DiscordAdapterOptions> = {}) {
  const fake = await fakeDiscord();
  const received: InboundMessage[] = [];
  const logs: string[] = [];
  const adapter = adapterFor(fake, { log: (msg) => void logs.push(msg), ...options });
  await adapter.start(async (m) => void received.push(m));
  return { fake, adapter, received, logs };
}

function tempFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "kanal-discord-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("discord: a citizen's direct messages", () => {
  it("logs in through GET /gateway/bot and the gateway, asking for DMs only", async () => {
    const { fake, adapter } = await started();
    expect(adapter.botUserId).toBe(fake.botUser.id);
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toContain("GET /gateway/bot");
    const identify = fake.gatewayReceived.find((p) => p.op === 2)!.d as { intents: number };
    // DirectMessages (1 << 12) only: no MessageContent (1 << 15), which is privileged.
    expect(identify.intents).toBe(1 << 12);
  });

  it("normalises a DM", async () => {
    const { fake, received } = await started();
    fake.dispatchMessageCreate(fixture("dm-text"));
    const [m] = await fake.until(() => received.length > 0 && received);
    expect(m).toMatchObject({
      channel: "discord",
      providerMessageId: "1456119742464000001",
      chatId: DM,
      sender: { id: CITIZEN, displayName: "Sari Wulandari" },
      text: "Selamat siang, saya mau melaporkan pungutan liar di loket KTP",
      attachments: [],
    });
    expect(m!.sender.phone).toBeUndefined();
    // Discord's time of a message is in its snowflake id.
    expect(m!.receivedAt.toISOString()).toBe("2026-01-01T03:00:00.000Z");
  });

  it("takes an attachment, downloading it only when fetched, and the username when there is no display name", async () => {
    const { fake, received } = await started();
    const bytes = new Uint8Array(65536).map((_, i) => (i * 13) % 256);
    const file = fake.registerFile("loket-kosong.jpg", bytes, { contentType: "image/jpeg" });
    const payload = fixture("dm-attachment");
    payload.attachments = payload.attachments!.map((a) => ({ ...a, url: file.url, proxy_url: file.url }));
    fake.dispatchMessageCreate(payload);
    const [m] = await fake.until(() => received.length > 0 && received);
    expect(m!.sender.displayName).toBe("sari.wulandari");
    expect(m!.text).toBe("Ini fotonya");
    expect(m!.attachments).toHaveLength(1);
    const photo = m!.attachments[0]!;
    expect(photo).toMatchObject({ kind: "image", mime: "image/jpeg", size: 65536, filename: "loket-kosong.jpg" });
    expect(fake.downloads()).toHaveLength(0);
    expect(Buffer.from(await photo.fetch()).equals(Buffer.from(bytes))).toBe(true);
  });

  it("refuses an attachment over the limit by its declared size without downloading, and stops one that lied", async () => {
    const { fake, received } = await started({ maxAttachmentBytes: 40_000 });
    const big = fake.registerFile("besar.pdf", new Uint8Array(200_000), { contentType: "application/pdf" });
    const payload = fixture("dm-attachment");
    payload.attachments = [
      { id: "1", filename: "besar.pdf", size: 200_000, url: big.url, proxy_url: big.url, content_type: "application/pdf" },
      { id: "2", filename: "bohong.pdf", size: 1000, url: big.url, proxy_url: big.url, content_type: "application/pdf" },
    ];
    fake.dispatchMessageCreate(payload);
    const [m] = await fake.until(() => received.length > 0 && received);
    const [declared, lying] = m!.attachments;
    expect(declared).toMatchObject({ kind: "document", mime: "application/pdf" });
    await expect(declared!.fetch()).rejects.toMatchObject({ code: "KA_TOO_LARGE" });
    expect(fake.downloads()).toHaveLength(0);
    const error = await lying!.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KanalError);
    expect((error as KanalError).code).toBe("KA_TOO_LARGE");
  });

  it("ignores guild messages, other bots and its own messages", async () => {
    const { fake, adapter, received } = await started();
    fake.dispatchMessageCreate(fixture("guild-message"));
    fake.dispatchMessageCreate(fixture("bot-dm"));
    // Its own reply comes back over the gateway, as on Discord.
    const channel = fake.dmChannelFor(CITIZEN);
    expect((await adapter.send(channel, { text: "Aduan Anda kami terima." })).ok).toBe(true);
    fake.dispatchMessageCreate({ ...fixture("dm-text"), channel_id: channel }); // the marker
    await fake.until(() => received.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.map((m) => m.text)).toEqual(["Selamat siang, saya mau melaporkan pungutan liar di loket KTP"]);
  });

  it("gives a sticker-only DM as an empty text, so the flow asks again", async () => {
    const { fake, received } = await started();
    fake.dispatchMessageCreate(fixture("dm-sticker"));
    const [m] = await fake.until(() => received.length > 0 && received);
    expect(m).toMatchObject({ text: "", attachments: [] });
  });

  it("hands a chat's messages over in order, retrying one the pipeline could not record", async () => {
    const fake = await fakeDiscord();
    const seen: string[] = [];
    let failed = false;
    const adapter = adapterFor(fake);
    await adapter.start(async (m) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (m.text === "satu" && !failed) {
        failed = true;
        throw new Error("database briefly away");
      }
      seen.push(m.text!);
    });
    for (const text of ["satu", "dua", "tiga"]) fake.dispatchMessageCreate({ ...fixture("dm-text"), id: undefined, content: text });
    await fake.until(() => seen.length === 3, 5000, "three messages");
    expect(seen).toEqual(["satu", "dua", "tiga"]);
  });

  it("keeps receiving after the gateway connection drops (discord.js resumes)", async () => {
    const { fake, received } = await started();
    fake.dropConnections(4000);
    await fake.until(() => fake.gatewayReceived.some((p) => p.op === 6), 10_000, "the RESUME");
    await new Promise((resolve) => setTimeout(resolve, 50));
    fake.dispatchMessageCreate(fixture("dm-text"));
    await fake.until(() => received.length > 0, 5000, "the message after the resume");
  });

  it("refuses a token Discord does not accept, with a clear KA_CONFIG error", async () => {
    const fake = await fakeDiscord();
    const adapter = adapterFor(fake, { token: "wrong.token.value" });
    const error = await adapter.start(async () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KanalError);
    expect((error as KanalError).code).toBe("KA_CONFIG");
    expect((error as Error).message).toContain("DISCORD_BOT_TOKEN");
  });

  it("refuses a DISCORD_API_BASE that is not a URL", () => {
    expect(() => createDiscordAdapter({ token: "t", apiBase: "discord.com/api", maxAttachmentBytes: 1 })).toThrow(/DISCORD_API_BASE/);
  });
});

describe("discord: replies", () => {
  it("posts text to the DM channel with bold as Discord writes it and nobody pinged", async () => {
    const { fake, adapter } = await started();
    const result = await adapter.send(DM, { text: "Aduan *ADU-2026-00042* kami terima. @everyone" });
    expect(result.ok).toBe(true);
    const [post] = fake.posted(DM);
    expect(post!.message.content).toBe("Aduan **ADU-2026-00042** kami terima. @everyone");
    expect(post!.body.allowed_mentions).toEqual({ parse: [] });
    expect(result).toEqual({ ok: true, providerMessageId: post!.message.id });
  });

  it("lists options as lines, without repeating what the text shows", async () => {
    const { fake, adapter } = await started();
    await adapter.send(DM, {
      text: "Silakan pilih:\n1. Buat aduan baru\n2. Cek status aduan",
      options: ["1. Buat aduan baru", "2. Cek status aduan"],
    });
    await adapter.send(DM, { text: "Kirim?", options: ["Ya, kirim", "Batal"] });
    expect(fake.posted(DM).map((p) => p.message.content)).toEqual([
      "Silakan pilih:\n1. Buat aduan baru\n2. Cek status aduan",
      "Kirim?\n\n• Ya, kirim\n• Batal",
    ]);
  });

  it("splits text over 2000 characters", async () => {
    const { fake, adapter } = await started();
    const text = "Petugas loket meminta biaya tambahan. ".repeat(130).trim();
    const result = await adapter.send(DM, { text });
    expect(result.ok).toBe(true);
    const parts = fake.posted(DM).map((p) => p.message.content);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(parts.join(" ")).toBe(text);
  });

  it("uploads files from local paths with the text, as multipart", async () => {
    const { fake, adapter } = await started();
    const photo = tempFile("bukti.jpg", Buffer.from("jpeg-bytes"));
    const pdf = tempFile("x.pdf", Buffer.from("%PDF-1.4"));
    const result = await adapter.send(DM, {
      text: "Balasan petugas",
      replyTo: "1456119742464000001",
      attachments: [
        { kind: "image", mime: "image/jpeg", path: photo, filename: "bukti.jpg" },
        { kind: "document", mime: "application/pdf", path: pdf, filename: "surat-balasan.pdf" },
      ],
    });
    expect(result.ok).toBe(true);
    const [post] = fake.posted(DM);
    expect(post!.message.content).toBe("Balasan petugas");
    expect(post!.files.map((f) => [f.filename, f.contentType, f.bytes.toString()])).toEqual([
      ["bukti.jpg", "image/jpeg", "jpeg-bytes"],
      ["surat-balasan.pdf", "application/pdf", "%PDF-1.4"],
    ]);
    expect(post!.body.attachments).toEqual([
      { id: 0, filename: "bukti.jpg" },
      { id: 1, filename: "surat-balasan.pdf" },
    ]);
    expect(post!.body.message_reference).toEqual({ message_id: "1456119742464000001", fail_if_not_exists: false });
  });

  it("returns a 429 to the outbox as retryable with Discord's retry-after, posting nothing", async () => {
    const { fake, adapter } = await started();
    fake.inject429(MESSAGES, 3.5); // body retry_after 3.5, header Retry-After: 4
    const started429 = Date.now();
    const result = await adapter.send(DM, { text: "halo" });
    // Not waited out inside discord.js: the outbox waits, the worker is free meanwhile.
    expect(Date.now() - started429).toBeLessThan(1000);
    // discord.js reads the Retry-After header (whole seconds): never sooner than Discord says.
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 4000 });
    expect(fake.posted(DM)).toHaveLength(0);
  });

  it("reports 50007 (the citizen closed DMs) and 404 as permanent, 5xx as retryable", async () => {
    const { fake, adapter } = await started();
    fake.injectError(MESSAGES, 403, 50007, "Cannot send messages to this user");
    expect(await adapter.send(DM, { text: "halo" })).toMatchObject({
      ok: false,
      retryable: false,
      reason: containing("50007"),
    });
    fake.injectError(MESSAGES, 404, 10003, "Unknown Channel");
    expect(await adapter.send(DM, { text: "halo" })).toMatchObject({ ok: false, retryable: false });
    // discord.js retries a 5xx once itself (retries: 1), then the outbox takes over.
    fake.injectError(MESSAGES, 502, 0, "Bad Gateway", 2);
    expect(await adapter.send(DM, { text: "halo" })).toMatchObject({ ok: false, retryable: true });
    expect(await adapter.send("not-a-channel", { text: "halo" })).toMatchObject({ ok: false, retryable: false });
  });

  it("resumes a split message after a partial failure without posting the first part twice", async () => {
    const { fake, adapter } = await started();
    const text = "Petugas loket meminta biaya tambahan. ".repeat(80).trim();
    // The second part fails (twice: discord.js's own retry included).
    fake.injectError(MESSAGES, 502, 0, "Bad Gateway", 2, 1);
    expect(await adapter.send(DM, { text })).toMatchObject({ ok: false, retryable: true });
    expect(fake.posted(DM)).toHaveLength(1);
    expect((await adapter.send(DM, { text })).ok).toBe(true);
    const parts = fake.posted(DM).map((p) => p.message.content);
    expect(parts).toHaveLength(2);
    expect(parts.join(" ")).toBe(text);
  });

  it("sends without the gateway (REST needs only the token)", async () => {
    const fake = await fakeDiscord();
    const adapter = adapterFor(fake);
    expect((await adapter.send(DM, { text: "halo" })).ok).toBe(true);
  });
});

describe("toDiscordMarkdown", () => {
  it.each([
    ["*Tiket:* ADU-2026-00001", "**Tiket:** ADU-2026-00001"],
    ["5 * 3 * 2", "5 * 3 * 2"],
    ["**sudah tebal**", "**sudah tebal**"],
    ["*a*\n*b*", "**a**\n**b**"],
  ])("%s", (input, expected) => {
    expect(toDiscordMarkdown(input)).toBe(expected);
  });
});

// The shared contract: the gateway never delivers a MESSAGE_CREATE twice, so the redelivery is the
// adapter's own retry; a rate limit is Discord's 429, a permanent refusal 50007.
describeChannelAdapter("discord", async () => {
  const fake = await startFakeDiscord();
  const adapter = createDiscordAdapter({
    token: fake.token,
    apiBase: fake.apiBase,
    maxAttachmentBytes: 1024 * 1024,
    sinkRetryDelaysMs: [20, 50, 100],
    stopGraceMs: 500,
  });
  const chatId = fake.dmChannelFor(CITIZEN);
  return {
    adapter,
    remote: {
      chatId,
      async deliverText(text) {
        fake.dispatchMessageCreate({
          channel_id: chatId,
          channel_type: 1,
          author: { id: CITIZEN, username: "sari", global_name: "Sari" },
          content: text,
        });
      },
      refuseNextSend(kind: "rateLimit" | "permanent", retryAfterSeconds?: number) {
        if (kind === "rateLimit") fake.inject429(MESSAGES, retryAfterSeconds ?? 1);
        else fake.injectError(MESSAGES, 403, 50007, "Cannot send messages to this user");
      },
      sentTexts: () => fake.posted(chatId).map((p) => p.message.content),
      close: () => fake.close(),
    },
  };
});
