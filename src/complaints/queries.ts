import { randomUUID } from "node:crypto";
import type { ComplaintRecord, PrismaDb } from "../db/index.js";

/**
 * The complaint queries the staff commands (every front end) need, on the client or inside a
 * transaction: each takes the part of a Prisma client it uses, which a transaction client has too.
 */

export type ComplaintRow = ComplaintRecord;

export async function complaintByTicket(client: Pick<PrismaDb, "complaint">, ticket: string): Promise<ComplaintRow | undefined> {
  return (await client.complaint.findUnique({ where: { ticket } })) ?? undefined;
}

/**
 * The complaint a message in the staff feed is about: the card or notice the bot posted there
 * (an outbox row, found by the provider's message id) carries its complaint.
 */
export async function complaintOfFeedMessage(
  client: Pick<PrismaDb, "complaint" | "outboxMessage">,
  feed: { channel: string; chatId: string },
  providerMessageId: string,
): Promise<ComplaintRow | undefined> {
  const row = await client.outboxMessage.findFirst({
    where: { channel: feed.channel, chatId: feed.chatId, providerMessageId, complaintId: { not: null } },
    select: { complaintId: true },
  });
  if (!row?.complaintId) return undefined;
  return (await client.complaint.findUnique({ where: { id: row.complaintId } })) ?? undefined;
}

/** Where the complaint's citizen can be answered: the conversation it was filed in, if it still exists. */
export async function conversationOfComplaint(
  client: Pick<PrismaDb, "conversation">,
  complaint: Pick<ComplaintRow, "conversationId">,
): Promise<{ channel: string; chatId: string; lastInboundAt: Date | null } | undefined> {
  const found = await client.conversation.findUnique({
    where: { id: complaint.conversationId },
    select: { channel: true, chatId: true, lastInboundAt: true },
  });
  return found ?? undefined;
}

/**
 * Closes the complaint while it is still open and, for an SOP ending, still on `onStep`; false when
 * another action got there first (two staff at once close it once).
 */
export async function closeComplaint(
  client: Pick<PrismaDb, "complaint">,
  complaint: Pick<ComplaintRow, "id">,
  now: Date,
  onStep?: string,
): Promise<boolean> {
  const closed = await client.complaint.updateMany({
    where: { id: complaint.id, status: { not: "closed" }, ...(onStep ? { sopStep: onStep } : {}) },
    data: { status: "closed", closedAt: now, updatedAt: now },
  });
  return closed.count === 1;
}

/** The oldest open complaints (at most `limit`) and how many are open in all. */
export async function openComplaints(client: Pick<PrismaDb, "complaint">, limit: number): Promise<{ rows: ComplaintRow[]; total: number }> {
  const rows = await client.complaint.findMany({ where: { status: { not: "closed" } }, orderBy: { receivedAt: "asc" }, take: limit });
  if (rows.length === 0) return { rows, total: 0 };
  return { rows, total: await client.complaint.count({ where: { status: { not: "closed" } } }) };
}

/** A complaint's audit trail, oldest first. */
export function complaintEvents(client: Pick<PrismaDb, "complaintEvent">, complaintId: string, limit: number) {
  return client.complaintEvent.findMany({ where: { complaintId }, orderBy: { createdAt: "asc" }, take: limit });
}

/** The complainant behind a complaint, with the accounts they wrote from: confidential, for the identity command only. */
export async function complainantOf(client: Pick<PrismaDb, "complainant">, complaint: Pick<ComplaintRow, "complainantId">) {
  return (await client.complainant.findUnique({ where: { id: complaint.complainantId }, include: { identities: true } })) ?? undefined;
}

/** One entry of the audit trail: who (`actor`, and `data.by` for people) did what to a complaint. */
export interface ComplaintEventInput {
  complaintId: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  at: Date;
}

export async function recordEvent(client: Pick<PrismaDb, "complaintEvent">, event: ComplaintEventInput): Promise<void> {
  await client.complaintEvent.create({
    data: {
      id: randomUUID(),
      complaintId: event.complaintId,
      type: event.type,
      actor: event.actor,
      data: JSON.stringify(event.data),
      createdAt: event.at,
    },
  });
}
