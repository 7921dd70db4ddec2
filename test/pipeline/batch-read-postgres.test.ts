/**
 * A step batch's first statement on PostgreSQL (src/pipeline/step-batch.ts, loadBatch), which finds
 * and locks the batch's conversations. One text for every batch, prepared once per connection, so
 * the plan PostgreSQL keeps for it — the generic plan, made without the batch's values — must still
 * look each conversation and message up by its full unique key when the tables were never analysed
 * (a new deployment, a burst before autovacuum's next ANALYZE). Its batch's transaction holds the
 * planner to index walks (indexWalksOnly); without that, the generic plan read both tables whole.
 * And it locks the conversations in one order, so that two instances' batches never deadlock.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Database, SqlRunner } from "../../src/db/index.js";
import { initialState } from "../../src/flow/index.js";
import { TEST_DB } from "../helpers/database.js";
import { createTestPipeline, textMessage, type TestPipeline } from "../helpers/pipeline.js";

const opened: TestPipeline[] = [];
afterEach(async () => {
  for (const t of opened.splice(0).reverse()) await t.close();
});

type PlanNode = { "Node Type": string; "Index Name"?: string; "Relation Name"?: string; Plans?: PlanNode[] };
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** Conversations and their messages as a busy office's tables hold them, never analysed. */
async function history(db: Database): Promise<void> {
  const state = initialState("id");
  await db.sql.execute(
    `INSERT INTO "Conversation" ("id", "channel", "chatId", "senderId", "locale", "step", "state", "lastInboundAt", "createdAt", "updatedAt")
     SELECT 'c' || g, 'webchat', 'chat' || g, 'chat' || g, 'id', ?, ?, now(), now(), now() FROM generate_series(1, 3000) g`,
    [state.step, JSON.stringify(state)],
  );
  await db.sql.execute(
    `INSERT INTO "Message" ("conversationId", "channel", "providerMessageId", "direction", "author", "text", "createdAt")
     SELECT 'c' || (g % 3000 + 1), 'webchat', 'm' || g, 'in', 'citizen', 'x', now() FROM generate_series(1, 20000) g`,
  );
}

/**
 * The database as the pipeline uses it, but in each step batch's transaction the batch's read is
 * first explained as PostgreSQL keeps it: prepared, under the transaction's settings, and planned
 * generically, as a connection does from the sixth run on.
 */
function explainingBatchReads(db: Database, plans: PlanNode[]): Database {
  const explaining = (tx: SqlRunner): SqlRunner => ({
    ...tx,
    async query<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      if (text.includes(`"batchConversation"`)) {
        await tx.execute(`SET LOCAL plan_cache_mode = force_generic_plan`);
        // The runner numbers the `?`s as the PREPARE's own parameters; EXECUTE takes the values as literals.
        await tx.execute(`PREPARE load_batch_plan AS ${text}`);
        const literals = params.map((p) => `'${String(p).replaceAll("'", "''")}'`).join(", ");
        const [row] = await tx.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) EXECUTE load_batch_plan(${literals})`);
        await tx.execute(`DEALLOCATE load_batch_plan`);
        await tx.execute(`SET LOCAL plan_cache_mode = auto`);
        plans.push(row!["QUERY PLAN"][0].Plan);
      }
      return tx.query<T>(text, params);
    },
  });
  return { ...db, transaction: (work, options) => db.transaction((tx) => work(explaining(tx)), options) };
}

describe.runIf(TEST_DB === "postgresql")("a step batch's read on PostgreSQL, prepared, on tables without statistics", () => {
  it("looks each conversation and message up in its unique index, reading no table whole", async () => {
    const t = await createTestPipeline();
    opened.push(t);
    await history(t.db);
    const plans: PlanNode[] = [];
    const watched = await createTestPipeline({ databaseUrl: t.url, overrides: { db: explainingBatchReads(t.db, plans) } });
    opened.push(watched);

    // A new citizen, one who wrote before, and a redelivered message: each kind of row the read finds.
    const { chatId } = await watched.pipeline.open("webchat", "id");
    expect((await watched.pipeline.receive(textMessage(chatId, "1"))).status).toBe("processed");
    const again = textMessage("chat7", "halo", { providerMessageId: "m7" });
    expect((await watched.pipeline.receive(again)).status).toBe("duplicate");

    expect(plans.length).toBeGreaterThanOrEqual(3);
    for (const plan of plans) {
      const nodes = nodesOf(plan);
      for (const n of nodes) expect(n["Node Type"]).not.toMatch(/Seq Scan|Bitmap|Hash|Sort|Materialize|Merge/);
      expect(nodes.filter((n) => n["Node Type"] === "Index Scan").map((n) => n["Index Name"])).toEqual([
        "Conversation_channel_chatId_key",
        "Message_channel_providerMessageId_key",
      ]);
    }
    // The settings were the transaction's own: the connection went back to the pool as it was.
    const [after] = await t.db.sql.query<{ enable_seqscan: string }>(`SELECT current_setting('enable_seqscan') AS "enable_seqscan"`);
    expect(after?.enable_seqscan).toBe("on");
  });

  it("locks a batch's conversations in one order, whatever the order its messages came in", async () => {
    // Two instances' batches that share two conversations, each locking them in the order its
    // messages came, could each hold one the other waits for (a deadlock, one batch rolled back).
    const t = await createTestPipeline();
    opened.push(t);
    const [first, second] = [(await t.pipeline.open("webchat", "id")).chatId, (await t.pipeline.open("webchat", "id")).chatId].sort() as [
      string,
      string,
    ];
    const lock = (chatId: string, nowait = "") =>
      `SELECT "id" FROM "Conversation" WHERE "channel" = 'webchat' AND "chatId" = '${chatId}' FOR UPDATE${nowait}`;
    // Another instance's transaction holds the conversation that sorts second.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const other = t.db.transaction(async (sql) => {
      await sql.query(lock(second));
      held();
      await released;
    });
    await holding;

    // One batch, its messages in the other order: the second conversation's first.
    const answers = Promise.all([t.pipeline.receive(textMessage(second, "1")), t.pipeline.receive(textMessage(first, "1"))]);
    try {
      // The batch has locked the first conversation and waits for the second.
      await vi.waitFor(() => expect(t.db.sql.query(lock(first, " NOWAIT"))).rejects.toThrow(/could not obtain lock/), { timeout: 3000 });
    } finally {
      release();
      await other;
    }
    expect((await answers).map((a) => a.status)).toEqual(["processed", "processed"]);
  });
});
