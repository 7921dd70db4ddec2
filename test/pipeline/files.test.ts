import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ChannelName, InboundAttachment, InboundMessage } from "../../src/core/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import { AttachmentStore, sweepAttachments } from "../../src/storage/index.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { HOSTILE, SAMPLES } from "../helpers/sample-files.js";

let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const MB = 1024 * 1024;
const templates = loadTemplates();
const SETTINGS = { officeName: "Kecamatan Uji", ticketPrefix: "ADU", defaultLocale: "id" as const, timeZone: "Asia/Jakarta" };

async function pipelineWith(limits: { maxFiles?: number; budget?: number; maxBytes?: number } = {}): Promise<TestPipeline> {
  const handle = await createTestPipeline();
  await handle.pipeline.close();
  // The same database and directory, with the limits under test.
  const limited = await createTestPipeline({
    databaseUrl: handle.url,
    dir: handle.dir,
    overrides: {
      settings: { ...SETTINGS, maxFilesPerComplaint: limits.maxFiles, maxBytesPerConversation: limits.budget },
      attachments: new AttachmentStore(join(handle.dir, "attachments"), limits.maxBytes ?? 10 * MB),
    },
  });
  return {
    ...limited,
    async close() {
      await limited.close();
      await handle.close();
    },
  };
}

/** Counts downloads: a refused file must not even be fetched. */
class Files {
  fetches = 0;
  make(bytes: Uint8Array, extra: Partial<InboundAttachment> = {}): InboundAttachment {
    return {
      kind: "document",
      mime: "image/jpeg",
      size: bytes.byteLength,
      filename: "bukti.jpg",
      fetch: async () => {
        this.fetches += 1;
        return bytes;
      },
      ...extra,
    };
  }
}

/** A distinct JPEG of about `size` bytes (content-addressed storage would share equal ones). */
function jpegOf(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, SAMPLES.jpeg.byteLength + 4));
  bytes.set(SAMPLES.jpeg);
  new DataView(bytes.buffer).setUint32(bytes.byteLength - 4, seed);
  return bytes;
}

function withFiles(chatId: string, attachments: InboundAttachment[], extra: Partial<InboundMessage> = {}): InboundMessage {
  return { ...textMessage(chatId, "", extra), text: extra.text, attachments };
}

function filesOnDisk(handle: TestPipeline): string[] {
  const dir = join(handle.dir, "attachments");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dir, f)).isFile());
}

async function say(handle: TestPipeline, chatId: string, lines: readonly string[], extra: Partial<InboundMessage> = {}) {
  for (const line of lines) await handle.pipeline.receive(textMessage(chatId, line, extra));
}

const atEvidence = (handle: TestPipeline, chatId: string, extra: Partial<InboundMessage> = {}) =>
  say(handle, chatId, ["halo", ...ANONYMOUS_INTAKE.slice(0, 4)], extra);

const CHANNELS: { channel: ChannelName; sender: InboundMessage["sender"] }[] = [
  { channel: "webchat", sender: { id: "w" } },
  { channel: "terminal", sender: { id: "t" } },
  { channel: "telegram", sender: { id: "7", displayName: "Budi" } },
  { channel: "whatsapp-cloud", sender: { id: "6281234567890", phone: "+6281234567890" } },
  { channel: "whatsapp-web", sender: { id: "6281234567891@c.us", phone: "+6281234567891" } },
  { channel: "messenger", sender: { id: "psid-1" } },
  { channel: "instagram", sender: { id: "igsid-1" } },
  { channel: "discord", sender: { id: "d-1", displayName: "budi" } },
  { channel: "email", sender: { id: "warga@contoh.id", email: "warga@contoh.id" } },
];

describe("files outside a complaint are not stored (issue 13, uploads)", () => {
  it.each(CHANNELS)(
    "$channel: 20 files of 5 MB at the menu are neither downloaded nor stored; the bot explains",
    async ({ channel, sender }) => {
      t = await createTestPipeline();
      const chatId = `menu-${channel}`;
      await say(t, chatId, ["halo"], { channel, sender });
      const files = new Files();
      const twenty = Array.from({ length: 20 }, (_, i) => files.make(jpegOf(5 * MB, i), { size: 5 * MB, filename: `foto-${i}.jpg` }));
      const result = await t.pipeline.receive(withFiles(chatId, twenty, { channel, sender }));
      expect(files.fetches).toBe(0);
      expect(filesOnDisk(t)).toEqual([]);
      expect(await t.db.prisma.attachment.count()).toBe(0);
      expect(result.files).toEqual(Array.from({ length: 20 }, () => ({ accepted: false, reason: "notNow" })));
      const notNow = templates.id["file.declined.notNow"]!.split("{count}")[0]!;
      expect(result.replies[0]!.text.startsWith(notNow)).toBe(true);
    },
  );

  it("a status question, or batal with a photo, stores nothing either", async () => {
    t = await createTestPipeline();
    const files = new Files();
    await say(t, "s-1", ["halo", "2"]);
    const asked = await t.pipeline.receive(withFiles("s-1", [files.make(SAMPLES.jpeg)]));
    expect(asked.files).toEqual([{ accepted: false, reason: "notNow" }]);
    await atEvidence(t, "s-2");
    const cancelled = await t.pipeline.receive(withFiles("s-2", [files.make(SAMPLES.jpeg)], { text: "batal" }));
    expect(cancelled.files).toEqual([{ accepted: false, reason: "notNow" }]);
    expect(files.fetches).toBe(0);
    expect(await t.db.prisma.attachment.count()).toBe(0);
  });

  it("a photo whose caption is the complaint starts one and is kept as its evidence", async () => {
    t = await createTestPipeline();
    const files = new Files();
    await say(t, "c-1", ["halo"]);
    const caption = "Jalan di depan kantor desa berlubang besar dan sudah memakan korban";
    const result = await t.pipeline.receive(withFiles("c-1", [files.make(SAMPLES.jpeg)], { text: caption }));
    expect(result.files).toEqual([{ accepted: true }]);
    const rows = await t.db.prisma.attachment.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ complaintId: null, mime: "image/jpeg" });
  });
});

describe("evidence while a complaint is written", () => {
  it("an e-mail carrying 300 junk attachments gets a short answer and a short history line", async () => {
    t = await createTestPipeline();
    const files = new Files();
    const sender = { id: "warga@contoh.id", email: "warga@contoh.id" };
    await say(t, "mail-1", ["halo", ...ANONYMOUS_INTAKE.slice(0, 4)], { channel: "email", sender });
    const junk = Array.from({ length: 300 }, (_, i) =>
      files.make(HOSTILE.text, { mime: "image/jpeg", filename: `${"n".repeat(500)}-${i}.jpg` }),
    );
    const result = await t.pipeline.receive(withFiles("mail-1", junk, { channel: "email", sender }));
    expect(result.replies.map((r) => r.text).join("\n").length).toBeLessThan(2500);
    const line = await t.db.prisma.message.findFirstOrThrow({ where: { direction: "in" }, orderBy: { id: "desc" } });
    expect(line.text.length).toBeLessThan(1200);
    expect(line.text).toContain("+290");
    expect(await t.db.prisma.attachment.count()).toBe(0);
  });

  it("is stored under its real type, lies refused or corrected, empty refused, names cut; the complaint gets what was kept", async () => {
    t = await createTestPipeline();
    const files = new Files();
    await atEvidence(t, "e-1");
    const result = await t.pipeline.receive(
      withFiles("e-1", [
        files.make(HOSTILE.exe, { mime: "image/jpeg", filename: "foto.jpg" }),
        files.make(HOSTILE.html, { mime: "image/png", filename: "bukti.png" }),
        files.make(new Uint8Array(0), { filename: "kosong.jpg" }),
        files.make(SAMPLES.png, { mime: "image/jpeg", filename: `${"x".repeat(70_000)}.jpg` }),
        files.make(SAMPLES.docx, { mime: "application/octet-stream", filename: "surat\u202Excod.exe" }),
      ]),
    );
    expect(result.files).toEqual([
      { accepted: false, reason: "type" },
      { accepted: false, reason: "type" },
      { accepted: false, reason: "empty" },
      { accepted: true },
      { accepted: true },
    ]);
    const text = result.replies.map((r) => r.text).join("\n");
    expect(text).toContain("application/x-msdownload");
    expect(text).toContain("bukti.png");
    expect(text).toContain("kosong.jpg");
    // The history line names the files by their cleaned names: never 70,000 characters.
    const line = await t.db.prisma.message.findFirstOrThrow({ where: { direction: "in" }, orderBy: { id: "desc" } });
    expect(line.text.length).toBeLessThan(400);

    await say(t, "e-1", ["selesai", "ya"]);
    const complaint = await t.db.prisma.complaint.findFirstOrThrow({ include: { attachments: { orderBy: { mime: "asc" } } } });
    expect(complaint.attachments.map((a) => [a.mime, a.filename])).toEqual([
      ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "suratxcod.docx"],
      ["image/png", `${"x".repeat(96)}.png`],
    ]);
    // What was refused never reached the disk; what was kept is there once each.
    expect(filesOnDisk(t)).toHaveLength(2);
  });

  it("ATTACHMENT_MAX_FILES holds per complaint: its evidence and its follow-ups together", async () => {
    t = await pipelineWith({ maxFiles: 3 });
    const files = new Files();
    await atEvidence(t, "n-1");
    const five = await t.pipeline.receive(
      withFiles(
        "n-1",
        [0, 1, 2, 3, 4].map((i) => files.make(jpegOf(100, i))),
      ),
    );
    expect(five.files!.map((f) => f.accepted)).toEqual([true, true, true, false, false]);
    expect(five.files![4]).toEqual({ accepted: false, reason: "tooMany" });
    expect(files.fetches).toBe(3);
    expect(five.replies[0]!.text).toContain("3");
    const receipt = (await t.pipeline.receive(textMessage("n-1", "selesai")), await t.pipeline.receive(textMessage("n-1", "ya")));
    expect(receipt.replies.map((r) => r.text).join(" ")).toMatch(TICKET);
    const followUp = await t.pipeline.receive(withFiles("n-1", [files.make(jpegOf(100, 9))], { text: "satu foto lagi" }));
    expect(followUp.files).toEqual([{ accepted: false, reason: "tooMany" }]);
    expect(files.fetches).toBe(3);
    const complaint = await t.db.prisma.complaint.findFirstOrThrow({ include: { attachments: true } });
    expect(complaint.attachments).toHaveLength(3);
    expect(await t.db.prisma.attachment.count()).toBe(3);
  });

  it("a refused file takes no place among a complaint's files", async () => {
    t = await pipelineWith({ maxFiles: 2 });
    const files = new Files();
    await atEvidence(t, "m-1");
    const result = await t.pipeline.receive(
      withFiles("m-1", [files.make(HOSTILE.exe), files.make(jpegOf(100, 1)), files.make(jpegOf(100, 2)), files.make(jpegOf(100, 3))]),
    );
    expect(result.files).toEqual([
      { accepted: false, reason: "type" },
      { accepted: true },
      { accepted: true },
      { accepted: false, reason: "tooMany" },
    ]);
    expect(files.fetches).toBe(3);
  });

  it("follow-ups to one's own filed complaint are stored until the complaint is full", async () => {
    t = await pipelineWith({ maxFiles: 2 });
    const files = new Files();
    await say(t, "f-1", ["halo", ...ANONYMOUS_INTAKE]);
    const added = await t.pipeline.receive(
      withFiles(
        "f-1",
        [1, 2, 3].map((i) => files.make(jpegOf(100, i))),
      ),
    );
    expect(added.files!.map((f) => f.accepted)).toEqual([true, true, false]);
    const complaint = await t.db.prisma.complaint.findFirstOrThrow({ include: { attachments: true } });
    expect(complaint.attachments).toHaveLength(2);
  });

  it("the conversation's byte budget: a file that would pass it is refused, before downloading when its size is declared", async () => {
    t = await pipelineWith({ budget: 250_000 });
    const files = new Files();
    await atEvidence(t, "b-1");
    const first = await t.pipeline.receive(withFiles("b-1", [files.make(jpegOf(100_000, 1)), files.make(jpegOf(100_000, 2))]));
    expect(first.files).toEqual([{ accepted: true }, { accepted: true }]);
    const declared = await t.pipeline.receive(withFiles("b-1", [files.make(jpegOf(100_000, 3))]));
    expect(declared.files).toEqual([{ accepted: false, reason: "quota" }]);
    expect(files.fetches).toBe(2);
    expect(declared.replies[0]!.text).toMatch(/0[.,]2 MB/);
    // A declared size can be missing (0) or lie: the real size decides after the download.
    const undeclared = await t.pipeline.receive(withFiles("b-1", [files.make(jpegOf(100_000, 4), { size: 0 })]));
    expect(undeclared.files).toEqual([{ accepted: false, reason: "quota" }]);
    expect(filesOnDisk(t)).toHaveLength(2);
    expect(await t.db.prisma.attachment.count()).toBe(2);
  });

  it("two uploads racing for the last of the budget: the step, with the conversation locked, keeps only one", async () => {
    t = await pipelineWith({ budget: 150_000 });
    const files = new Files();
    await atEvidence(t, "r-1");
    const [a, b] = await Promise.all([
      t.pipeline.receive(withFiles("r-1", [files.make(jpegOf(100_000, 1))])),
      t.pipeline.receive(withFiles("r-1", [files.make(jpegOf(100_000, 2))])),
    ]);
    expect([a.files![0], b.files![0]]).toContainEqual({ accepted: true });
    expect([a.files![0], b.files![0]]).toContainEqual({ accepted: false, reason: "quota" });
    expect(await t.db.prisma.attachment.count()).toBe(1);
  });

  it("a file stored while the state changed under it gets no row, and the sweep removes it after its hour", async () => {
    t = await createTestPipeline();
    await atEvidence(t, "x-1");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let fetched!: () => void;
    const fetching = new Promise<void>((resolve) => (fetched = resolve));
    const slow: InboundAttachment = {
      kind: "image",
      mime: "image/jpeg",
      size: SAMPLES.jpeg.byteLength,
      filename: "lambat.jpg",
      fetch: async () => {
        fetched();
        await held;
        return SAMPLES.jpeg;
      },
    };
    // The file was welcome when it started downloading; "batal" is stepped while it downloads.
    const upload = t.pipeline.receive(withFiles("x-1", [slow]));
    await fetching;
    await t.pipeline.receive(textMessage("x-1", "batal"));
    release();
    const result = await upload;
    expect(result.files).toEqual([{ accepted: false, reason: "notNow" }]);
    expect(await t.db.prisma.attachment.count()).toBe(0);
    const [stored] = filesOnDisk(t);
    expect(stored).toBeDefined();
    const dir = join(t.dir, "attachments");
    expect(await sweepAttachments({ db: t.db, dir, graceMs: 3_600_000 })).toMatchObject({ files: 0 });
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(dir, stored!), twoHoursAgo, twoHoursAgo);
    expect(await sweepAttachments({ db: t.db, dir, graceMs: 3_600_000 })).toMatchObject({ files: 1 });
    expect(filesOnDisk(t)).toEqual([]);
  });
});
