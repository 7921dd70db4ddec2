import { jsonObject } from "../core/index.js";
import type { Database } from "../db/index.js";
import type { EvidenceFile } from "./evidence.js";
import { redact, type KnownIdentity } from "./redact.js";
import type { MonthRange } from "./time.js";
import type { ReportComplaint, ReportEvent } from "./types.js";

/** The complainant as the internal complaint form shows them (never the logbook nor the recap). */
export interface ComplainantIdentity {
  anonymous: boolean;
  name: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
}

/** A complaint for a document: the report view (text redacted) plus, kept apart, what identity and raw text it has. */
export interface DocumentComplaint {
  complaint: ReportComplaint;
  /** The complaint text as the citizen wrote it, for the internal form only. */
  originalText: string;
  identity: ComplainantIdentity;
  attachments: number;
  /** The evidence files, oldest first (the form lists them, `documents evidence` zips them). */
  files: EvidenceFile[];
}

interface EventRow {
  type: string;
  actor: string;
  data: string;
  createdAt: Date;
}

interface ComplaintRow {
  ticket: string;
  kind: string;
  category: string | null;
  text: string;
  channel: string;
  status: string;
  sopStep: string;
  stepStartedAt: Date;
  stepDueAt: Date | null;
  holderRole: string | null;
  receivedAt: Date;
  closedAt: Date | null;
  rating: number | null;
  complainant: { anonymous: boolean; name: string | null; email: string | null; phone: string | null; address: string | null };
  events: EventRow[];
}

const FREE_TEXT = ["text", "note", "comment", "reason"];

function toEvent(row: EventRow, who: KnownIdentity): ReportEvent {
  const data = jsonObject(row.data);
  for (const key of FREE_TEXT) {
    const value = data[key];
    if (typeof value === "string") data[key] = redact(value, who);
  }
  return {
    type: row.type,
    at: row.createdAt,
    actor: row.actor,
    by: typeof data.by === "string" && data.by.trim() !== "" ? data.by.trim() : null,
    data,
  };
}

function toReport(row: ComplaintRow): ReportComplaint {
  // Rating: the complaint's column; a "rated" event is the fallback for rows written before it existed.
  const ratedEvent = [...row.events].reverse().find((e) => e.type === "rated");
  const eventScore = ratedEvent ? Number(jsonObject(ratedEvent.data).score) : NaN;
  return {
    ticket: row.ticket,
    kind: row.kind === "information" ? "information" : "complaint",
    category: row.category,
    text: redact(row.text, row.complainant),
    channel: row.channel,
    status: row.status,
    sopStep: row.sopStep,
    stepStartedAt: row.stepStartedAt,
    stepDueAt: row.stepDueAt,
    holderRole: row.holderRole,
    receivedAt: row.receivedAt,
    closedAt: row.closedAt,
    rating: row.rating ?? (Number.isInteger(eventScore) ? eventScore : null),
    events: row.events.map((e) => toEvent(e, row.complainant)),
  };
}

const include = {
  complainant: { select: { anonymous: true, name: true, email: true, phone: true, address: true } },
  events: { orderBy: { createdAt: "asc" as const }, select: { type: true, actor: true, data: true, createdAt: true } },
};

/**
 * Everything the logbook and the recap of a month read, in one place: the records received in the
 * month (oldest first), and the earlier ones not yet closed when it began (the recap's backlog).
 */
export async function loadMonth(db: Database, range: MonthRange): Promise<{ complaints: ReportComplaint[]; earlier: ReportComplaint[] }> {
  const rows = await db.prisma.complaint.findMany({
    where: { receivedAt: { gte: range.start, lt: range.end } },
    include,
    orderBy: [{ receivedAt: "asc" }, { year: "asc" }, { seq: "asc" }],
  });
  const earlier = await db.prisma.complaint.findMany({
    where: { receivedAt: { lt: range.start }, OR: [{ status: { not: "closed" } }, { closedAt: { gte: range.start } }] },
    include,
    orderBy: [{ receivedAt: "asc" }, { year: "asc" }, { seq: "asc" }],
  });
  return { complaints: rows.map(toReport), earlier: earlier.map(toReport) };
}

/** One complaint by ticket for the form and the letter; undefined when no such ticket. */
export async function loadDocumentComplaint(db: Database, ticket: string): Promise<DocumentComplaint | undefined> {
  const row = await db.prisma.complaint.findUnique({
    where: { ticket },
    include: {
      ...include,
      attachments: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { filename: true, mime: true, size: true, storagePath: true },
      },
    },
  });
  if (!row) return undefined;
  const { complainant } = row;
  return {
    complaint: toReport(row),
    originalText: row.text,
    identity: {
      anonymous: complainant.anonymous,
      name: complainant.anonymous ? null : complainant.name,
      email: complainant.email,
      phone: complainant.phone,
      address: complainant.address,
    },
    attachments: row.attachments.length,
    files: row.attachments,
  };
}
