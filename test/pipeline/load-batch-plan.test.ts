/**
 * A step batch's first statement on PostgreSQL (src/pipeline/step-batch.ts, loadBatch): one text
 * for every batch, prepared once per connection, so the plan PostgreSQL keeps for it — the generic
 * plan, made without the batch's values — must still look each conversation and message up by its
 * full unique key when the tables were never analysed (a new deployment, a burst before
 * autovacuum's next ANALYZE). Its batch's transaction holds the planner to index walks
 * (indexWalksOnly); without that, the generic plan read both tables whole.
 */
import { afterEach, describe, expect, it } from "vitest";
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
});
