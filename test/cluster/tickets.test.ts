/**
 * Ticket numbers across instances on one PostgreSQL (npm run test:pg): unique and consecutive when
 * two instances confirm at once, and a confirming batch that has not committed yet does not hold
 * up another instance's confirmation (the counter row is locked for one statement, not until the
 * batch commits).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allocateTickets } from "../../src/complaints/index.js";
import { openDatabase, sqlRunner, type Database, type RawClient, type SqlRunner } from "../../src/db/index.js";
import { createPostgresDatabase } from "../helpers/postgres.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

const database = await createPostgresDatabase();
const skip = "skip" in database ? database.skip : undefined;

/** A gate a statement waits at: `reached` resolves when one arrives, `open()` lets it through. */
function gate() {
  let reach!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { reached, open, pass: () => (reach(), opened) };
}

/** The database, but a transaction's statement that inserts into "Complaint" waits at the gate while armed: a batch held open mid-way. */
function heldAtComplaintInsert(db: Database, armed: () => ReturnType<typeof gate> | undefined): Database {
  const wrap = (runner: SqlRunner, inTransaction: boolean): SqlRunner => ({
    provider: runner.provider,
    async query<T>(sql: string, params?: readonly unknown[]) {
      return runner.query<T>(sql, params);
    },
    async execute(sql: string, params?: readonly unknown[]) {
      const g = armed();
      if (inTransaction && g && sql.includes(`INSERT INTO "Complaint"`)) await g.pass();
      return runner.execute(sql, params);
    },
    within: (tx: RawClient) => wrap(runner.within(tx), true),
  });
  const transaction = db.transaction.bind(db);
  return {
    ...db,
    sql: wrap(db.sql, false),
    // The batches' own transactions (on PostgreSQL src/db/pg-direct.ts) are held the same way.
    transaction: (work, options) => transaction((sql) => work(wrap(sql, true)), options),
  };
}

const ticketOf = (replies: { text: string }[]) => TICKET.exec(replies.map((r) => r.text).join(" "))?.[0];
const seqOf = (ticket: string | undefined) => Number(ticket?.split("-").at(-1));

describe.skipIf(Boolean(skip))(`tickets across instances on PostgreSQL${skip ? ` — skipped: ${skip}` : ""}`, () => {
  let a: TestPipeline;
  let b: TestPipeline;
  let aDb: Database | undefined;
  let held: ReturnType<typeof gate> | undefined;
  beforeAll(async () => {
    if (!("url" in database)) return;
    // Instance A's batches can be held open just before they write their complaints.
    aDb = await openDatabase(database.url);
    a = await createTestPipeline({ databaseUrl: database.url, overrides: { db: heldAtComplaintInsert(aDb, () => held) } });
    b = await createTestPipeline({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await aDb?.close();
    if ("drop" in database) await database.drop();
  });

  async function upToConfirmation(t: TestPipeline, chat: string) {
    for (const text of ["halo", ...ANONYMOUS_INTAKE.slice(0, -1)]) await t.pipeline.receive(textMessage(chat, text));
  }

  it("two instances confirming at once get unique, consecutive tickets", async () => {
    const chats = Array.from({ length: 30 }, (_, i) => [i % 2 === 0 ? a : b, `race-${i}`] as const);
    await Promise.all(chats.map(([t, chat]) => upToConfirmation(t, chat)));
    const receipts = await Promise.all(chats.map(([t, chat]) => t.pipeline.receive(textMessage(chat, "ya"))));
    const seqs = receipts.map((r) => seqOf(ticketOf(r.replies))).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await b.db.prisma.complaint.count()).toBe(30);
  });

  it("a confirmation on one instance does not wait for another instance's batch to commit", async () => {
    await upToConfirmation(a, "held");
    await upToConfirmation(b, "free");
    held = gate();
    const slow = a.pipeline.receive(textMessage("held", "ya"));
    await held.reached; // A's batch has its ticket and is inside its transaction, not committed
    try {
      const quick = await Promise.race([
        b.pipeline.receive(textMessage("free", "ya")),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("B waited for A's transaction")), 15_000)),
      ]);
      expect(seqOf(ticketOf(quick.replies))).toBe(32);
      expect(await b.db.prisma.complaint.count({ where: { ticket: ticketOf(quick.replies)! } })).toBe(1);
    } finally {
      held.open();
      held = undefined;
    }
    expect(seqOf(ticketOf((await slow).replies))).toBe(31);
    expect(await b.db.prisma.complaint.count()).toBe(32);
  });

  it("a reservation apart from the batch turns off the commit's WAL wait for its own statement only", async () => {
    const client = new pg.Client({ connectionString: (database as { url: string }).url });
    await client.connect();
    try {
      const raw: RawClient = {
        $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) => (await client.query(query, values)).rows as T,
        $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await client.query(query, values)).rowCount ?? 0,
      };
      const tickets = await allocateTickets(sqlRunner(raw, "postgresql"), "ADU", 2031, 2, { apart: true });
      expect(tickets).toEqual(["ADU-2031-00001", "ADU-2031-00002"]);
      // The setting was the statement's own (set_config(…, true)): the connection is back to the default.
      expect((await client.query<{ synchronous_commit: string }>("SHOW synchronous_commit")).rows[0]!.synchronous_commit).toBe("on");
    } finally {
      await client.end();
    }
  });
});
