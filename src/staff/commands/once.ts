import type { Database, SqlRunner } from "../../db/index.js";

/**
 * Requests done once, by their key (ProcessedUpdate): a redelivered Telegram update or a web form
 * sent twice is answered by nothing the second time.
 */
export async function alreadyDone(db: Database, key: string): Promise<boolean> {
  return (await db.prisma.processedUpdate.findUnique({ where: { key } })) !== null;
}

/** Marks a request that wrote nothing (an answer, a refusal) as done. */
export async function markDone(db: Database, key: string, at: Date): Promise<void> {
  // Two deliveries at once: the second finds the key taken, and that is fine.
  await db.prisma.processedUpdate.create({ data: { key, createdAt: at } }).catch(() => undefined);
}

/**
 * Claims the key inside the action's transaction, before anything else is written: false when it
 * was claimed before. On PostgreSQL a second delivery running at the same moment waits on the key
 * until the first commits, then finds it taken; on SQLite the claim is the write that takes the
 * database's lock.
 */
export async function claimOnce(sql: SqlRunner, key: string, at: Date): Promise<boolean> {
  const claimed = await sql.execute(`INSERT INTO "ProcessedUpdate" ("key", "createdAt") VALUES (?, ?) ON CONFLICT ("key") DO NOTHING`, [
    key,
    at,
  ]);
  return claimed === 1;
}

/**
 * The start of an action's transaction that has no key to claim: on SQLite, take the write lock
 * before reading (a deferred transaction that reads first and writes later fails with SQLITE_BUSY
 * when another process wrote meanwhile, as the pipeline's batches know).
 */
export async function takeWriteLock(sql: SqlRunner): Promise<void> {
  if (sql.provider === "sqlite") await sql.execute(`UPDATE "TicketCounter" SET "value" = "value" WHERE "key" = ?`, ["#lock"]);
}

/**
 * PostgreSQL: lock the complaint's conversation before the complaint, the order the pipeline's
 * steps take them in (a citizen's rating locks the conversation, then updates the complaint), so a
 * staff action and a citizen's message on one complaint wait for each other instead of deadlocking.
 */
export async function lockConversation(sql: SqlRunner, conversationId: string): Promise<void> {
  if (sql.provider === "postgresql") await sql.query(`SELECT "id" FROM "Conversation" WHERE "id" = ? FOR UPDATE`, [conversationId]);
}
