import type { PrismaDb } from "../../src/db/index.js";

type Where = NonNullable<Parameters<PrismaDb["outboxMessage"]["findMany"]>[0]>["where"];

/**
 * The outbox rows matching `where` whose payload says `text`, oldest first. Payloads are sealed at rest
 * (src/db/identity-seal.ts), so SQL cannot search them: the rows are read (and opened) and searched here.
 */
export async function outboxSaying(db: { prisma: PrismaDb }, where: Where, text: string) {
  const rows = await db.prisma.outboxMessage.findMany({ where, orderBy: { id: "asc" } });
  return rows.filter((row) => row.payload.includes(text));
}

export async function firstOutboxSaying(db: { prisma: PrismaDb }, where: Where, text: string) {
  const [row] = await outboxSaying(db, where, text);
  if (!row) throw new Error(`no outbox row says ${JSON.stringify(text)}`);
  return row;
}
