/**
 * Raw transactions on SQLite run BEGIN … COMMIT on the connection itself, taking turns with
 * Prisma's interactive transactions on that connection (src/db/sqlite-transactions.ts): neither
 * may open inside the other, a failure or an overrun rolls back everything it wrote, and a
 * statement issued after its transaction ended never lands outside it or inside the next.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";
import { transactionTurns } from "../../src/db/sqlite-transactions.js";

const INSERT = `INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?)`;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("raw SQLite transactions", () => {
  let dir: string;
  let db: Database;
  const keys = async () =>
    (await db.prisma.channelState.findMany({ where: { key: { startsWith: "t:" } }, orderBy: { key: "asc" } })).map((r) => r.key);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanal-sqlite-tx-"));
    db = await openDatabase(`file:${join(dir, "tx.db")}`);
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await db.prisma.channelState.deleteMany({ where: { key: { startsWith: "t:" } } });
  });

  it("commits what the work wrote and returns its result", async () => {
    const result = await db.transaction(async (sql) => {
      await sql.execute(INSERT, ["t:a", "1", new Date()]);
      return (await sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "ChannelState" WHERE "key" = ?`, ["t:a"]))[0]!.n;
    });
    expect(Number(result)).toBe(1);
    expect(await keys()).toEqual(["t:a"]);
  });

  it("rolls back everything when the work throws, and the connection serves the next one", async () => {
    await expect(
      db.transaction(async (sql) => {
        await sql.execute(INSERT, ["t:lost", "1", new Date()]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    // A constraint failure inside (the same key twice) is the same.
    await expect(
      db.transaction(async (sql) => {
        await sql.execute(INSERT, ["t:dup", "1", new Date()]);
        await sql.execute(INSERT, ["t:dup", "2", new Date()]);
      }),
    ).rejects.toThrow(/UNIQUE/);
    await db.transaction((sql) => sql.execute(INSERT, ["t:after", "1", new Date()]));
    expect(await keys()).toEqual(["t:after"]);
  });

  it("takes turns with Prisma's transactions: neither opens inside the other", async () => {
    const order: string[] = [];
    let releasePrisma!: () => void;
    const prismaHolds = new Promise<void>((resolve) => (releasePrisma = resolve));
    const prismaTx = db.prisma.$transaction(async (tx) => {
      order.push("prisma:begin");
      await tx.channelState.create({ data: { key: "t:prisma", value: "1", updatedAt: new Date() } });
      await prismaHolds;
      order.push("prisma:end");
    });
    await tick();
    await tick();
    const raw = db.transaction(async (sql) => {
      order.push("raw:begin");
      await sql.execute(INSERT, ["t:raw", "1", new Date()]);
      order.push("raw:end");
    });
    await tick();
    // The raw transaction waits for Prisma's to end; then a Prisma one waits for a raw one.
    expect(order).toEqual(["prisma:begin"]);
    releasePrisma();
    await Promise.all([prismaTx, raw]);
    expect(order).toEqual(["prisma:begin", "prisma:end", "raw:begin", "raw:end"]);

    let releaseRaw!: () => void;
    const rawHolds = new Promise<void>((resolve) => (releaseRaw = resolve));
    const second = db.transaction(async (sql) => {
      order.push("raw2:begin");
      await rawHolds;
      await sql.execute(INSERT, ["t:raw2", "1", new Date()]);
      order.push("raw2:end");
    });
    await tick();
    const prismaAfter = db.prisma.$transaction(async (tx) => {
      order.push("prisma2:begin");
      await tx.channelState.create({ data: { key: "t:prisma2", value: "1", updatedAt: new Date() } });
    });
    await tick();
    await tick();
    expect(order.at(-1)).toBe("raw2:begin");
    releaseRaw();
    await Promise.all([second, prismaAfter]);
    expect(order.slice(-3)).toEqual(["raw2:begin", "raw2:end", "prisma2:begin"]);
    expect(await keys()).toEqual(["t:prisma", "t:prisma2", "t:raw", "t:raw2"]);
  });

  it("rolls back a transaction past its time limit; its late statements land nowhere", async () => {
    let late: Promise<unknown> | undefined;
    let resume!: () => void;
    const stalled = new Promise<void>((resolve) => (resume = resolve));
    await expect(
      db.transaction(
        async (sql) => {
          await sql.execute(INSERT, ["t:early", "1", new Date()]);
          await stalled;
          late = sql.execute(INSERT, ["t:late", "1", new Date()]);
          await late;
        },
        { timeout: 100 },
      ),
    ).rejects.toMatchObject({ code: "P2028" });
    // The next transaction is open when the stalled work wakes up: its statement must not join it.
    const next = db.transaction(async (sql) => {
      resume();
      await tick();
      await sql.execute(INSERT, ["t:next", "1", new Date()]);
    });
    await next;
    await expect(late).rejects.toThrow(/after its SQLite transaction ended/);
    expect(await keys()).toEqual(["t:next"]);
  });

  it("gives up waiting for the connection after maxWait, with the code callers treat as unavailable", async () => {
    let release!: () => void;
    const holds = new Promise<void>((resolve) => (release = resolve));
    const holder = db.transaction(() => holds, { timeout: 5000 });
    await expect(db.transaction(async () => "never", { maxWait: 50 })).rejects.toMatchObject({ code: "P2028" });
    release();
    await holder;
    // The turn that gave up is not handed out later: the queue moves on.
    expect(await db.transaction(async () => "next")).toBe("next");
  });
});

describe("transaction turns", () => {
  it("hands turns out one at a time in arrival order, and a release called twice frees one turn", async () => {
    const turns = transactionTurns();
    const first = await turns.take(1000);
    const order: number[] = [];
    const second = turns.take(1000).then((release) => {
      order.push(2);
      return release;
    });
    const third = turns.take(1000).then((release) => {
      order.push(3);
      return release;
    });
    await tick();
    expect(order).toEqual([]);
    first();
    first();
    const releaseSecond = await second;
    await tick();
    expect(order).toEqual([2]);
    releaseSecond();
    (await third)();
    expect(order).toEqual([2, 3]);
  });
});
