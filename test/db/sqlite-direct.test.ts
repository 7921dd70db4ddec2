/**
 * Raw SQL inside a transaction on SQLite runs straight on the transaction's connection
 * (src/db/sqlite-direct.ts): it must be part of that transaction, and values must go in and come
 * out exactly as through Prisma's raw queries, so the code above cannot tell the two apart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, sqlRunner, type Database } from "../../src/db/index.js";

const created = new Date("2026-12-01T02:03:04.567Z");
const SELECT = `SELECT "id", "name", "anonymous", "createdAt", COUNT(*) OVER () AS "n" FROM "Complainant" WHERE "id" = ?`;

describe("direct SQLite statements in a transaction", () => {
  let dir: string;
  let db: Database;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanal-direct-"));
    db = await openDatabase(`file:${join(dir, "direct.db")}`);
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes what Prisma reads back, and reads what Prisma's raw query reads", async () => {
    await db.prisma.$transaction(async (tx) => {
      const sql = db.sql.within(tx);
      expect(sql.executeEach).toBeDefined();
      await sql.execute(`INSERT INTO "Complainant" ("id", "name", "anonymous", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?)`, [
        "c-1",
        "Budi 🚧 'kutip'",
        true,
        created,
        created,
      ]);
      await sql.executeEach!(`INSERT INTO "Complainant" ("id", "name", "anonymous", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?)`, [
        ["c-2", null, false, created, created],
        ["c-3", "Sari", 0, created.toISOString().replace("Z", "+00:00"), created],
      ]);
    });
    const byPrisma = await db.prisma.complainant.findMany({
      orderBy: { id: "asc" },
      select: { id: true, name: true, anonymous: true, createdAt: true },
    });
    // toMatchObject: the identity extension adds a symbol (a redacting inspect) to each row it opens.
    expect(byPrisma).toMatchObject([
      { id: "c-1", name: "Budi 🚧 'kutip'", anonymous: true, createdAt: created },
      { id: "c-2", name: null, anonymous: false, createdAt: created },
      { id: "c-3", name: "Sari", anonymous: false, createdAt: created },
    ]);

    const throughPrisma = sqlRunner(db.prisma, "sqlite");
    for (const id of ["c-1", "c-2"]) {
      const direct = await db.prisma.$transaction((tx) => db.sql.within(tx).query(SELECT, [id]));
      expect(direct).toEqual(await throughPrisma.query(SELECT, [id]));
    }
  });

  it("is part of the transaction: a rollback takes its writes back", async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await db.sql
          .within(tx)
          .execute(`INSERT INTO "Complainant" ("id", "anonymous", "createdAt", "updatedAt") VALUES (?, ?, ?, ?)`, [
            "c-rolled-back",
            false,
            created,
            created,
          ]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await db.prisma.complainant.count({ where: { id: "c-rolled-back" } })).toBe(0);
  });

  it("refuses to run once its transaction has ended", async () => {
    const sql = await db.prisma.$transaction(async (tx) => db.sql.within(tx));
    await expect(sql.execute(`DELETE FROM "Complainant"`)).rejects.toThrow("outside its transaction");
    expect(await db.prisma.complainant.count()).toBe(3);
  });
});
