/**
 * SQLite's WAL checkpoints run on a worker thread (src/db/checkpointer.ts), not inside the app's
 * COMMIT: the app's connection has wal_autocheckpoint=0, yet what it commits reaches the database
 * file, and the WAL does not grow without end.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { walCheckpointer } from "../../src/db/checkpointer.js";
import { openDatabase, repoRoot, type Database } from "../../src/db/index.js";
import { TEST_DB } from "../helpers/database.js";

const dirs: string[] = [];
let db: Database | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "kanal-checkpoint-"));
  dirs.push(dir);
  return dir;
};

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** About `kb` KB of rows in one transaction, made durable as the pipeline does before answering. */
async function commit(database: Database, tag: string, kb: number): Promise<void> {
  await database.transaction(async (sql) => {
    for (let i = 0; i < kb; i++) {
      await sql.execute(`INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?)`, [
        `${tag}-${i}`,
        "x".repeat(1000),
        new Date(),
      ]);
    }
  });
  await database.durable();
}

describe.runIf(TEST_DB === "sqlite")("WAL checkpoints off the event loop (SQLite)", () => {
  it("the app's connection never checkpoints, the worker does: the database file grows and the WAL stays bounded", async () => {
    const file = join(tempDir(), "kanal.db");
    db = await openDatabase(`file:${file}`);
    const [setting] = await db.sql.query<{ wal_autocheckpoint: number | bigint }>("PRAGMA wal_autocheckpoint");
    expect(Number(setting!.wal_autocheckpoint)).toBe(0);

    const before = size(file);
    for (let round = 0; round < 4; round++) await commit(db, `a${round}`, 500);
    // ≈ 2 MB committed: the worker copies it into the database file.
    await until(() => size(file) > before + 1_500_000);

    // Once everything is copied, new commits start the WAL over: 8 MB more, in steps with pauses
    // for the worker, and the WAL never holds much more than one step.
    let largestWal = 0;
    for (let round = 0; round < 16; round++) {
      await commit(db, `b${round}`, 500);
      await new Promise((resolve) => setTimeout(resolve, 400));
      largestWal = Math.max(largestWal, size(`${file}-wal`));
    }
    expect(largestWal).toBeLessThan(4_000_000);
    expect(await db.prisma.channelState.count({ where: { key: { startsWith: "b15-" } } })).toBe(500);
  });

  it("starts again after its idle stop, and hands checkpoints back to the app's COMMIT if its thread cannot run", async () => {
    const file = join(tempDir(), "kanal.db");
    db = await openDatabase(`file:${file}`);
    const checkpointer = walCheckpointer(file, { delayMs: 10, idleMs: 50, fallback: () => undefined });
    try {
      checkpointer.committed();
      await checkpointer.settled();
      expect(checkpointer.runs).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the idle worker has ended
      checkpointer.committed();
      await checkpointer.settled();
      expect(checkpointer.runs).toBe(2);
    } finally {
      await checkpointer.close();
    }

    let fellBack = false;
    const logged: string[] = [];
    const broken = walCheckpointer(join(tempDir(), "missing", "dir", "kanal.db"), {
      delayMs: 10,
      fallback: () => (fellBack = true),
      log: (message) => logged.push(message),
    });
    try {
      broken.committed();
      await until(() => fellBack);
      expect(logged.join("\n")).toMatch(/background checkpoints stopped/);
      // Nothing more is asked of a checkpointer that gave up.
      broken.committed();
      await broken.settled();
    } finally {
      await broken.close();
    }
  });

  it("lets a process whose last work is closing the database end by itself (the thread is waited for, not left)", () => {
    const file = join(tempDir(), "kanal.db");
    const child = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "test/helpers/checkpoint-child.ts"), `file:${file}`], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, IDENTITY_KEY: Buffer.alloc(32, "checkpoint test").toString("base64") },
      timeout: 30_000,
    });
    // 13 is Node's "unfinished top-level await": the process ran out of work while awaiting the thread.
    expect({ status: child.status, stdout: child.stdout }).toEqual({ status: 0, stdout: "closed\n" });
  });
});
