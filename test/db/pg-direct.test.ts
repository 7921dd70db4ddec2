/**
 * On PostgreSQL, db.sql and db.transaction run their statements straight on the pool
 * (src/db/pg-direct.ts): what they write and read must be what Prisma writes and reads, whatever
 * the process's time zone (offices run with TZ=Asia/Jakarta; `timestamp(3)` columns hold UTC).
 */
import { afterEach, describe, expect, it } from "vitest";
import { planStable, type Database } from "../../src/db/index.js";
import { openedTestDatabases, TEST_DB } from "../helpers/database.js";

let db: Database | undefined;
const databases = openedTestDatabases("kanal-pg-direct-");
afterEach(async () => {
  db = undefined;
  await databases.closeAll();
});
const freshDatabase = () => databases.open();

describe.runIf(TEST_DB === "postgresql")("direct PostgreSQL transactions", () => {
  it("write and read timestamps and bigints as Prisma does, and roll back on an error", async () => {
    db = await freshDatabase();
    const at = new Date("2026-12-04T23:30:00.123Z"); // already 5 December in Jakarta
    const read = await db.transaction(async (sql) => {
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
    const [viaDirect] = await db.transaction((sql) =>
      sql.query<{ updatedAt: Date }>(`SELECT "updatedAt" FROM "ChannelState" WHERE "key" = ?`, ["prisma"]),
    );
    expect(viaDirect!.updatedAt.toISOString()).toBe(at.toISOString());

    await expect(
      db.transaction(async (sql) => {
        await sql.execute(`INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?)`, ["rolled-back", "c", at]);
        throw new Error("the batch failed");
      }),
    ).rejects.toThrow("the batch failed");
    expect(await db.prisma.channelState.count({ where: { key: "rolled-back" } })).toBe(0);

    // A statement on its own commits at once and reads back the same way.
    await db.sql.execute(`INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?)`, ["alone", "d", at]);
    const [alone] = await db.sql.query<{ updatedAt: Date }>(`SELECT "updatedAt" FROM "ChannelState" WHERE "key" = ?`, ["alone"]);
    expect(alone!.updatedAt.toISOString()).toBe(at.toISOString());
    expect((await db.prisma.channelState.findUniqueOrThrow({ where: { key: "alone" } })).updatedAt.toISOString()).toBe(at.toISOString());
  });

  it("joins a Prisma transaction through within(tx): its statements roll back with the transaction's", async () => {
    db = await freshDatabase();
    const opened = db;
    await expect(
      opened.prisma.$transaction(async (tx) => {
        await opened.sql
          .within(tx)
          .execute(`INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?)`, ["joined", "e", new Date()]);
        expect(await tx.channelState.count({ where: { key: "joined" } })).toBe(1);
        throw new Error("the staff action failed");
      }),
    ).rejects.toThrow("the staff action failed");
    expect(await opened.prisma.channelState.count({ where: { key: "joined" } })).toBe(0);
  });

  it("bounds a statement and an idle transaction on the pool's connections", async () => {
    db = await freshDatabase();
    const [statement] = await db.sql.query<{ statement_timeout: string }>("SHOW statement_timeout");
    const [idle] = await db.transaction((sql) =>
      sql.query<{ idle_in_transaction_session_timeout: string }>("SHOW idle_in_transaction_session_timeout"),
    );
    expect(statement!.statement_timeout).toBe("1min");
    expect(idle!.idle_in_transaction_session_timeout).toBe("1min");
  });

  it("prepares a plan-stable statement once per connection, up to a bound; every other statement runs unnamed", async () => {
    db = await freshDatabase();
    const preparedTexts = async (sql: { query<T>(text: string, params?: readonly unknown[]): Promise<T[]> }) =>
      (await sql.query<{ statement: string }>(`SELECT "statement" FROM pg_prepared_statements`)).map((s) => s.statement);
    const stable = planStable(`SELECT ?::int + 1 AS "stable"`);
    const listed = await db.transaction(async (sql) => {
      for (let i = 0; i < 3; i++) {
        expect(await sql.query<{ stable: number }>(stable, [i])).toEqual([{ stable: i + 1 }]);
        expect(await sql.query<{ other: number }>(`SELECT ?::int + 2 AS "other"`, [i])).toEqual([{ other: i + 2 }]);
      }
      return preparedTexts(sql);
    });
    // Run three times, prepared once; the unmarked statement (a read a kept plan could get wrong) never.
    expect(listed.filter((text) => text.includes(`$1::int + 1 AS "stable"`))).toHaveLength(1);
    expect(listed.filter((text) => text.includes(`"other"`))).toHaveLength(0);

    // Plan-stable texts built at run time (150 of them here) stop being named at the bound: a
    // connection holds at most that many plans, and every statement still runs.
    const after = await db.transaction(async (sql) => {
      for (let i = 0; i < 150; i++) expect(await sql.query<{ v: number }>(planStable(`SELECT ${i} AS "v"`))).toEqual([{ v: i }]);
      return preparedTexts(sql);
    });
    expect(after.length).toBeGreaterThan(10);
    expect(after.length).toBeLessThanOrEqual(100);
  });
});
