import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { InboundAttachment } from "../../src/core/index.js";
import { attachmentSweeper, sweepAttachments, UNREFERENCED_FILE_GRACE_MS } from "../../src/storage/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage, type TestPipeline } from "../helpers/pipeline.js";
import { SAMPLES } from "../helpers/sample-files.js";

let t: TestPipeline | undefined;
let app: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  await app?.close();
  t = undefined;
  app = undefined;
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GRACE = 7 * DAY;

const dirOf = (handle: { dir: string }) => join(handle.dir, "attachments");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const pathOf = (handle: { dir: string }, bytes: Uint8Array) => join(dirOf(handle), sha256(bytes).slice(0, 2), sha256(bytes));

function age(path: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  utimesSync(path, then, then);
}

/** A JPEG unlike any other, so content addressing does not merge it with another test's. */
function jpeg(seed: number): Uint8Array {
  const bytes = new Uint8Array(SAMPLES.jpeg.byteLength + 4);
  bytes.set(SAMPLES.jpeg);
  new DataView(bytes.buffer).setUint32(SAMPLES.jpeg.byteLength, seed);
  return bytes;
}

const photo = (bytes: Uint8Array, filename = "bukti.jpg"): InboundAttachment => ({
  kind: "image",
  mime: "image/jpeg",
  size: bytes.byteLength,
  filename,
  fetch: async () => bytes,
});

async function say(handle: TestPipeline, chatId: string, lines: readonly string[]) {
  const results = [];
  for (const line of lines) results.push(await handle.pipeline.receive(textMessage(chatId, line)));
  return results;
}

async function sendFiles(handle: TestPipeline, chatId: string, files: Uint8Array[], text?: string) {
  return handle.pipeline.receive({ ...textMessage(chatId, text ?? ""), text, attachments: files.map((f) => photo(f)) });
}

/** A conversation at the evidence step holding the given files in its draft. */
async function draftWith(handle: TestPipeline, chatId: string, files: Uint8Array[]) {
  await say(handle, chatId, ["halo", ...ANONYMOUS_INTAKE.slice(0, 4)]);
  const result = await sendFiles(handle, chatId, files);
  expect(result.files!.every((f) => f.accepted)).toBe(true);
}

/** Makes a conversation (and its files' rows) look as if nobody wrote in it for `ms`. */
async function quiet(handle: TestPipeline, chatId: string, ms: number) {
  const then = new Date(Date.now() - ms);
  const conversation = await handle.db.prisma.conversation.findFirstOrThrow({ where: { chatId } });
  await handle.db.sql.execute(`UPDATE "Conversation" SET "updatedAt" = ? WHERE "id" = ?`, [then, conversation.id]);
  await handle.db.sql.execute(`UPDATE "Attachment" SET "createdAt" = ? WHERE "conversationId" = ?`, [then, conversation.id]);
  return conversation.id;
}

const sweep = (handle: TestPipeline, clock?: () => Date) => sweepAttachments({ db: handle.db, dir: dirOf(handle), graceMs: GRACE, clock });

describe("the attachment sweep", () => {
  it("removes a file no row names once it is an hour old; a younger one stays; named ones stay", async () => {
    t = await createTestPipeline();
    await draftWith(t, "s-1", [jpeg(1)]);
    const kept = pathOf(t, jpeg(1));
    age(kept, 30 * DAY);
    const orphan = pathOf(t, jpeg(2));
    const young = pathOf(t, jpeg(3));
    for (const [path, bytes] of [
      [orphan, jpeg(2)],
      [young, jpeg(3)],
    ] as const) {
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, bytes);
    }
    age(orphan, UNREFERENCED_FILE_GRACE_MS + 60_000);
    age(young, UNREFERENCED_FILE_GRACE_MS - 60_000);
    expect(await sweep(t)).toEqual({ rows: 0, files: 1, bytes: jpeg(2).byteLength });
    expect([existsSync(kept), existsSync(orphan), existsSync(young)]).toEqual([true, false, true]);
  });

  it("removes a dead write's temp file, and never touches names it did not make", async () => {
    t = await createTestPipeline();
    const dir = dirOf(t);
    const tmp = join(dir, "ab", `ab${"0".repeat(62)}.1234.tmp`);
    const stranger = join(dir, "ef", "catatan.txt");
    const staffNote = join(dir, "staff", "catatan.txt");
    for (const path of [tmp, stranger, staffNote]) {
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, "x");
      age(path, 2 * DAY);
    }
    await sweep(t);
    expect([existsSync(tmp), existsSync(stranger), existsSync(staffNote)]).toEqual([false, true, true]);
  });

  it("a file staff sent with a reply stays while its reply's row names it; one of a refused reply goes after the hour", async () => {
    t = await createTestPipeline();
    const dir = dirOf(t);
    const staffPath = (bytes: Uint8Array) => join(dir, "staff", sha256(bytes).slice(0, 2), sha256(bytes));
    const sent = jpeg(21);
    const refused = jpeg(22);
    const alsoEvidence = jpeg(23);
    for (const bytes of [sent, refused, alsoEvidence]) {
      mkdirSync(join(staffPath(bytes), ".."), { recursive: true });
      writeFileSync(staffPath(bytes), bytes);
      age(staffPath(bytes), 2 * DAY);
    }
    // The reply's row, as src/staff/commands/reply.ts writes it: the path relative to ATTACHMENTS_DIR.
    await t.db.prisma.attachment.create({
      data: {
        id: "staff-reply-file",
        conversationId: "c-staff",
        sha256: sha256(sent),
        mime: "image/jpeg",
        size: sent.byteLength,
        storagePath: join("staff", sha256(sent).slice(0, 2), sha256(sent)),
      },
    });
    // The same bytes as a citizen's evidence: that row names the evidence copy, not the staff one.
    await draftWith(t, "s-evidence", [alsoEvidence]);

    const result = await sweep(t);
    expect(result).toEqual({ rows: 0, files: 2, bytes: refused.byteLength + alsoEvidence.byteLength });
    expect([existsSync(staffPath(sent)), existsSync(staffPath(refused)), existsSync(staffPath(alsoEvidence))]).toEqual([
      true,
      false,
      false,
    ]);
    expect(existsSync(pathOf(t, alsoEvidence))).toBe(true);
  });

  it("a file several rows share (the same photo sent twice) goes only when no row names it", async () => {
    t = await createTestPipeline();
    const same = jpeg(7);
    await draftWith(t, "a", [same]);
    await draftWith(t, "b", [same]);
    expect(await t.db.prisma.attachment.count({ where: { sha256: sha256(same) } })).toBe(2);
    const path = pathOf(t, same);
    await quiet(t, "a", GRACE + DAY);
    age(path, GRACE + DAY);
    expect(await sweep(t)).toMatchObject({ rows: 1, files: 0 });
    expect(existsSync(path)).toBe(true);
    await quiet(t, "b", GRACE + DAY);
    expect(await sweep(t)).toMatchObject({ rows: 1, files: 1 });
    expect(existsSync(path)).toBe(false);
  });

  it("a draft left longer than the grace loses its files, and its list of them; a citizen who comes back is told 0", async () => {
    t = await createTestPipeline();
    await draftWith(t, "d-1", [jpeg(11), jpeg(12)]);
    const conversationId = await quiet(t, "d-1", GRACE + HOUR);
    const before = await t.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    // An hour later on the clock: the rows go; their files are then an hour old with no row.
    expect(await sweep(t, () => new Date(Date.now() + 2 * HOUR))).toMatchObject({ rows: 2, files: 2 });
    expect(await t.db.prisma.attachment.count()).toBe(0);
    expect(existsSync(pathOf(t, jpeg(11)))).toBe(false);
    const after = await t.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect((JSON.parse(after.state) as { draft: { attachmentIds: string[] } }).draft.attachmentIds).toEqual([]);
    // The conversation did not speak: its idle time is not reset.
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    const [summary] = await say(t, "d-1", ["selesai"]);
    expect(summary!.replies.map((r) => r.text).join("\n")).toMatch(/Bukti: 0 berkas/);
  });

  it("never sweeps a complaint being written (the conversation spoke within the grace), however old its files", async () => {
    t = await createTestPipeline();
    await draftWith(t, "w-1", [jpeg(21)]);
    const conversationId = await quiet(t, "w-1", GRACE + DAY);
    // The citizen writes again: the draft is alive.
    await t.db.sql.execute(`UPDATE "Conversation" SET "updatedAt" = ? WHERE "id" = ?`, [
      new Date(Date.now() - GRACE + HOUR),
      conversationId,
    ]);
    age(pathOf(t, jpeg(21)), GRACE + DAY);
    expect(await sweep(t)).toEqual({ rows: 0, files: 0, bytes: 0 });
    const [, receipt] = await say(t, "w-1", ["selesai", "ya"]);
    expect(receipt!.replies.map((r) => r.text).join(" ")).toMatch(/ADU-/);
    const complaint = await t.db.prisma.complaint.findFirstOrThrow({ include: { attachments: true } });
    expect(complaint.attachments).toHaveLength(1);
  });

  it("never sweeps a filed complaint's evidence, however long its conversation is quiet", async () => {
    t = await createTestPipeline();
    await draftWith(t, "c-1", [jpeg(31)]);
    await say(t, "c-1", ["selesai", "ya"]);
    await sendFiles(t, "c-1", [jpeg(32)], "foto tambahan");
    await quiet(t, "c-1", 400 * DAY);
    for (const seed of [31, 32]) age(pathOf(t, jpeg(seed)), 400 * DAY);
    expect(await sweep(t)).toEqual({ rows: 0, files: 0, bytes: 0 });
    expect(await t.db.prisma.attachment.count({ where: { complaintId: { not: null } } })).toBe(2);
    expect(existsSync(pathOf(t, jpeg(31))) && existsSync(pathOf(t, jpeg(32)))).toBe(true);
  });

  it("a step holding the conversation when the sweep comes: the sweep waits, sees the citizen spoke, keeps the draft", async () => {
    t = await createTestPipeline();
    await draftWith(t, "h-1", [jpeg(35)]);
    const conversationId = await quiet(t, "h-1", GRACE + DAY);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    // What a step does: lock the conversation (a write on SQLite), write it, commit.
    const step = t.db.prisma.$transaction(
      async (tx) => {
        await t!.db.sql.within(tx).execute(`UPDATE "Conversation" SET "updatedAt" = ? WHERE "id" = ?`, [new Date(), conversationId]);
        locked();
        await held;
      },
      { timeout: 30_000 },
    );
    await holding;
    const sweeping = sweep(t);
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await step;
    expect(await sweeping).toMatchObject({ rows: 0 });
    expect(await t.db.prisma.attachment.count()).toBe(1);
  });

  it("removes the rows of a conversation that no longer exists", async () => {
    t = await createTestPipeline();
    await draftWith(t, "g-1", [jpeg(41)]);
    const conversationId = await quiet(t, "g-1", GRACE + DAY);
    await t.db.prisma.message.deleteMany({ where: { conversationId } });
    await t.db.prisma.conversation.delete({ where: { id: conversationId } });
    expect(await sweep(t)).toMatchObject({ rows: 1 });
  });
});

describe("the sweep as a leader duty", () => {
  it("runs a first round when started, then on its interval; stops cleanly and can start again", async () => {
    t = await createTestPipeline();
    const logged: string[] = [];
    const sweeper = attachmentSweeper({ db: t.db, dir: dirOf(t), graceMs: GRACE, intervalMs: 50, log: (m) => void logged.push(m) });
    const plant = (seed: number) => {
      const path = pathOf(t!, jpeg(seed));
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, jpeg(seed));
      age(path, 2 * HOUR);
      return path;
    };
    const first = plant(51);
    await sweeper.start();
    await until(() => !existsSync(first));
    const second = plant(52);
    await until(() => !existsSync(second));
    expect(logged).toContain("attachment sweep");
    await sweeper.stop();
    const third = plant(53);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(third)).toBe(true);
    await sweeper.start();
    await until(() => !existsSync(third));
    await sweeper.stop();
  });

  it("npm start registers it: an old file nobody names is gone soon after the leader is elected", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "kanal-sweep-app-"));
    const orphan = pathOf({ dir }, jpeg(61));
    mkdirSync(join(orphan, ".."), { recursive: true });
    writeFileSync(orphan, jpeg(61));
    age(orphan, 2 * HOUR);
    app = await startApp({ dir });
    await until(() => !existsSync(orphan));
    expect(
      readdirSync(dirOf({ dir }), { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dirOf({ dir }), f)).isFile()),
    ).toEqual([]);
  });
});

async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the sweep");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
