import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { findTicket, jsonObject } from "../core/index.js";
import { redact } from "../reports/index.js";
import { eventReply } from "../staff/index.js";
import { stateOf, userOf, type Renderer } from "./context.js";
import { html } from "./html.js";
import { matchingAmongNewest } from "./queries.js";
import type { Database } from "../db/index.js";
import type { ConsoleDeps } from "./types.js";
import { when } from "./view.js";

const AUDIT_PAGE = 50;
/** How many of the newest staff events a filter by person or front end reads. */
const AUDIT_SCAN = 20_000;

/** The audit page's order, newest first (the id breaks ties, so pages neither repeat nor skip an entry). */
const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

/**
 * The staff events (among those `where` selects) written by `who` (a prefix of the name, any case)
 * and/or through `via`, newest first. `limited`: the scan stopped at `scan` events, so older ones
 * were not looked at.
 */
async function eventsBy(
  db: Database,
  where: never,
  who: string | undefined,
  via: string | undefined,
  scan: number,
): Promise<{ ids: string[]; limited: boolean }> {
  const rows = await db.prisma.complaintEvent.findMany({
    where,
    orderBy: NEWEST_FIRST,
    select: { id: true, data: true },
    // One more than the scan: whether anything older is left unread.
    take: scan + 1,
  });
  const name = who?.toLocaleLowerCase("id");
  return matchingAmongNewest(rows, scan, (r) => {
    const data = jsonObject(r.data);
    const by = typeof data.by === "string" ? data.by.toLocaleLowerCase("id") : "";
    return (!name || by.startsWith(name)) && (!via || data.via === via);
  });
}

/** What the audit page lists: a kind of entry, a ticket, a person (a prefix of the name), a front end. */
export interface AuditFilter {
  kind?: string | undefined;
  ticket?: string | undefined;
  who?: string | undefined;
  via?: string | undefined;
  page: number;
}

/**
 * One page of the audit trail, newest first, and how many entries the filter finds. `searchedNewest`:
 * a filter by person or front end read only that many of the newest entries (older ones exist).
 */
export async function auditEntries(db: Database, filter: AuditFilter, scan = AUDIT_SCAN) {
  const and: Record<string, unknown>[] = [{ actor: { startsWith: "staff:" } }];
  if (filter.kind) and.push({ type: { in: [...(KINDS[filter.kind] ?? [])] } });
  if (filter.ticket) and.push({ complaint: { ticket: filter.ticket } });
  // Our own filter shape; Prisma's generated input type differs per provider.
  const where = { AND: and } as never;
  const include = {
    complaint: {
      select: { ticket: true, channel: true, complainant: { select: { name: true, email: true, phone: true, address: true } } },
    },
  };
  const skip = (filter.page - 1) * AUDIT_PAGE;
  if (filter.who || filter.via) {
    // data is sealed at rest (src/db/identity-seal.ts): "by" and "via" are matched once Prisma has
    // opened it. Only this page's entries are read again, by id: all of them in one `id IN (…)`
    // went past Prisma's limit on a statement's parameters (999 on SQLite) after a thousand entries.
    const { ids, limited } = await eventsBy(db, where, filter.who, filter.via, scan);
    const rows = await db.prisma.complaintEvent.findMany({
      where: { id: { in: ids.slice(skip, skip + AUDIT_PAGE) } },
      orderBy: NEWEST_FIRST,
      include,
    });
    // Older entries were not opened: the head of office is told, rather than shown a count that
    // reads as the whole trail's.
    return { rows, total: ids.length, searchedNewest: limited ? scan : undefined };
  }
  const [rows, total] = await Promise.all([
    db.prisma.complaintEvent.findMany({ where, orderBy: NEWEST_FIRST, skip, take: AUDIT_PAGE, include }),
    db.prisma.complaintEvent.count({ where }),
  ]);
  return { rows, total, searchedNewest: undefined };
}

/** The audit page's kinds of entry: each a set of event types. */
const KINDS: Record<string, readonly string[]> = {
  identity: ["staff.identity", "staff.identityDenied"],
  reply: ["staff.reply", "staff.replyUndeliverable"],
  note: ["staff.note"],
  close: ["staff.close", "sop.archive", "sop.forward"],
  sop: ["sop.advance", "sop.decided", "sop.assign", "sop.forward", "sop.archive", "sop.denied"],
};

const KIND_LABELS: Record<string, string> = {
  identity: "console.audit.kind.identity",
  reply: "console.audit.kind.reply",
  note: "console.audit.kind.note",
  close: "console.audit.kind.close",
  sop: "console.audit.kind.sop",
};

const auditQuery = z.object({
  kind: z.enum(["identity", "reply", "note", "close", "sop"]).optional().catch(undefined),
  who: z.string().max(100).optional().catch(undefined),
  ticket: z.string().max(40).optional().catch(undefined),
  via: z.enum(["web", "telegram"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});

/**
 * Audit: every staff action and every identity view (or refused attempt), newest first, filterable
 * by kind, person, front end and ticket. The head of office and admins only.
 */
export function auditRoutes(deps: ConsoleDeps, renderer: Renderer) {
  return async (app: FastifyInstance) => {
    app.get("/audit", async (request, reply) => {
      const { t } = stateOf(request);
      const user = userOf(request);
      if (!user.mayAudit) return renderer.problem(request, reply, 403, t("console.error.forbidden"));
      const q = auditQuery.parse(typeof request.query === "object" && request.query !== null ? request.query : {});
      const who = q.who?.trim() || undefined;
      const ticket = q.ticket?.trim() ? (findTicket(q.ticket.trim().toUpperCase()) ?? q.ticket.trim().toUpperCase()) : undefined;
      const { rows, total, searchedNewest } = await auditEntries(deps.db, { kind: q.kind, ticket, who, via: q.via, page: q.page });
      const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE));
      const link = (page: number) => {
        const params = new URLSearchParams();
        if (q.kind) params.set("kind", q.kind);
        if (who) params.set("who", who);
        if (q.via) params.set("via", q.via);
        if (ticket) params.set("ticket", ticket);
        params.set("page", String(page));
        return `/staff/audit?${params.toString()}`;
      };
      const tz = deps.settings.timeZone;
      return renderer.page(request, reply, {
        title: t("console.audit.title"),
        section: "audit",
        body: () =>
          html`<h1>${t("console.audit.title")}</h1>
            <form method="get" action="/staff/audit" class="filters" role="search" aria-label="${t("console.inbox.filters")}">
              <div class="field">
                <label for="kind">${t("console.audit.kind")}</label>
                <select id="kind" name="kind">
                  <option value="">${t("console.inbox.any")}</option>
                  ${Object.keys(KINDS).map((k) => html`<option value="${k}" ${q.kind === k ? html`selected` : ""}>${t(KIND_LABELS[k]!)}</option>`)}
                </select>
              </div>
              <div class="field">
                <label for="who">${t("console.audit.who")}</label>
                <input id="who" name="who" value="${who ?? ""}" />
              </div>
              <div class="field">
                <label for="via">${t("console.audit.via")}</label>
                <select id="via" name="via">
                  <option value="">${t("console.inbox.any")}</option>
                  <option value="web" ${q.via === "web" ? html`selected` : ""}>${t("console.via.web")}</option>
                  <option value="telegram" ${q.via === "telegram" ? html`selected` : ""}>${t("console.via.telegram")}</option>
                </select>
              </div>
              <div class="field">
                <label for="ticket">${t("console.inbox.ticket")}</label>
                <input id="ticket" name="ticket" value="${ticket ?? ""}" />
              </div>
              <div class="field actions">
                <button type="submit">${t("console.inbox.apply")}</button>
                <a class="button secondary" href="/staff/audit">${t("console.inbox.reset")}</a>
              </div>
            </form>
            <p class="count">${t("console.audit.count", { total, page: q.page, pages })}</p>
            ${searchedNewest === undefined ? "" : html`<p class="notice" role="status">${t("console.audit.searchLimited", { count: searchedNewest })}</p>`}
            <table class="inbox audit">
              <caption class="visually-hidden">
                ${t("console.audit.title")}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t("console.audit.at")}</th>
                  <th scope="col">${t("console.audit.who")}</th>
                  <th scope="col">${t("console.inbox.ticket")}</th>
                  <th scope="col">${t("console.audit.what")}</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map((e) => {
                  // A row that is not a JSON object shows as an event without details, not as a broken page.
                  const data = jsonObject(e.data);
                  const what = eventReply(
                    { type: e.type, actor: e.actor, data },
                    { sop: deps.sop, locale: t.locale, complaintChannel: e.complaint.channel },
                  );
                  const by = typeof data.by === "string" ? data.by : e.actor;
                  const via = data.via === "web" ? t("console.via.web") : data.via === "telegram" ? t("console.via.telegram") : "";
                  return html`<tr data-type="${e.type}">
                    <td data-label="${t("console.audit.at")}">${when(t, tz, e.createdAt)}</td>
                    <th scope="row" data-label="${t("console.audit.who")}">${by} <span class="muted">${via}</span></th>
                    <td data-label="${t("console.inbox.ticket")}">
                      <a href="/staff/complaints/${e.complaint.ticket}">${e.complaint.ticket}</a>
                    </td>
                    <td data-label="${t("console.audit.what")}">
                      ${
                        e.type === "staff.identityDenied"
                          ? t("console.audit.identityDenied", { who: by })
                          : user.mayViewIdentity
                            ? t(what.key, what.vars)
                            : redact(t(what.key, what.vars), e.complaint.complainant)
                      }
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>
            <nav class="pager" aria-label="${t("console.inbox.pages")}">
              ${q.page > 1 ? html`<a rel="prev" href="${link(q.page - 1)}">${t("console.inbox.prev")}</a>` : ""}
              ${q.page < pages ? html`<a rel="next" href="${link(q.page + 1)}">${t("console.inbox.next")}</a>` : ""}
            </nav>`,
      });
    });
  };
}
