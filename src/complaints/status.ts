import type { Locale, Reply } from "../core/index.js";
import { jsonListSubquery, lookupHashes, type ComplaintRecord, type SqlRunner } from "../db/index.js";
import { stepLabel, type SopPreset } from "./sop.js";

export interface Requester {
  conversationId: string;
  channel: string;
  senderId: string;
}

type StatusRow = Pick<ComplaintRecord, "ticket" | "kind" | "category" | "status" | "sopStep" | "receivedAt" | "stepDueAt" | "closedAt">;

/**
 * A complaint's status, for the complainant who filed it only: from the same conversation, or from
 * the same account on the same channel. Anyone else gets exactly the answer for a ticket that does
 * not exist, so a ticket number reveals nothing.
 */
export async function statusReply(
  sql: SqlRunner,
  ticket: string,
  requester: Requester,
  view: { sop: SopPreset; locale: Locale; timeZone: string },
): Promise<Reply> {
  const rows = await sql.query<StatusRow>(
    `SELECT c."ticket", c."kind", c."category", c."status", c."sopStep", c."receivedAt", c."stepDueAt", c."closedAt"
       FROM "Complaint" c
      WHERE c."ticket" = ?
        AND (c."conversationId" = ?
             OR c."complainantId" IN (SELECT i."complainantId" FROM "ChannelIdentity" i WHERE i."channel" = ? AND i."externalId" IN ${jsonListSubquery(sql.provider)}))`,
    [ticket, requester.conversationId, requester.channel, JSON.stringify(lookupHashes(requester.senderId))],
  );
  const row = rows[0];
  if (!row) return { key: "status.unknown", vars: { ticket } };
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
