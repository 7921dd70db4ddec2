/**
 * The pipeline's batches on PostgreSQL run their statements straight on a pool client
 * (src/db/pg-direct.ts): what they write and read must be what Prisma writes and reads, whatever
 * the process's time zone (offices run with TZ=Asia/Jakarta; `timestamp(3)` columns hold UTC).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";
import { TEST_DB, testDatabase } from "../helpers/database.js";

let db: Database | undefined;
let drop: (() => Promise<void>) | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await db?.close();
  await drop?.();
  db = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(TEST_DB === "postgresql")("direct PostgreSQL transactions", () => {
  it("write and read timestamps and bigints as Prisma does, and roll back on an error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-pg-direct-"));
    dirs.push(dir);
    const database = await testDatabase(dir);
    drop = database.drop;
    db = await openDatabase(database.url);
    expect(db.directTransaction).toBeDefined();
    const at = new Date("2026-12-04T23:30:00.123Z"); // already 5 December in Jakarta
    const read = await db.directTransaction!(async (sql) => {
      await sql.execute(`INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?)`, ["direct", "a", at]);
      return sql.query<{ updatedAt: Date; n: bigint }>(`SELECT "updatedAt", COUNT(*) OVER () AS "n" FROM "ChannelState" WHERE "key" = ?`, [
        "direct",
      ]);
    });
    expect(read[0]!.updatedAt.toISOString()).toBe(at.toISOString());
    expect(read[0]!.n).toBe(1n);
    // Prisma reads back the same instant the direct statement wrote, and the reverse.
    expect((await db.prisma.channelState.findUniqueOrThrow({ where: { key: "direct" } })).updatedAt.toISOString()).toBe(at.toISOString());
    await db.prisma.channelState.create({ data: { key: "prisma", value: "b", updatedAt: at } });
    const [viaDirect] = await db.directTransaction!((sql) =>
      sql.query<{ updatedAt: Date }>(`SELECT "updatedAt" FROM "ChannelState" WHERE "key" = ?`, ["prisma"]),
    );
    expect(viaDirect!.updatedAt.toISOString()).toBe(at.toISOString());

    await expect(
      db.directTransaction!(async (sql) => {
        await sql.execute(`INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?)`, ["rolled-back", "c", at]);
        throw new Error("the batch failed");
      }),
    ).rejects.toThrow("the batch failed");
    expect(await db.prisma.channelState.count({ where: { key: "rolled-back" } })).toBe(0);
  });
});
