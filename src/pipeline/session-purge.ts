import type { Database } from "../db/index.js";

export interface PurgeResult {
  conversations: number;
  messages: number;
  attachments: number;
}

const DAY_MS = 86_400_000;

/**
 * Web-chat sessions that never became a complaint (nor an information request) and have been idle
 * for `idleDays` are deleted with everything they held: the conversation (its state holds a draft's
 * name, contact and address), its messages and the records of its files (the files themselves are
 * swept with every file no record refers to). A browser that comes back later finds no session and
 * starts a new one: a shared computer shows nobody's conversation after the idle time.
 *
 * In batches, each one short transaction that checks again that the session is still idle and
 * still without a complaint (a citizen who wrote meanwhile keeps it).
 */
export async function purgeIdleWebchatSessions(
  db: Database,
  options: { idleDays: number; now?: Date; batchSize?: number },
): Promise<PurgeResult> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.idleDays * DAY_MS);
  const batchSize = options.batchSize ?? 500;
  const total: PurgeResult = { conversations: 0, messages: 0, attachments: 0 };
  const idle = { channel: "webchat", complaintId: null, updatedAt: { lt: cutoff } };
  let after = "";
  for (;;) {
    const candidates = await db.prisma.conversation.findMany({
      where: { ...idle, id: { gt: after } },
      select: { id: true },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (candidates.length === 0) break;
    after = candidates[candidates.length - 1]!.id;
    const done = await db.prisma.$transaction(async (tx) => {
      const still = await tx.conversation.findMany({ where: { ...idle, id: { in: candidates.map((c) => c.id) } }, select: { id: true } });
      const filed = new Set(
        (await tx.complaint.findMany({ where: { conversationId: { in: still.map((c) => c.id) } }, select: { conversationId: true } })).map(
          (c) => c.conversationId,
        ),
      );
      const ids = still.map((c) => c.id).filter((id) => !filed.has(id));
      if (ids.length === 0) return { conversations: 0, messages: 0, attachments: 0 };
      const attachments = await tx.attachment.deleteMany({ where: { conversationId: { in: ids }, complaintId: null } });
      const messages = await tx.message.deleteMany({ where: { conversationId: { in: ids } } });
      await tx.outboxMessage.deleteMany({ where: { conversationId: { in: ids }, complaintId: null } });
      const conversations = await tx.conversation.deleteMany({ where: { id: { in: ids } } });
      return { conversations: conversations.count, messages: messages.count, attachments: attachments.count };
    });
    total.conversations += done.conversations;
    total.messages += done.messages;
    total.attachments += done.attachments;
    if (candidates.length < batchSize) break;
  }
  return total;
}
