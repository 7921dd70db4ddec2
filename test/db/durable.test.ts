/**
 * Durability without blocking the event loop (src/db/durable.ts): SQLite commits with
 * synchronous=NORMAL, and nobody is answered about a write before the WAL is fdatasynced.
 */
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { walDurability, type FileSync } from "../../src/db/durable.js";
import { TEST_DB } from "../helpers/database.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage, type TestPipeline } from "../helpers/pipeline.js";

/** A disk whose flushes finish when the test says, counting them. */
function heldDisk(): FileSync & { flushes: number; started: number; finish(error?: Error): void } {
  const waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const disk = {
    flushes: 0,
    started: 0,
    sync() {
      disk.started++;
      return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject })).then(() => void disk.flushes++);
    },
    close: () => Promise.resolve(),
    finish(error?: Error) {
      const next = waiting.shift()!;
      if (error) next.reject(error);
      else next.resolve();
    },
  };
  return disk;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** This process's open handles on `path` (Linux's /proc), and those on a file deleted from there. */
function handlesOn(path: string): { live: number; deleted: number } {
  const targets = readdirSync("/proc/self/fd").map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return ""; // the directory's own handle, closed by the time it is read
    }
  });
  return { live: targets.filter((t) => t === path).length, deleted: targets.filter((t) => t === `${path} (deleted)`).length };
}

describe("WAL durability", () => {
  it("starts a flush for the first caller, and gives everyone who came while it ran one shared next flush", async () => {
    const disk = heldDisk();
    const durability = walDurability("unused.db", disk);
    let firstDone = false;
    const first = durability.durable().then(() => (firstDone = true));
    await settle();
    expect(disk.started).toBe(1);
    // These may have committed after the running flush began, so it may not cover them: they
    // wait for the next one, all together.
    let laterDone = 0;
    const later = [durability.durable(), durability.durable(), durability.durable()].map((p) => p.then(() => laterDone++));
    await settle();
    expect(disk.started).toBe(1);
    disk.finish();
    await first;
    expect(firstDone).toBe(true);
    expect(laterDone).toBe(0);
    await settle();
    expect(disk.started).toBe(2);
    disk.finish();
    await Promise.all(later);
    expect(laterDone).toBe(3);
    expect(durability.syncs).toBe(2);
    expect(disk.flushes).toBe(2);
  });

  it("passes a failed flush on to its callers, and the next caller gets a fresh one", async () => {
    const disk = heldDisk();
    const durability = walDurability("unused.db", disk);
    const failing = durability.durable();
    await settle();
    disk.finish(new Error("EIO"));
    await expect(failing).rejects.toThrow("EIO");
    const again = durability.durable();
    await settle();
    disk.finish();
    await expect(again).resolves.toBeUndefined();
    expect(durability.syncs).toBe(2);
  });

  it("flushes a real WAL file, and does nothing while no WAL exists", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-durable-"));
    try {
      const file = join(dir, "x.db");
      const durability = walDurability(file);
      await durability.durable(); // no WAL yet
      const { default: Database } = await import("better-sqlite3");
      const connection = new Database(file);
      connection.pragma("journal_mode = WAL");
      connection.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('a')");
      expect(existsSync(`${file}-wal`)).toBe(true);
      await durability.durable();
      await durability.close();
      connection.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The handles are counted through Linux's /proc.
  it.skipIf(!existsSync("/proc/self/fd"))(
    "follows the WAL when the file at its path is another one, and stops flushing when it is gone",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "kanal-durable-"));
      try {
        const wal = join(dir, "x.db-wal");
        writeFileSync(wal, "first");
        const durability = walDurability(join(dir, "x.db"));
        await durability.durable();
        expect(handlesOn(wal)).toEqual({ live: 1, deleted: 0 });
        // SQLite deletes the WAL when its last connection closes and makes a new one on the next write.
        unlinkSync(wal);
        writeFileSync(wal, "second");
        expect(handlesOn(wal)).toEqual({ live: 0, deleted: 1 });
        await durability.durable();
        // The old file's handle was let go and the new file's flushed through a handle of its own.
        expect(handlesOn(wal)).toEqual({ live: 1, deleted: 0 });
        await durability.durable();
        unlinkSync(wal);
        await durability.durable();
        expect(durability.syncs).toBe(4);
        await durability.close();
        expect(handlesOn(wal)).toEqual({ live: 0, deleted: 0 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe(`answers wait for the disk (${TEST_DB})`, () => {
  it("a citizen's step is answered only once db.durable() says it is on disk", async () => {
    t = await createTestPipeline();
    if (t.db.provider === "sqlite") {
      const [mode] = await t.db.sql.query<{ synchronous: number | bigint }>("PRAGMA synchronous");
      expect(Number(mode!.synchronous)).toBe(1); // NORMAL: the fsync is ours, off the event loop
    }
    const { chatId } = await t.pipeline.open("webchat", "id");
    let release: () => void = () => undefined;
    const durable = t.db.durable.bind(t.db);
    (t.db as { durable: () => Promise<void> }).durable = () => durable().then(() => new Promise<void>((resolve) => (release = resolve)));
    let answered = false;
    const step = t.pipeline.receive(textMessage(chatId, ANONYMOUS_INTAKE[0]!)).then((result) => {
      answered = true;
      return result;
    });
    // Committed (another reader sees the message) but not answered while the disk is held.
    await expect.poll(async () => (await t!.db.prisma.message.count({ where: { direction: "in" } })) > 0).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    release();
    expect((await step).replies.length).toBeGreaterThan(0);
  });

  it("the steps of one batch wait for one sync, asked for after their COMMIT", async () => {
    t = await createTestPipeline();
    const sessions = await Promise.all([1, 2, 3, 4, 5].map(() => t!.pipeline.open("webchat", "id")));
    const durable = t.db.durable.bind(t.db);
    let asked = 0;
    (t.db as { durable: () => Promise<void> }).durable = () => {
      asked++;
      return durable();
    };
    // Submitted in one turn of the event loop: one batch.
    const results = await Promise.all(sessions.map(({ chatId }) => t!.pipeline.receive(textMessage(chatId, ANONYMOUS_INTAKE[0]!))));
    expect(results.every((result) => result.status === "processed" && result.replies.length > 0)).toBe(true);
    expect(asked).toBe(1);
  });
});
