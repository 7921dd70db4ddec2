/**
 * The Telegram adapter with the real telegraf client against a fake Bot API on 127.0.0.1
 * (test/fakes/telegram-bot-api.ts). Every test has its own fake.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramAdapter, toTelegramHtml, type TelegramAdapter, type TelegramAdapterOptions } from "../../channels/telegram/index.js";
import { KanalError, type InboundMessage, type StaffAnswer, type StaffMessage, type WebhookRequest } from "../../src/core/index.js";
import { startFakeBotApi, type FakeBotApi } from "../fakes/telegram-bot-api.js";
import { describeChannelAdapter } from "../contract/channel-adapter.js";
import { containing } from "../helpers/match.js";

const OPS = "-1001987654321";
const CITIZEN = "123456789";
const SECRET = "s3cret_Token-for-tests";
const WEBHOOK_URL = "https://aduan.example.go.id/webhooks/telegram";

type Json = Record<string, unknown>;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../fixtures/telegram/${name}.json`, import.meta.url), "utf8")) as Json;
}

/** A fixture's message with other fields (text, message_id…); `remove` drops fields (e.g. the photo). */
function withMessage(name: string, changes: Json, remove: string[] = []): Json {
  const update = fixture(name);
  const message = { ...(update.message as Json), ...changes };
  for (const key of remove) delete message[key];
  return { ...update, message };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A sink that records what it gets and answers staff with `answer`. */
function recorder(answer: StaffAnswer = { messages: [] }) {
  const inbound: InboundMessage[] = [];
  const staff: StaffMessage[] = [];
  return {
    inbound,
    staff,
    sink: async (m: InboundMessage) => void inbound.push(m),
    staffSink: async (m: StaffMessage) => {
      staff.push(m);
      return answer;
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeApi(): Promise<FakeBotApi> {
  const fake = await startFakeBotApi();
  cleanups.push(() => fake.close());
  return fake;
}

function adapterFor(fake: FakeBotApi, options: Partial<TelegramAdapterOptions> = {}): TelegramAdapter {
  const adapter = createTelegramAdapter({
    token: fake.token,
    apiRoot: fake.url,
    opsChatId: OPS,
    maxAttachmentBytes: 1024 * 1024,
    botInfo: fake.botInfo,
    pollingTimeoutSeconds: 1,
    pollingBackoffMs: 50,
    stopGraceMs: 300,
    ...options,
  });
  cleanups.push(() => adapter.stop());
  return adapter;
}

/** A polling adapter, started, with recording sinks. */
async function polling(options: Partial<TelegramAdapterOptions> = {}, answer?: StaffAnswer) {
  const fake = await fakeApi();
  const rec = recorder(answer);
  const adapter = adapterFor(fake, options);
  await adapter.start(rec.sink, { staff: rec.staffSink });
  return { fake, adapter, ...rec };
}

/** Waits until the fake saw the update confirmed: everything before it has been handled. */
const handled = (fake: FakeBotApi, updateId: number) =>
  fake.until(() => fake.updates.isConfirmed(updateId), 5000, `update ${updateId} confirmed`);

describe("telegram: a citizen's messages", () => {
  it("normalises a text message", async () => {
    const { fake, inbound } = await polling();
    const update = fake.pushUpdate(fixture("private-text"));
    const [message] = await fake.until(() => inbound.length > 0 && inbound);
    expect(message).toMatchObject({
      channel: "telegram",
      providerMessageId: `${CITIZEN}:41`,
      chatId: CITIZEN,
      sender: { id: CITIZEN, displayName: "Siti Rahayu" },
      text: "Selamat pagi, saya mau mengadukan antrean <script>alert(1)</script> & loket yang tutup",
      attachments: [],
    });
    expect(message!.receivedAt.toISOString()).toBe(new Date(1767236400 * 1000).toISOString());
    expect((message!.raw as { update_id: number }).update_id).toBe(update.update_id);
  });

  it("takes a photo with its caption and downloads the largest size only when fetched", async () => {
    const { fake, inbound } = await polling();
    const bytes = new Uint8Array(65536).map((_, i) => (i * 7) % 256);
    fake.files.register("AgACAgUAAxkBAAIBKmZlarge", bytes, "photos/file_7.jpg");
    fake.pushUpdate(fixture("private-photo-with-caption"));
    const [message] = await fake.until(() => inbound.length > 0 && inbound);
    expect(message!.text).toBe("Foto loket 3 yang kosong sejak jam 9");
    expect(message!.attachments).toHaveLength(1);
    const photo = message!.attachments[0]!;
    expect(photo).toMatchObject({ kind: "image", mime: "image/jpeg", size: 65536, filename: "photo-AQADlarge.jpg" });
    expect(fake.callsTo("getFile")).toHaveLength(0); // lazy
    const fetched = await photo.fetch();
    expect(Buffer.from(fetched).equals(Buffer.from(bytes))).toBe(true);
    expect(fake.callsTo("getFile").map((c) => c.params.file_id)).toEqual(["AgACAgUAAxkBAAIBKmZlarge"]);
    expect(fake.files.downloads()).toMatchObject([{ path: "photos/file_7.jpg", completed: true }]);
  });

  it("takes the largest photo size that fits the attachment limit", async () => {
    const { fake, inbound } = await polling({ maxAttachmentBytes: 20_000 });
    fake.pushUpdate(fixture("private-photo-with-caption"));
    const [message] = await fake.until(() => inbound.length > 0 && inbound);
    expect(message!.attachments[0]).toMatchObject({ size: 15230, filename: "photo-AQADmedium.jpg" });
  });

  it("takes a document with its name and type", async () => {
    const { fake, inbound } = await polling();
    const pdf = Buffer.from("%PDF-1.7\n% bukti pembayaran\n".padEnd(2048, "."));
    fake.files.register("BQACAgUAAxkBAAIBLGZdoc", pdf, "documents/file_9.pdf");
    fake.pushUpdate(fixture("private-document"));
    const [message] = await fake.until(() => inbound.length > 0 && inbound);
    expect(message!.text).toBeUndefined();
    expect(message!.attachments.map(({ fetch: _, ...a }) => a)).toEqual([
      { kind: "document", mime: "application/pdf", size: 2048, filename: "bukti-pembayaran.pdf" },
    ]);
    expect(Buffer.from(await message!.attachments[0]!.fetch()).equals(pdf)).toBe(true);
  });

  it("refuses a file whose declared size is over the limit without downloading it", async () => {
    const { fake, inbound } = await polling({ maxAttachmentBytes: 1000 });
    fake.files.register("BQACAgUAAxkBAAIBLGZdoc", new Uint8Array(2048), "documents/file_9.pdf");
    fake.pushUpdate(fixture("private-document"));
    const [message] = await fake.until(() => inbound.length > 0 && inbound);
    const error = await message!.attachments[0]!.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KanalError);
    expect((error as KanalError).code).toBe("KA_TOO_LARGE");
    expect(fake.callsTo("getFile")).toHaveLength(0);
    expect(fake.files.downloads()).toHaveLength(0);
  });

  it("stops a download that grows past the limit instead of reading it all", async () => {
    const { fake, inbound } = await polling({ maxAttachmentBytes: 256 * 1024 });
    // The declared size lies and no Content-Length is sent: only the streaming guard can stop it.
    const big = new Uint8Array(16 * 1024 * 1024);
    fake.files.register("BQACAgUAAxkBAAIBLGZdoc", big, "documents/file_9.pdf", { declaredSize: 2048, chunked: true });
    fake.pushUpdate(fixture("private-document"));
    const [message] = await fake.until(() => inbound.length > 0 && inbound);
    const error = await message!.attachments[0]!.fetch().catch((e: unknown) => e);
    expect((error as KanalError).code).toBe("KA_TOO_LARGE");
    const [download] = await fake.until(() => {
      const d = fake.files.downloads();
      return d.length === 1 && d;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(download!.completed).toBe(false);
    expect(download!.bytesSent).toBeLessThan(big.byteLength);
  });

  it("passes a sticker on as an empty message, so the flow asks again", async () => {
    const { fake, inbound } = await polling();
    fake.pushUpdate(fixture("private-sticker"));
    const [message] = await fake.until(() => inbound.length > 0 && inbound);
    expect(message).toMatchObject({ providerMessageId: `${CITIZEN}:44`, text: "", attachments: [] });
  });

  it("turns a shared location into a GeoJSON attachment", async () => {
    const { fake, inbound } = await polling();
    fake.pushUpdate(withMessage("private-text", { message_id: 45, location: { latitude: -6.2, longitude: 106.816666 } }, ["text"]));
    const [message] = await fake.until(() => inbound.length > 0 && inbound);
    const [location] = message!.attachments;
    expect(location).toMatchObject({ kind: "location", mime: "application/geo+json" });
    const geo = JSON.parse(Buffer.from(await location!.fetch()).toString("utf8")) as { geometry: { coordinates: number[] } };
    expect(geo.geometry.coordinates).toEqual([106.816666, -6.2]);
    expect(location!.size).toBe(Buffer.byteLength(JSON.stringify(geo)));
  });

  it("asks Telegram only for messages, button presses and membership changes", async () => {
    const { fake } = await polling();
    const call = await fake.waitForCall("getUpdates");
    expect(call.params.allowed_updates).toEqual(["message", "callback_query", "my_chat_member"]);
  });
});

describe("telegram: long polling", () => {
  it("removes a webhook before polling, and confirms an update only after the sink resolved", async () => {
    const fake = await fakeApi();
    const release = deferred();
    const received: InboundMessage[] = [];
    const adapter = adapterFor(fake);
    await adapter.start(async (m) => {
      received.push(m);
      await release.promise;
    });
    await fake.waitForCall("getUpdates");
    expect(fake.calls.map((c) => c.method).slice(0, 2)).toEqual(["deleteWebhook", "getUpdates"]);
    const update = fake.pushUpdate(fixture("private-text"));
    await fake.until(() => received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fake.updates.isConfirmed(update.update_id)).toBe(false);
    expect(fake.updates.pending().map((u) => u.update_id)).toEqual([update.update_id]);
    release.resolve();
    await handled(fake, update.update_id);
    expect(fake.updates.pending()).toEqual([]);
  });

  it("delivers an unconfirmed update again after a restart, with the same providerMessageId", async () => {
    const fake = await fakeApi();
    const first = adapterFor(fake);
    const seen: string[] = [];
    // The sink never finishes: as if the process died while handling the message.
    await first.start(async (m) => {
      seen.push(m.providerMessageId);
      await new Promise(() => undefined);
    });
    const update = fake.pushUpdate(fixture("private-text"));
    await fake.until(() => seen.length === 1);
    await first.stop();
    expect(fake.updates.isConfirmed(update.update_id)).toBe(false);

    const again: InboundMessage[] = [];
    const second = adapterFor(fake);
    await second.start(async (m) => void again.push(m));
    await fake.until(() => again.length === 1);
    expect(again[0]!.providerMessageId).toBe(seen[0]);
    await handled(fake, update.update_id);
  });

  it("fetches an update again when the sink fails, and confirms it once handled", async () => {
    const fake = await fakeApi();
    const adapter = adapterFor(fake);
    const attempts: string[] = [];
    await adapter.start(async (m) => {
      attempts.push(m.providerMessageId);
      if (attempts.length === 1) throw new Error("database busy");
    });
    const update = fake.pushUpdate(fixture("private-text"));
    await handled(fake, update.update_id);
    expect(attempts).toEqual([`${CITIZEN}:41`, `${CITIZEN}:41`]);
  });

  it("handles one chat's messages in order", async () => {
    const { fake, inbound } = await polling();
    const updates = [41, 42, 43].map((id) => fake.pushUpdate(withMessage("private-text", { message_id: id, text: `pesan ${id}` })));
    await handled(fake, updates[2]!.update_id);
    expect(inbound.map((m) => m.text)).toEqual(["pesan 41", "pesan 42", "pesan 43"]);
  });

  it("stops promptly and can be stopped twice", async () => {
    const { fake, adapter } = await polling({ pollingTimeoutSeconds: 30 });
    await fake.waitForCall("getUpdates");
    const started = Date.now();
    await adapter.stop();
    await adapter.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("telegram: text helpers", () => {
  it("converts markup without touching stray stars", () => {
    expect(toTelegramHtml("*Status:* diproses\n5 * 3 * 2 & <b>")).toBe("<b>Status:</b> diproses\n5 * 3 * 2 &amp; &lt;b&gt;");
  });
});

describe("telegram: sending", () => {
  async function sender() {
    const fake = await fakeApi();
    const adapter = adapterFor(fake);
    return { fake, adapter };
  }

  it("converts *bold* to HTML and keeps what the citizen typed as text", async () => {
    const { fake, adapter } = await sender();
    const result = await adapter.send(CITIZEN, { text: "*Tiket ADU-2026-00001*\nIsi: <script>alert(1)</script> & antre" });
    const [sent] = fake.sent(CITIZEN);
    expect(result).toEqual({ ok: true, providerMessageId: String(sent!.messageId) });
    expect(sent!.parseMode).toBe("HTML");
    expect(sent!.source).toBe("<b>Tiket ADU-2026-00001</b>\nIsi: &lt;script&gt;alert(1)&lt;/script&gt; &amp; antre");
    expect(sent!.text).toBe("Tiket ADU-2026-00001\nIsi: <script>alert(1)</script> & antre");
    expect(sent!.entities).toEqual([{ type: "bold", offset: 0, length: 20 }]);
    // No options in a private chat: a keyboard left from an earlier question is removed.
    expect(sent!.replyMarkup).toEqual({ remove_keyboard: true });
  });

  it("shows options as a one-time reply keyboard, two short ones to a row", async () => {
    const { fake, adapter } = await sender();
    await adapter.send(CITIZEN, { text: "Kirim aduan ini?", options: ["Ya, kirim", "Tidak, ubah", "Batal"] });
    await adapter.send(CITIZEN, { text: "Menu", options: ["1. Buat aduan baru", "2. Cek status aduan"] });
    const [confirm, menu] = fake.sent(CITIZEN);
    expect(confirm!.replyMarkup).toEqual({
      keyboard: [[{ text: "Ya, kirim" }, { text: "Tidak, ubah" }], [{ text: "Batal" }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
    expect(menu!.replyMarkup).toMatchObject({ keyboard: [[{ text: "1. Buat aduan baru" }], [{ text: "2. Cek status aduan" }]] });
  });

  it("shows buttons as an inline keyboard, and refuses callback data over 64 bytes", async () => {
    const { fake, adapter } = await sender();
    const result = await adapter.send(OPS, {
      text: "Aduan baru ADU-2026-00001",
      buttons: [
        [
          { label: "Tutup", data: "close:ADU-2026-00001" },
          { label: "Status", data: "status:ADU-2026-00001" },
        ],
      ],
    });
    expect(result.ok).toBe(true);
    expect(fake.sent(OPS)[0]!.replyMarkup).toEqual({
      inline_keyboard: [
        [
          { text: "Tutup", callback_data: "close:ADU-2026-00001" },
          { text: "Status", callback_data: "status:ADU-2026-00001" },
        ],
      ],
    });
    const refused = await adapter.send(OPS, { text: "x", buttons: [[{ label: "Terlalu panjang", data: "x".repeat(65) }]] });
    expect(refused).toMatchObject({ ok: false, retryable: false });
    expect(fake.sent(OPS)).toHaveLength(1);
  });

  it("threads a reply with reply_parameters, by our id or an inbound one", async () => {
    const { fake, adapter } = await sender();
    const card = await adapter.send(OPS, { text: "Aduan baru ADU-2026-00001" });
    if (!card.ok) throw new Error(card.reason);
    await adapter.send(OPS, { text: "Sudah dibalas", replyTo: card.providerMessageId });
    await adapter.send(OPS, { text: "Juga", replyTo: `${OPS}:${card.providerMessageId}` });
    const [, reply, also] = fake.sent(OPS);
    expect(reply!.params.reply_parameters).toEqual({ message_id: Number(card.providerMessageId), allow_sending_without_reply: true });
    expect(reply!.replyToMessageId).toBe(Number(card.providerMessageId));
    expect(also!.replyToMessageId).toBe(Number(card.providerMessageId));
  });

  it("splits text over 4096 characters at paragraph boundaries and returns the first part's id", async () => {
    const { fake, adapter } = await sender();
    const paragraph = (n: number) => `Paragraf ${n}: ${"isi aduan yang panjang ".repeat(60).trim()}`;
    const text = Array.from({ length: 9 }, (_, i) => paragraph(i + 1)).join("\n\n");
    expect(text.length).toBeGreaterThan(2 * 4096);
    const result = await adapter.send(CITIZEN, { text, options: ["Selesai"] });
    const parts = fake.sent(CITIZEN);
    expect(parts.length).toBe(5); // two ~1,400-character paragraphs fit in a part, three do not
    expect(result).toEqual({ ok: true, providerMessageId: String(parts[0]!.messageId) });
    for (const part of parts) {
      expect(part.text!.length).toBeLessThanOrEqual(4096);
      expect(part.text!.startsWith("Paragraf ")).toBe(true); // cut between paragraphs
    }
    expect(parts.map((p) => p.text).join("\n\n")).toBe(text);
    expect(parts.slice(0, 4).every((p) => p.replyMarkup === undefined)).toBe(true);
    expect(parts[4]!.replyMarkup).toMatchObject({ keyboard: [[{ text: "Selesai" }]] });
  });

  it("resumes a split message after a refusal instead of sending its first part twice", async () => {
    const { fake, adapter } = await sender();
    const text = `${"a ".repeat(1500).trim()}\n\n${"b ".repeat(1500).trim()}`;
    fake.inject429("sendMessage", 3, 1);
    fake.inject("sendMessage", 500, "Internal Server Error", 1, { afterCalls: 1 });
    // (the 429 comes first; then one call passes and the next fails)
    expect(await adapter.send(CITIZEN, { text })).toMatchObject({ ok: false, retryable: true, retryAfterMs: 3000 });
    expect(await adapter.send(CITIZEN, { text })).toMatchObject({ ok: false, retryable: true });
    const retried = await adapter.send(CITIZEN, { text });
    const parts = fake.sent(CITIZEN);
    expect(parts.map((p) => p.text![0])).toEqual(["a", "b"]);
    expect(retried).toEqual({ ok: true, providerMessageId: String(parts[0]!.messageId) });
  });

  it("sends a photo from a local file with the text as caption", async () => {
    const { fake, adapter } = await sender();
    const dir = mkdtempSync(join(tmpdir(), "ka-telegram-"));
    const path = join(dir, "bukti.jpg");
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 1)]);
    writeFileSync(path, jpeg);
    const result = await adapter.send(OPS, {
      text: "*Balasan* untuk ADU-2026-00001",
      replyTo: "87",
      attachments: [{ kind: "image", mime: "image/jpeg", filename: "bukti.jpg", path }],
    });
    expect(result.ok).toBe(true);
    const [sent] = fake.sent(OPS);
    expect(sent).toMatchObject({ method: "sendPhoto", caption: "Balasan untuk ADU-2026-00001", parseMode: "HTML" });
    expect(sent!.file).toEqual({ upload: true, filename: "bukti.jpg", size: jpeg.byteLength });
    // telegraf drops object fields from multipart uploads: the reply must still arrive.
    expect(sent!.params.reply_parameters).toEqual({ message_id: 87, allow_sending_without_reply: true });

    // A text too long for a caption goes first, on its own; the document follows without caption.
    const pdf = join(dir, "surat.pdf");
    writeFileSync(pdf, "%PDF-1.4");
    await adapter.send(OPS, { text: "x ".repeat(700), attachments: [{ kind: "document", mime: "application/pdf", path: pdf }] });
    const [, text, document] = fake.sent(OPS);
    expect(text!.method).toBe("sendMessage");
    expect(document).toMatchObject({ method: "sendDocument", caption: undefined, file: { filename: "surat.pdf" } });
  });

  it("reports 429 as retryable after retry_after", async () => {
    const { fake, adapter } = await sender();
    fake.inject429("sendMessage", 7);
    expect(await adapter.send(CITIZEN, { text: "halo" })).toEqual({
      ok: false,
      retryable: true,
      retryAfterMs: 7000,
      reason: "429 Too Many Requests: retry after 7",
    });
  });

  it("reports a server error as retryable", async () => {
    const { fake, adapter } = await sender();
    fake.inject("sendMessage", 500, "Internal Server Error");
    expect(await adapter.send(CITIZEN, { text: "halo" })).toMatchObject({ ok: false, retryable: true });
  });

  it("reports a blocked bot as a permanent refusal with the reason", async () => {
    const { fake, adapter } = await sender();
    fake.inject("sendMessage", 403, "Forbidden: bot was blocked by the user");
    expect(await adapter.send(CITIZEN, { text: "halo" })).toEqual({
      ok: false,
      retryable: false,
      reason: "403 Forbidden: bot was blocked by the user",
    });
  });

  it("reports an unreachable API as retryable, without throwing", async () => {
    const { fake, adapter } = await sender();
    await fake.close();
    const result = await adapter.send(CITIZEN, { text: "halo" });
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (!result.ok) expect(result.reason).not.toContain(fake.token);
  });

  it("fails to start with a clear KA_CONFIG error when Telegram refuses the token or the webhook URL", async () => {
    const fake = await fakeApi();
    const wrongToken = adapterFor(fake, { token: "7000000001:wrong", botInfo: undefined });
    await expect(wrongToken.start(async () => undefined)).rejects.toMatchObject({
      code: "KA_CONFIG",
      message: containing("TELEGRAM_BOT_TOKEN"),
    });
    const plainHttp = adapterFor(fake, { webhook: { url: "http://aduan.example.go.id/webhooks/telegram", secret: SECRET } });
    await expect(plainHttp.start(async () => undefined)).rejects.toMatchObject({
      code: "KA_CONFIG",
      message: containing("https"),
    });
    expect(() => adapterFor(fake, { webhook: { url: WEBHOOK_URL, secret: "has spaces" } })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });

  it("has Telegram's limits and pacing", () => {
    const adapter = createTelegramAdapter({ token: "1:x", apiRoot: "http://127.0.0.1:1", maxAttachmentBytes: 1 });
    expect(adapter.name).toBe("telegram");
    expect(adapter.limits).toEqual({
      maxTextLength: 4096,
      media: true,
      buttons: true,
      delivery: "push",
      canReachLater: true,
      pacing: { perChatMs: 1000, groupPerMinute: 20, globalPerSecond: 30 },
      oneMessagePerStep: true,
    });
    expect(adapter.webhook).toBeUndefined();
  });
});

describe("telegram: staff", () => {
  const answer: StaffAnswer = {
    messages: [{ text: "*Terkirim* ke pelapor ADU-2026-00001" }, { text: "Catatan: lihat kartu", replyTo: "87" }],
    callbackNotice: "Aduan ditutup",
  };

  it("passes a reply to a bot message in the ops group on, and posts the answer as replies", async () => {
    const { fake, staff, inbound } = await polling({}, answer);
    const update = fake.pushUpdate(fixture("ops-reply-to-card"));
    await handled(fake, update.update_id);
    expect(inbound).toEqual([]);
    expect(staff).toHaveLength(1);
    expect(staff[0]).toMatchObject({
      updateId: String(update.update_id),
      chatKind: "ops",
      chatId: OPS,
      messageId: "88",
      replyToMessageId: "87",
      text: "Terima kasih, loket 3 sudah dibuka kembali pukul 10.15.",
      from: { id: "222333444", name: "Budi Santoso", username: "budi_ops" },
      attachments: [],
    });
    const sent = fake.sent(OPS);
    expect(sent.map((m) => [m.text, m.replyToMessageId])).toEqual([
      ["Terkirim ke pelapor ADU-2026-00001", 88],
      ["Catatan: lihat kartu", 87],
    ]);
    expect(sent[0]!.params.reply_parameters).toEqual({ message_id: 88, allow_sending_without_reply: true });
  });

  it("reduces /command@ThisBot to /command, and leaves commands for other bots alone", async () => {
    const { fake, staff } = await polling();
    fake.pushUpdate(fixture("ops-command"));
    const other = fake.pushUpdate(withMessage("ops-command", { message_id: 90, text: "/balas@OtherBot ADU-2026-00001 teks" }));
    await handled(fake, other.update_id);
    expect(staff.map((m) => m.text)).toEqual(["/balas ADU-2026-00001 teks"]);
    expect(staff[0]!.replyToMessageId).toBeUndefined();
  });

  it("passes a staff photo in the ops group on with its caption", async () => {
    const { fake, staff } = await polling();
    const photo = (fixture("private-photo-with-caption").message as Json).photo;
    const update = fake.pushUpdate(withMessage("ops-reply-to-card", { message_id: 91, photo, caption: "Foto perbaikan" }, ["text"]));
    await handled(fake, update.update_id);
    expect(staff[0]).toMatchObject({ chatKind: "ops", text: "Foto perbaikan", replyToMessageId: "87" });
    expect(staff[0]!.attachments[0]).toMatchObject({ kind: "image", filename: "photo-AQADlarge.jpg" });
  });

  it("passes a button press on and answers it with the console's notice", async () => {
    const { fake, staff } = await polling({}, answer);
    const update = fake.pushUpdate(fixture("callback-query"));
    await handled(fake, update.update_id);
    expect(staff[0]).toMatchObject({
      updateId: String(update.update_id),
      chatKind: "ops",
      chatId: OPS,
      messageId: "87",
      callbackData: "close:ADU-2026-00001",
      text: "",
      from: { id: "222333444", username: "budi_ops" },
    });
    expect(fake.callsTo("answerCallbackQuery").map((c) => c.params)).toEqual([
      { callback_query_id: "4382bfdwdsb323b2d9", text: "Aduan ditutup" },
    ]);
    expect(fake.sent(OPS).map((m) => m.replyToMessageId)).toEqual([87, 87]);
  });

  it("takes /identitas in a private chat to the staff console and /start to the citizen flow", async () => {
    const { fake, staff, inbound } = await polling();
    fake.pushUpdate(withMessage("private-text", { message_id: 50, text: "/identitas ADU-2026-00001" }));
    const start = fake.pushUpdate(withMessage("private-text", { message_id: 51, text: "/start" }));
    await handled(fake, start.update_id);
    expect(staff).toMatchObject([{ chatKind: "private", chatId: CITIZEN, text: "/identitas ADU-2026-00001" }]);
    expect(inbound.map((m) => m.text)).toEqual(["/start"]);
  });

  it("takes only commands from other groups, marked as such", async () => {
    const { fake, staff, inbound } = await polling();
    const group = { id: -1001222333444, title: "Grup Warga RW 05", type: "supergroup" };
    fake.pushUpdate(withMessage("ops-command", { message_id: 5, chat: group, text: "/status@KanalAduanBot ADU-2026-00001" }));
    const chatter = fake.pushUpdate(
      withMessage("ops-command", { message_id: 6, chat: group, text: "ada yang tahu jam buka kantor?" }, ["entities"]),
    );
    await handled(fake, chatter.update_id);
    expect(staff).toMatchObject([{ chatKind: "other", chatId: "-1001222333444", text: "/status ADU-2026-00001" }]);
    expect(inbound).toEqual([]);
  });
});

describe("telegram: webhook mode", () => {
  async function webhookAdapter() {
    const fake = await fakeApi();
    const rec = recorder();
    const adapter = adapterFor(fake, { webhook: { url: WEBHOOK_URL, secret: SECRET } });
    await adapter.start(rec.sink, { staff: rec.staffSink });
    return { fake, adapter, ...rec };
  }

  const request = (body: string | object, secret?: string, method: "GET" | "POST" = "POST"): WebhookRequest => ({
    method,
    headers: { "content-type": "application/json", ...(secret !== undefined ? { "x-telegram-bot-api-secret-token": secret } : {}) },
    query: {},
    rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  });

  it("registers the webhook with its secret on start and never polls", async () => {
    const { fake, adapter } = await webhookAdapter();
    expect(adapter.webhook?.path).toBe("telegram");
    expect(fake.webhookInfo()).toEqual({
      url: WEBHOOK_URL,
      secretToken: SECRET,
      allowedUpdates: ["message", "callback_query", "my_chat_member"],
    });
    expect(fake.callsTo("getUpdates")).toEqual([]);
    expect(fake.callsTo("deleteWebhook")).toEqual([]);
  });

  it("refuses a missing or wrong secret and lets nothing through", async () => {
    const { adapter, inbound, staff } = await webhookAdapter();
    const update = fixture("private-text");
    expect(await adapter.webhook!.handle(request(update))).toMatchObject({ status: 401 });
    expect(await adapter.webhook!.handle(request(update, "wrong"))).toMatchObject({ status: 401 });
    expect(await adapter.webhook!.handle(request(update, `${SECRET}x`))).toMatchObject({ status: 401 });
    expect((await adapter.webhook!.handle(request(update, SECRET, "GET"))).status).toBe(405);
    expect(inbound).toEqual([]);
    expect(staff).toEqual([]);
  });

  it("hands an update with the right secret to the sink and answers 200", async () => {
    const { adapter, inbound } = await webhookAdapter();
    const response = await adapter.webhook!.handle(request(fixture("private-text"), SECRET));
    expect(response).toEqual({ status: 200, body: {} });
    expect(inbound.map((m) => m.providerMessageId)).toEqual([`${CITIZEN}:41`]);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const { adapter, inbound } = await webhookAdapter();
    expect((await adapter.webhook!.handle(request("{not json", SECRET))).status).toBe(400);
    expect((await adapter.webhook!.handle(request({ hello: "world" }, SECRET))).status).toBe(400);
    expect(inbound).toEqual([]);
  });

  it("acknowledges edited messages and channel posts and ignores them", async () => {
    const { adapter, inbound, staff } = await webhookAdapter();
    for (const name of ["edited-message", "channel-post"]) {
      expect(await adapter.webhook!.handle(request(fixture(name), SECRET))).toEqual({ status: 200, body: {} });
    }
    expect(inbound).toEqual([]);
    expect(staff).toEqual([]);
  });

  it("answers 500 when the sink fails, so Telegram delivers the update again", async () => {
    const fake = await fakeApi();
    const adapter = adapterFor(fake, { webhook: { url: WEBHOOK_URL, secret: SECRET } });
    await adapter.start(async () => {
      throw new Error("database down");
    });
    expect((await adapter.webhook!.handle(request(fixture("private-text"), SECRET))).status).toBe(500);
  });
});

describeChannelAdapter("telegram", async () => {
  const fake = await startFakeBotApi();
  let nextMessageId = 100;
  const adapter = createTelegramAdapter({
    token: fake.token,
    apiRoot: fake.url.replace(/\/$/, ""), // without the trailing slash: the adapter adds it
    maxAttachmentBytes: 1024 * 1024,
    botInfo: fake.botInfo,
    pollingTimeoutSeconds: 1,
    pollingBackoffMs: 50,
    stopGraceMs: 300,
  });
  return {
    adapter,
    remote: {
      chatId: CITIZEN,
      async deliverText(text: string) {
        fake.pushUpdate(withMessage("private-text", { message_id: nextMessageId++, text }));
      },
      refuseNextSend(kind: "rateLimit" | "permanent", retryAfterSeconds?: number) {
        if (kind === "rateLimit") fake.inject429("sendMessage", retryAfterSeconds ?? 1);
        else fake.inject("sendMessage", 403, "Forbidden: bot was blocked by the user");
      },
      sentTexts: () => fake.sent(CITIZEN).map((m) => m.text ?? ""),
      close: () => fake.close(),
    },
  };
});
