import { findTicket, jsonObject } from "../core/index.js";
import { presetRolesOf, type SopPreset } from "../complaints/index.js";
import type { Database } from "../db/index.js";

export const PAGE_SIZE = 25;

/** The inbox's filters, as read from the query string (inbox-filters.ts). */
export interface InboxFilter {
  status: "open" | "closed" | "all";
  kind?: "complaint" | "information";
  category?: string;
  channel?: string;
  step?: string;
  overdue: boolean;
  mine: boolean;
  q?: string;
  page: number;
}

/** Who "assigned to me" means: the person's Telegram id (if any) and the preset roles their role stands for. */
export interface Holder {
  telegramId?: string;
  role: string;
}

export interface InboxRow {
  id: string;
  ticket: string;
  kind: string;
  category: string | null;
  channel: string;
  status: string;
  sopStep: string;
  holderRole: string | null;
  holderStaff: string | null;
  stepStartedAt: Date;
  stepDueAt: Date | null;
  receivedAt: Date;
  text: string;
  lastMessage?: { text: string; author: string; at: Date };
  /** Only to blank the reporter's identity out of the texts for roles that may not see it. */
  complainant: { name: string | null; email: string | null; phone: string | null; address: string | null };
}

/**
 * The Prisma `where` of the inbox. A complaint is "mine" when its step was handed to me by name,
 * or (handed to nobody by name) its holding role — the assigned one, else the step's own — is one
 * of mine; the same rule the SOP uses for who may act.
 */
export function inboxWhere(sop: SopPreset, filter: InboxFilter, holder: Holder, now: Date): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  if (filter.status === "open") and.push({ status: { not: "closed" } });
  if (filter.status === "closed") and.push({ status: "closed" });
  if (filter.kind) and.push({ kind: filter.kind });
  if (filter.category) and.push({ category: filter.category });
  if (filter.channel) and.push({ channel: filter.channel });
  if (filter.step) and.push({ sopStep: filter.step });
  if (filter.overdue) and.push({ status: { not: "closed" }, stepDueAt: { lt: now } });
  if (filter.mine) {
    const roles = [...presetRolesOf(sop, holder.role)];
    const steps = sop.steps.filter((s) => roles.includes(s.role)).map((s) => s.id);
    const mine: Record<string, unknown>[] = [
      { holderStaff: null, holderRole: { in: roles } },
      { holderStaff: null, holderRole: null, sopStep: { in: steps } },
    ];
    if (holder.telegramId) mine.push({ holderStaff: holder.telegramId });
    and.push({ OR: mine });
  }
  if (filter.q) {
    // Complaint texts are sealed at rest (src/db/identity-seal.ts): the database can match the
    // ticket only; the text is matched by textMatches() after Prisma has opened the rows.
    const ticket = findTicket(filter.q.toUpperCase());
    if (ticket) and.push({ ticket: { contains: ticket } });
  }
  return and.length > 0 ? { AND: and } : {};
}

/**
 * The inbox's order, newest first (the ticket breaks ties). A text search pages through its matches
 * in this order (textMatches), so the two must not drift apart.
 */
const INBOX_ORDER = [{ receivedAt: "desc" as const }, { ticket: "desc" as const }];

/** One page of the inbox, newest first, with each complaint's last message. */
export async function inboxPage(
  db: Database,
  sop: SopPreset,
  filter: InboxFilter,
  holder: Holder,
  now: Date,
  searchScan = SEARCH_SCAN,
): Promise<{ rows: InboxRow[]; total: number; searchedNewest?: number }> {
  // The where is built from our own filter type; Prisma's generated input type differs per provider.
  const where = inboxWhere(sop, filter, holder, now) as never;
  const orderBy = INBOX_ORDER;
  const include = { complainant: { select: { name: true, email: true, phone: true, address: true } } };
  const skip = (filter.page - 1) * PAGE_SIZE;
  let searchedNewest: number | undefined;
  let rows;
  let total;
  if (filter.q && !findTicket(filter.q.toUpperCase())) {
    const matches = await textMatches(db, where, filter.q, searchScan);
    // The matches come in the inbox's order: only this page's are read again, by id. All of them
    // as one `id IN (…)` went past Prisma's limit on a statement's parameters (999 on SQLite) once
    // a common word matched a thousand complaints, and the search failed.
    rows = await db.prisma.complaint.findMany({ where: { id: { in: matches.ids.slice(skip, skip + PAGE_SIZE) } }, orderBy, include });
    total = matches.ids.length;
    // Older complaints were not opened: staff are told, rather than shown "no match" as if searched.
    if (matches.limited) searchedNewest = searchScan;
  } else {
    [rows, total] = await Promise.all([
      db.prisma.complaint.findMany({ where, orderBy, include, skip, take: PAGE_SIZE }),
      db.prisma.complaint.count({ where }),
    ]);
  }
  const last = await lastMessages(
    db,
    rows.map((r) => r.id),
  );
  return {
    rows: rows.map((r) => ({ ...r, ...(last.has(r.id) ? { lastMessage: last.get(r.id)! } : {}) })),
    total,
    ...(searchedNewest !== undefined ? { searchedNewest } : {}),
  };
}

/**
 * The complaints (among those `where` selects) whose text or ticket holds `q`, ignoring case. The
 * texts are encrypted in the database, so they are read (newest first, at most `scan`) and
 * matched here: an office's complaints number in the thousands, and opening them costs ~10 µs each.
 * `limited`: the scan stopped at `scan` rows, so older complaints were not looked at.
 */
async function textMatches(db: Database, where: never, q: string, scan: number): Promise<{ ids: string[]; limited: boolean }> {
  const needle = q.toLocaleLowerCase("id");
  const rows = await db.prisma.complaint.findMany({
    where,
    orderBy: INBOX_ORDER,
    select: { id: true, ticket: true, text: true },
    // One more than the scan: whether anything older is left unsearched.
    take: scan + 1,
  });
  return matchingAmongNewest(rows, scan, (r) => r.text.toLocaleLowerCase("id").includes(needle) || r.ticket.toLowerCase().includes(needle));
}

/**
 * The ids of `rows` (read newest first, `scan` + 1 of them at most, so that one more tells whether
 * anything older was left) that `matches` keeps among the first `scan`. Sealed texts are matched in
 * memory this way (the inbox's search, the audit page's person and front end); `limited`: older
 * rows were not looked at, and the page says so.
 */
export function matchingAmongNewest<R extends { id: string }>(
  rows: readonly R[],
  scan: number,
  matches: (row: R) => boolean,
): { ids: string[]; limited: boolean } {
  return {
    ids: rows
      .slice(0, scan)
      .filter(matches)
      .map((r) => r.id),
    limited: rows.length > scan,
  };
}

const SEARCH_SCAN = 20_000;

/**
 * The newest message of each complaint after it was filed: the citizen's follow-up or a staff
 * reply, as the audit trail records them (the intake's own messages, down to the "yes" that
 * filed it, are the complaint's text). One query for the page.
 */
async function lastMessages(db: Database, complaintIds: string[]): Promise<Map<string, { text: string; author: string; at: Date }>> {
  if (complaintIds.length === 0) return new Map();
  const events = await db.prisma.complaintEvent.findMany({
    where: { complaintId: { in: complaintIds }, type: { in: ["citizen.followup", "staff.reply"] } },
    orderBy: { createdAt: "desc" },
    distinct: ["complaintId"],
    select: { complaintId: true, type: true, data: true, createdAt: true },
  });
  const last = new Map<string, { text: string; author: string; at: Date }>();
  for (const e of events) {
    const data = jsonObject(e.data);
    const text = typeof data.text === "string" ? data.text : "";
    last.set(e.complaintId, { text, author: e.type === "staff.reply" ? "staff" : "citizen", at: e.createdAt });
  }
  return last;
}

/** Everything the complaint page shows, read at once. */
export async function complaintView(db: Database, ticket: string) {
  const complaint = await db.prisma.complaint.findUnique({ where: { ticket }, include: { complainant: true } });
  if (!complaint) return undefined;
  const [messages, events, attachments, outbox] = await Promise.all([
    db.prisma.message.findMany({ where: { complaintId: complaint.id }, orderBy: { id: "asc" }, take: 500 }),
    db.prisma.complaintEvent.findMany({ where: { complaintId: complaint.id }, orderBy: { createdAt: "asc" }, take: 500 }),
    db.prisma.attachment.findMany({ where: { complaintId: complaint.id }, orderBy: { createdAt: "asc" } }),
    db.prisma.outboxMessage.findMany({
      where: { complaintId: complaint.id, kind: "reply" },
      select: { messageId: true, status: true, deliveryStatus: true, lastError: true },
    }),
  ]);
  const replyFiles = await officeFiles(
    db,
    complaint.conversationId,
    messages.filter((m) => m.direction === "out" && m.author === "staff").map((m) => m.id),
  );
  return { complaint, messages, events, attachments, outbox, replyFiles };
}

/** The files staff sent with these messages of the office (Attachment rows of no complaint: not evidence). */
async function officeFiles(db: Database, conversationId: string, messageIds: number[]) {
  if (messageIds.length === 0) return [];
  return db.prisma.attachment.findMany({
    where: { conversationId, complaintId: null, messageId: { in: messageIds } },
    orderBy: { createdAt: "asc" },
    select: { id: true, messageId: true, mime: true, size: true, filename: true },
  });
}

/**
 * A file the complaint page may serve under this ticket: the complaint's evidence, or a file staff
 * sent with one of the office's messages about it. Undefined for any other file.
 */
export async function fileOfComplaint(db: Database, ticket: string, id: string) {
  const complaint = await db.prisma.complaint.findUnique({ where: { ticket }, select: { id: true, conversationId: true } });
  if (!complaint) return undefined;
  const file = await db.prisma.attachment.findFirst({
    where: { id, OR: [{ complaintId: complaint.id }, { complaintId: null, conversationId: complaint.conversationId }] },
  });
  if (!file || file.complaintId === complaint.id) return file ?? undefined;
  const sent =
    file.messageId !== null &&
    (await db.prisma.message.count({ where: { id: file.messageId, complaintId: complaint.id, direction: "out", author: "staff" } })) > 0;
  return sent ? file : undefined;
}

export type ComplaintView = NonNullable<Awaited<ReturnType<typeof complaintView>>>;
