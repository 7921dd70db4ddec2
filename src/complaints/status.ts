import type { Locale, Reply } from "../core/index.js";
import { inJsonList, lookupHashes, type ComplaintRecord, type SqlRunner } from "../db/index.js";
import { stepLabel, type SopPreset } from "./sop.js";
import { checkTrackingCode, senderIsProven } from "./tracking.js";

export interface Requester {
  conversationId: string;
  channel: string;
  senderId: string;
}

/** A status query: the ticket, and the tracking code when the citizen typed one. */
export interface StatusQuery {
  ticket: string;
  code?: string;
}

type StatusRow = Pick<ComplaintRecord, "ticket" | "kind" | "category" | "status" | "sopStep" | "receivedAt" | "stepDueAt" | "closedAt">;

const COLUMNS = `c."ticket", c."kind", c."category", c."status", c."sopStep", c."receivedAt", c."stepDueAt", c."closedAt"`;

/**
 * A complaint's status: for the complainant who filed it (from the same conversation, or from the
 * same account on a channel that proves its accounts), or for anyone with the ticket's tracking
 * code. Anyone else is told to add the code, whether the ticket exists or not; a wrong code gets
 * exactly the answer of a ticket that does not exist, so a ticket number reveals nothing.
 */
export async function statusReply(
  sql: SqlRunner,
  query: StatusQuery,
  requester: Requester,
  view: { sop: SopPreset; locale: Locale; timeZone: string; now: Date },
): Promise<Reply> {
  const { ticket } = query;
  const bySender = senderIsProven(requester.channel)
    ? `OR c."complainantId" IN (SELECT i."complainantId" FROM "ChannelIdentity" i WHERE i."channel" = ? AND ${inJsonList(sql.provider, `i."externalId"`)})`
    : "";
  const owned = await sql.query<StatusRow>(
    `SELECT ${COLUMNS} FROM "Complaint" c WHERE c."ticket" = ? AND (c."conversationId" = ? ${bySender})`,
    [ticket, requester.conversationId, ...(bySender ? [requester.channel, JSON.stringify(lookupHashes(requester.senderId))] : [])],
  );
  if (owned[0]) return statusReport(owned[0], view);
  if (!query.code) return { key: "tracking.needCode", vars: { ticket } };

  const check = await checkTrackingCode(sql, { ticket, code: query.code, client: `${requester.channel}:${requester.senderId}` }, view.now);
  if (check.outcome === "tooMany") return { key: "tracking.tooMany", vars: { minutes: Math.ceil(check.retryAfterSeconds / 60) } };
  if (check.outcome === "unknown") return { key: "tracking.unknown", vars: { ticket } };
  const rows = await sql.query<StatusRow>(`SELECT ${COLUMNS} FROM "Complaint" c WHERE c."id" = ?`, [check.complaintId]);
  return rows[0] ? statusReport(rows[0], view) : { key: "tracking.unknown", vars: { ticket } };
}

function statusReport(row: StatusRow, view: { sop: SopPreset; locale: Locale; timeZone: string }): Reply {
  const when = (d: Date | null) => (d ? formatDateTime(new Date(d), view.locale, view.timeZone) : "-");
  return {
    key: row.status === "closed" ? "status.reportClosed" : "status.report",
    vars: {
      ticket: row.ticket,
      kind: { key: row.kind === "information" ? "status.kind.information" : "status.kind.complaint" },
      category: row.category ?? "-",
      step: stepLabel(view.sop, row.sopStep)[view.locale],
      received: when(row.receivedAt),
      due: when(row.stepDueAt),
      closed: when(row.closedAt),
    },
  };
}

export function formatDateTime(date: Date, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale === "id" ? "id-ID" : "en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(date);
}
