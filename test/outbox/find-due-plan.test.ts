/**
 * The outbox worker's poll under a backlog on PostgreSQL (src/outbox/store.ts, findDue): on a
 * table without statistics — a new deployment, a burst before autovacuum's next ANALYZE — it must
 * still walk the unfinished rows oldest first and stop at its LIMIT, not read and sort the whole
 * backlog (what PostgreSQL's planner chose there: 45–200 ms a poll, README, Benchmark).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Database, SqlRunner } from "../../src/db/index.js";
import { outboxStore } from "../../src/outbox/store.js";
import { openedTestDatabases, TEST_DB } from "../helpers/database.js";

let db: Database | undefined;
const databases = openedTestDatabases("kanal-find-due-");
afterEach(async () => {
  db = undefined;
  await databases.closeAll();
});
const freshDatabase = () => databases.open();

const NOW = new Date("2026-12-05T03:00:00.000Z");
const CHATS = 600;
const PER_CHAT = 6;
/** Chats 0–39 have their first row out with another worker (a live lease), chats 40–49 wait for a retry. */
const IN_FLIGHT = 40;
const RETRYING = 10;

/**
 * WhatsApp's backlog as the scale-out benchmark builds it: many chats, several replies each,
 * queued one after another behind the send pace; the older ones already sent.
 */
async function backlog(database: Database): Promise<void> {
  await database.sql.execute(
    `INSERT INTO "OutboxMessage" ("id", "channel", "chatId", "payload", "status", "attempts", "nextAttemptAt", "lockedUntil", "createdAt", "updatedAt")
     SELECT 'r' || lpad(chat::text, 4, '0') || '-' || k, 'whatsapp', 'chat' || chat, 'x',
       CASE WHEN k = 0 AND chat < ${IN_FLIGHT} THEN 'sending' ELSE 'pending' END,
       CASE WHEN k = 0 AND chat >= ${IN_FLIGHT} AND chat < ${IN_FLIGHT + RETRYING} THEN 1 ELSE 0 END,
       CASE WHEN k = 0 AND chat >= ${IN_FLIGHT} AND chat < ${IN_FLIGHT + RETRYING} THEN ?::timestamp + interval '1 minute'
            ELSE ?::timestamp - interval '10 minutes' END,
       CASE WHEN k = 0 AND chat < ${IN_FLIGHT} THEN ?::timestamp + interval '15 seconds' END,
       ?::timestamp - interval '10 minutes' + (chat * ${PER_CHAT} + k) * interval '10 milliseconds', ?
     FROM generate_series(0, ${CHATS - 1}) chat, generate_series(0, ${PER_CHAT - 1}) k`,
    [NOW, NOW, NOW, NOW, NOW],
  );
  await database.sql.execute(
    `INSERT INTO "OutboxMessage" ("id", "channel", "chatId", "payload", "status", "attempts", "nextAttemptAt", "createdAt", "updatedAt", "sentAt")
     SELECT 'sent' || g, 'whatsapp', 'old' || (g % 500), 'x', 'sent', 1, ?::timestamp - interval '1 day',
       ?::timestamp - interval '1 day' + g * interval '1 second', ?, ?
     FROM generate_series(1, 5000) g`,
    [NOW, NOW, NOW, NOW],
  );
}

type PlanNode = { "Node Type": string; "Index Name"?: string; Plans?: PlanNode[] };
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe.runIf(TEST_DB === "postgresql")("findDue on PostgreSQL with a backlog and no statistics", () => {
  it("walks the unfinished rows oldest first through their indexes, sorting and scanning nothing whole", async () => {
    db = await freshDatabase();
    await backlog(db);
    // findDue as the worker runs it, its statement explained on the same transaction just before it runs.
    const plans: PlanNode[] = [];
    const database = db;
    const explaining = (tx: SqlRunner): SqlRunner => ({
      ...tx,
      async query<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
        if (text.includes(`FROM "OutboxMessage" o`)) {
          const [row] = await tx.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
          plans.push(row!["QUERY PLAN"][0].Plan);
        }
        return tx.query<T>(text, params);
      },
    });
    const watched: Database = { ...database, transaction: (work, options) => database.transaction((tx) => work(explaining(tx)), options) };
    expect(await outboxStore(watched).findDue(NOW, 20, [])).toHaveLength(20);

    expect(plans).toHaveLength(1);
    const nodes = nodesOf(plans[0]!);
    for (const n of nodes) expect(n["Node Type"]).not.toMatch(/Sort|Seq Scan|Bitmap|Hash|Materialize/);
    expect(nodes.filter((n) => n["Node Type"] === "Index Scan").map((n) => n["Index Name"])).toEqual([
      "OutboxMessage_unfinished_order_idx",
      "OutboxMessage_unfinished_chat_idx",
    ]);
    // The settings were the transaction's own: the connection went back to the pool as it was.
    const [after] = await db.sql.query<{ enable_sort: string }>(`SELECT current_setting('enable_sort') AS "enable_sort"`);
    expect(after?.enable_sort).toBe("on");
  });

  it("finds the due runs of the oldest chats, skipping chats whose first row is out or waits for its retry", async () => {
    db = await freshDatabase();
    await backlog(db);
    const due = await outboxStore(db).findDue(NOW, 20, []);
    const firstFree = IN_FLIGHT + RETRYING;
    expect(due.map((r) => r.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `r${String(firstFree + Math.floor(i / PER_CHAT)).padStart(4, "0")}-${i % PER_CHAT}`),
    );
    expect(await outboxStore(db).findDue(NOW, 20, ["whatsapp"])).toEqual([]);
  });
});
