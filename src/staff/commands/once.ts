import type { Database } from "../../db/index.js";

/**
 * Requests done once, by their key (ProcessedUpdate): a redelivered Telegram update or a web form
 * sent twice is answered by nothing the second time.
 */
export async function alreadyDone(db: Database, key: string): Promise<boolean> {
  return (await db.prisma.processedUpdate.findUnique({ where: { key } })) !== null;
}

export async function markDone(db: Database, key: string, at: Date): Promise<void> {
  // Two deliveries at once: the second finds the key taken, and that is fine.
  await db.prisma.processedUpdate.create({ data: { key, createdAt: at } }).catch(() => undefined);
}
