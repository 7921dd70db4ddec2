import { jsonObject } from "../core/index.js";
import type { Database } from "../db/index.js";

/** The identity views the staff's /identitas records (src/staff/commands/identity.ts), refused ones too. */
export const IDENTITY_VIEW_EVENTS = ["staff.identity", "staff.identityDenied"] as const;

export interface AuditEntry {
  at: Date;
  actor: string;
  /** Whether the identity was shown ("staff.identity") or the attempt refused. */
  shown: boolean;
  data: Record<string, unknown>;
}

export async function findComplaint(db: Database, ticket: string) {
  return db.prisma.complaint.findUnique({ where: { ticket } });
}

/** Every view of (and attempt to view) the complaint's identity, oldest first. */
export async function identityAudit(db: Database, complaintId: string): Promise<AuditEntry[]> {
  const rows = await db.prisma.complaintEvent.findMany({
    where: { complaintId, type: { in: [...IDENTITY_VIEW_EVENTS] } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({ at: r.createdAt, actor: r.actor, shown: r.type === "staff.identity", data: jsonObject(r.data) }));
}

/**
 * Everything the office holds about the complainant behind a complaint: the person (identity opened),
 * their channel accounts, each of their complaints with its events and files, and the conversations'
 * messages. The subject of a data-access request under UU 27/2022.
 */
export async function subjectData(db: Database, complaintId: string) {
  const complaint = await db.prisma.complaint.findUniqueOrThrow({ where: { id: complaintId } });
  const complainant = await db.prisma.complainant.findUniqueOrThrow({
    where: { id: complaint.complainantId },
    include: { identities: { select: { channel: true, externalId: true, displayName: true, createdAt: true } } },
  });
  const complaints = await db.prisma.complaint.findMany({
    where: { complainantId: complainant.id },
    orderBy: { receivedAt: "asc" },
    include: {
      events: { orderBy: { createdAt: "asc" }, select: { type: true, actor: true, data: true, createdAt: true } },
      attachments: { select: { filename: true, mime: true, size: true, sha256: true, createdAt: true } },
    },
  });
  const conversationIds = [...new Set(complaints.map((c) => c.conversationId))];
  const conversations = await db.prisma.conversation.findMany({
    where: { id: { in: conversationIds } },
    select: {
      id: true,
      channel: true,
      createdAt: true,
      messages: { orderBy: { id: "asc" }, select: { direction: true, author: true, text: true, createdAt: true } },
    },
  });
  return {
    complainant: {
      anonymous: complainant.anonymous,
      name: complainant.name,
      email: complainant.email,
      phone: complainant.phone,
      address: complainant.address,
      createdAt: complainant.createdAt,
      accounts: complainant.identities,
    },
    complaints: complaints.map((c) => ({
      ticket: c.ticket,
      kind: c.kind,
      category: c.category,
      channel: c.channel,
      status: c.status,
      sopStep: c.sopStep,
      text: c.text,
      receivedAt: c.receivedAt,
      closedAt: c.closedAt,
      rating: c.rating,
      ratingComment: c.ratingComment,
      events: c.events.map((e) => ({ type: e.type, actor: e.actor, at: e.createdAt, data: jsonObject(e.data) })),
      files: c.attachments,
    })),
    conversations: conversations.map((c) => ({
      channel: c.channel,
      startedAt: c.createdAt,
      messages: c.messages.map((m) => ({ at: m.createdAt, direction: m.direction, author: m.author, text: m.text })),
    })),
  };
}

export type SubjectData = Awaited<ReturnType<typeof subjectData>>;
