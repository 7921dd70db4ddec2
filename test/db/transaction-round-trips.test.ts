/**
 * A direct transaction's round trips to PostgreSQL (src/db/pg-direct.ts): its BEGIN goes out with
 * its first statement, and its COMMIT with its last when the work says which that is
 * (StatementOptions.last). A step batch's transaction is then two round trips instead
 * of four: every instance pays them per batch, and several instances write more, smaller
 * batches. What must not change with it: a failure anywhere leaves nothing of the transaction.
 */
import net from "node:net";
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Database } from "../../src/db/index.js";
import { databaseLedger } from "../../src/outbox/index.js";
import { outboxStore } from "../../src/outbox/store.js";
import { openedTestDatabases, onPostgres } from "../helpers/database.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

const databases = openedTestDatabases("kanal-round-trips-");
const pipelines: TestPipeline[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const t of pipelines.splice(0)) await t.close();
  await databases.closeAll();
});

const stateRow = (key: string) => ({
  sql: `INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, 'x', ?)`,
  params: [key, new Date()],
});
const stored = async (db: Database, key: string) =>
  (await db.sql.query<{ key: string }>(`SELECT "key" FROM "ChannelState" WHERE "key" = ?`, [key])).length;

/**
 * Every statement node-postgres is given, per connection, and its round trips: a statement issued
 * while the connection has none in flight starts one; one issued behind another still unanswered
 * rides along, if the client pipelines.
 */
function watchRoundTrips() {
  const inFlight = new Map<pg.Client, number>();
  const log: { client: pg.Client; text: string; startsRoundTrip: boolean; writesBefore: number }[] = [];
  /** Writes to each socket: each one wakes the PostgreSQL process at the other end. */
  const writes = new Map<unknown, number>();
  const writesOf = (client: pg.Client) => writes.get(client.connection.stream) ?? 0;
  for (const method of ["_write", "_writev"] as const) {
    // Writable's own hooks: one call per write the socket makes (a corked socket's chunks go in one _writev).
    const socketWrite = net.Socket.prototype[method] as (...a: unknown[]) => unknown;
    vi.spyOn(net.Socket.prototype as unknown as Record<typeof method, (...a: unknown[]) => unknown>, method).mockImplementation(function (
      this: net.Socket,
      ...args: unknown[]
    ) {
      writes.set(this, (writes.get(this) ?? 0) + 1);
      return socketWrite.apply(this, args);
    });
  }
  const query = pg.Client.prototype.query;
  vi.spyOn(pg.Client.prototype, "query").mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const config = args[0];
    const text = typeof config === "string" ? config : String((config as { text?: unknown }).text);
    const pending = inFlight.get(this) ?? 0;
    // Behind an unanswered statement, node-postgres writes it at once only on a pipelining client;
    // otherwise it holds it until the answer (a round trip of its own).
    const pipelining = (this as pg.Client & { pipeline?: boolean }).pipeline === true;
    log.push({ client: this, text, startsRoundTrip: pending === 0 || !pipelining, writesBefore: writesOf(this) });
    // The spy must pass node-postgres's overloads through untouched.
    const result = (query as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) {
      inFlight.set(this, pending + 1);
      const answered = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
      // Both ways: a rejection is the caller's to handle, and `finally` would rethrow it unhandled here.
      void result.then(answered, answered);
    }
    return result;
  });
  return {
    /** The statements of the transaction whose statement text includes `marker`, from its BEGIN to its end. */
    transactionOf(marker: string) {
      const at = log.findIndex((entry) => entry.text.includes(marker));
      expect(at, `no statement with ${marker}`).toBeGreaterThanOrEqual(0);
      const client = log[at]!.client;
      const mine = log.filter((entry) => entry.client === client);
      const index = mine.indexOf(log[at]!);
      const begin = mine.slice(0, index + 1).findLastIndex((entry) => entry.text.startsWith("BEGIN"));
      const end = mine.findIndex((entry, i) => i > index && /^(COMMIT|ROLLBACK)/.test(entry.text));
      const statements = mine.slice(begin, end + 1);
      const writesAfter = mine[end + 1]?.writesBefore ?? writesOf(client);
      return {
        texts: statements.map((s) => s.text.slice(0, 40)),
        roundTrips: statements.filter((s) => s.startsRoundTrip).length,
        writes: writesAfter - statements[0]!.writesBefore,
      };
    },
  };
}

describe("a transaction's last statement (StatementOptions.last)", () => {
  it("commits with the transaction: another connection sees every write afterwards", async () => {
    const db = await databases.open();
    const first = stateRow("first");
    const last = stateRow("last");
    const result = await db.transaction(async (sql) => {
      await sql.execute(first.sql, first.params);
      await sql.execute(last.sql, last.params, { last: true });
      return "done";
    });
    expect(result).toBe("done");
    expect([await stored(db, "first"), await stored(db, "last")]).toEqual([1, 1]);
  });

  it("that fails leaves nothing of the transaction, and its own error is what the caller gets", async () => {
    const db = await databases.open();
    const first = stateRow("kept-not");
    const duplicate = stateRow("kept-not");
    await expect(
      db.transaction(async (sql) => {
        await sql.execute(first.sql, first.params);
        await sql.execute(duplicate.sql, duplicate.params, { last: true });
      }),
    ).rejects.toThrow(/unique|UNIQUE/);
    expect(await stored(db, "kept-not")).toBe(0);
    // The connection went back to the pool usable.
    const after = stateRow("after");
    await db.transaction((sql) => sql.execute(after.sql, after.params, { last: true }));
    expect(await stored(db, "after")).toBe(1);
  });

  it.runIf(onPostgres)("is the end: a statement after it is refused (the work is wrong, not the data)", async () => {
    const db = await databases.open();
    const row = stateRow("then-more");
    await expect(
      db.transaction(async (sql) => {
        await sql.execute(row.sql, row.params, { last: true });
        await sql.execute(`SELECT 1`);
      }),
    ).rejects.toThrow(/after the transaction's last/);
  });
});

describe.runIf(onPostgres)("a direct transaction's round trips on PostgreSQL", () => {
  it("BEGIN travels with the first statement and COMMIT with the last: one round trip for a one-statement transaction", async () => {
    const db = await databases.open();
    const watch = watchRoundTrips();
    const row = stateRow("one-trip");
    await db.transaction((sql) => sql.execute(row.sql, row.params, { last: true }));
    expect(watch.transactionOf(`"ChannelState"`)).toEqual({
      texts: ["BEGIN", expect.stringContaining("INSERT"), "COMMIT"],
      roundTrips: 1,
      writes: 1,
    });
    expect(await stored(db, "one-trip")).toBe(1);
  });

  it("a work that fails before its first statement rolls back, and the pool goes on", async () => {
    const db = await databases.open();
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      await expect(
        db.transaction(async () => {
          throw new Error("nothing to do");
        }),
      ).rejects.toThrow("nothing to do");
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off("unhandledRejection", onRejection);
    }
    expect(rejections).toEqual([]);
    const row = stateRow("still-fine");
    await db.transaction((sql) => sql.execute(row.sql, row.params, { last: true }));
    expect(await stored(db, "still-fine")).toBe(1);
  });

  it("a step batch's transaction is two round trips (read, write), filing a complaint or not", async () => {
    const t = await createTestPipeline();
    pipelines.push(t);
    const { chatId } = await t.pipeline.open("webchat", "id");
    for (const text of ANONYMOUS_INTAKE.slice(0, -1)) await t.pipeline.receive(textMessage(chatId, text));

    const watch = watchRoundTrips();
    const filed = await t.pipeline.receive(textMessage(chatId, "ya"));
    expect(filed.replies[0]?.text).toMatch(TICKET);
    expect(watch.transactionOf(`"batchConversation"`)).toEqual({
      texts: [expect.stringMatching(/^BEGIN/), expect.stringContaining(`"batchConversation"`), expect.stringContaining("INSERT"), "COMMIT"],
      roundTrips: 2,
      writes: 2,
    });
    // The ticket's number came from a statement of its own, outside the batch's transaction (step-batch.ts, phase 2).
    expect(watch.transactionOf(`"batchConversation"`).texts.some((text) => text.includes("TicketCounter"))).toBe(false);

    vi.restoreAllMocks();
    const next = watchRoundTrips();
    expect((await t.pipeline.receive(textMessage(chatId, "halo"))).status).toBe("processed");
    expect(next.transactionOf(`"batchConversation"`)).toMatchObject({ roundTrips: 2, writes: 2 });
  });

  it("the outbox's poll is one round trip, and a round of send reservations two (read locked, write)", async () => {
    const db = await databases.open();
    const store = outboxStore(db);
    const ledger = databaseLedger(db);
    await ledger.reserve([{ key: "warm-up", limit: 5, windowMs: 1000 }], Date.now());

    const watch = watchRoundTrips();
    await store.findDue(new Date(), 20);
    expect(watch.transactionOf(`FROM "OutboxMessage"`)).toMatchObject({ roundTrips: 1, writes: 1 });
    await ledger.reserve([{ key: "warm-up", limit: 5, windowMs: 1000 }], Date.now());
    expect(watch.transactionOf(`"SendPace"`)).toMatchObject({ roundTrips: 2, writes: 2 });
  });
});
