import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { CATEGORIES } from "../core/index.js";
import { redact } from "../reports/index.js";
import { staffPeople } from "../complaints/index.js";
import { isWebOnly } from "./accounts.js";
import { stateOf, userOf, type Renderer } from "./context.js";
import { html, type Html } from "./html.js";
import { inboxPage, PAGE_SIZE, type InboxFilter, type InboxRow } from "./queries.js";
import type { Texts } from "./texts.js";
import type { ConsoleDeps } from "./types.js";
import { categoryText, channelText, dueCell, excerpt, holderText, stepText, timeState, when } from "./view.js";
import type { StaffPerson } from "../complaints/index.js";

const CHANNELS = ["webchat", "telegram", "whatsapp-web", "whatsapp-cloud", "messenger", "instagram", "discord", "email", "terminal"];

/** The inbox's query string; a value that is not one of ours is ignored rather than refused (an old bookmark). */
const filterQuery = z.object({
  status: z.enum(["open", "closed", "all"]).catch("open").default("open"),
  kind: z.enum(["complaint", "information"]).optional().catch(undefined),
  category: z.string().max(100).optional().catch(undefined),
  channel: z.string().max(40).optional().catch(undefined),
  step: z.string().max(100).optional().catch(undefined),
  overdue: z.literal("1").optional().catch(undefined),
  mine: z.literal("1").optional().catch(undefined),
  q: z.string().max(200).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});

export function parseInboxFilter(query: unknown): InboxFilter {
  const parsed = filterQuery.parse(typeof query === "object" && query !== null ? query : {});
  const text = (value: string | undefined) => (value && value.trim() !== "" ? value.trim() : undefined);
  const category = text(parsed.category);
  const channel = text(parsed.channel);
  const step = text(parsed.step);
  const q = text(parsed.q);
  return {
    status: parsed.status,
    ...(parsed.kind ? { kind: parsed.kind } : {}),
    ...(category ? { category } : {}),
    ...(channel ? { channel } : {}),
    ...(step ? { step } : {}),
    overdue: parsed.overdue === "1",
    mine: parsed.mine === "1",
    ...(q ? { q } : {}),
    page: parsed.page,
  };
}

/** The filter as a query string, with some values changed (the paging links keep the filters). */
function queryOf(filter: InboxFilter, change: Partial<InboxFilter>): string {
  const f = { ...filter, ...change };
  const params = new URLSearchParams();
  if (f.status !== "open") params.set("status", f.status);
  if (f.kind) params.set("kind", f.kind);
  if (f.category) params.set("category", f.category);
  if (f.channel) params.set("channel", f.channel);
  if (f.step) params.set("step", f.step);
  if (f.overdue) params.set("overdue", "1");
  if (f.mine) params.set("mine", "1");
  if (f.q) params.set("q", f.q);
  if (f.page > 1) params.set("page", String(f.page));
  const s = params.toString();
  return s ? `?${s}` : "";
}

function select(id: string, label: string, value: string | undefined, options: readonly (readonly [string, string])[]): Html {
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <select id="${id}" name="${id}">
      ${options.map(([v, text]) => html`<option value="${v}" ${v === (value ?? "") ? html`selected` : ""}>${text}</option>`)}
    </select>
  </div>`;
}

function filterForm(t: Texts, deps: ConsoleDeps, filter: InboxFilter): Html {
  const all = t("console.inbox.any");
  return html`<form method="get" action="/staff/inbox" class="filters" role="search" aria-label="${t("console.inbox.filters")}">
    <div class="field search">
      <label for="q">${t("console.inbox.search")}</label>
      <input id="q" name="q" type="search" value="${filter.q ?? ""}" placeholder="${t("console.inbox.searchHint")}" />
    </div>
    ${select("status", t("console.inbox.status"), filter.status, [
      ["open", t("console.status.open")],
      ["closed", t("console.status.closed")],
      ["all", t("console.status.all")],
    ])}
    ${select("kind", t("console.inbox.kind"), filter.kind, [
      ["", all],
      ["complaint", t("console.kind.complaint")],
      ["information", t("console.kind.information")],
    ])}
    ${select("category", t("console.inbox.category"), filter.category, [["", all], ...CATEGORIES.map((c) => [c, categoryText(t, c)] as const)])}
    ${select("channel", t("console.inbox.channel"), filter.channel, [["", all], ...CHANNELS.map((c) => [c, channelText(t, c)] as const)])}
    ${select("step", t("console.inbox.step"), filter.step, [
      ["", all],
      ...deps.sop.steps.map((s) => [s.id, `${s.index + 1}. ${s.label[t.locale]}`] as const),
    ])}
    <div class="field check">
      <input id="overdue" name="overdue" type="checkbox" value="1" ${filter.overdue ? html`checked` : ""} />
      <label for="overdue">${t("console.inbox.overdue")}</label>
    </div>
    <div class="field check">
      <input id="mine" name="mine" type="checkbox" value="1" ${filter.mine ? html`checked` : ""} />
      <label for="mine">${t("console.inbox.mine")}</label>
    </div>
    <div class="field actions">
      <button type="submit">${t("console.inbox.apply")}</button>
      <a class="button secondary" href="/staff/inbox">${t("console.inbox.reset")}</a>
    </div>
  </form>`;
}

function row(t: Texts, deps: ConsoleDeps, people: readonly StaffPerson[], c: InboxRow, now: Date, seesIdentity: boolean): Html {
  const clean = (text: string) => (seesIdentity ? text : redact(text, c.complainant));
  const state = timeState(deps.sop, c, now);
  const last = c.lastMessage;
  return html`<tr class="${state === "late" ? "late" : ""}" data-ticket="${c.ticket}">
    <th scope="row" data-label="${t("console.inbox.ticket")}">
      <a href="/staff/complaints/${c.ticket}">${c.ticket}</a>
      ${c.kind === "information" ? html`<span class="tag">${t("console.kind.information")}</span>` : ""}
      ${c.status === "closed" ? html`<span class="tag">${t("console.status.closed")}</span>` : ""}
    </th>
    <td data-label="${t("console.inbox.category")}">${categoryText(t, c.category)}</td>
    <td data-label="${t("console.inbox.channel")}">${channelText(t, c.channel)}</td>
    <td data-label="${t("console.inbox.step")}">${stepText(t, deps.sop, c.sopStep)}</td>
    <td data-label="${t("console.inbox.holder")}">${holderText(t, deps.sop, people, c)}</td>
    <td data-label="${t("console.inbox.due")}">${dueCell(t, deps.settings.timeZone, c.stepDueAt, state)}</td>
    <td data-label="${t("console.inbox.last")}" class="last">
      ${
        last
          ? html`<span class="who"
                >${t(`console.author.${last.author === "citizen" ? "citizen" : last.author === "staff" ? "staff" : "bot"}`)}</span
              >
              ${excerpt(clean(last.text))} <time class="muted">${when(t, deps.settings.timeZone, last.at)}</time>`
          : html`<span class="who">${t("console.author.citizen")}</span> ${excerpt(clean(c.text))}`
      }
    </td>
  </tr>`;
}

export function inboxRoutes(deps: ConsoleDeps, renderer: Renderer) {
  const clock = deps.clock ?? (() => new Date());

  async function list(request: FastifyRequest, filter: InboxFilter): Promise<Html> {
    const { t } = stateOf(request);
    const user = userOf(request);
    const now = clock();
    const holder = { role: user.role, ...(isWebOnly(user.telegramId) ? {} : { telegramId: user.telegramId }) };
    const [{ rows, total, searchedNewest }, people] = await Promise.all([
      inboxPage(deps.db, deps.sop, filter, holder, now, deps.searchScan),
      staffPeople(deps.db.prisma, deps.settings.staffIds),
    ]);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    return html`<div id="inbox-list" aria-live="polite">
      <p class="count" data-total="${total}">${t("console.inbox.count", { total, page: filter.page, pages })}</p>
      ${searchedNewest === undefined ? "" : html`<p class="notice" role="status">${t("console.inbox.searchLimited", { count: searchedNewest })}</p>`}
      ${
        rows.length === 0
          ? html`<p class="empty">${t("console.inbox.empty")}</p>`
          : html`<table class="inbox">
              <caption class="visually-hidden">
                ${t("console.inbox.caption")}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t("console.inbox.ticket")}</th>
                  <th scope="col">${t("console.inbox.category")}</th>
                  <th scope="col">${t("console.inbox.channel")}</th>
                  <th scope="col">${t("console.inbox.step")}</th>
                  <th scope="col">${t("console.inbox.holder")}</th>
                  <th scope="col">${t("console.inbox.due")}</th>
                  <th scope="col">${t("console.inbox.last")}</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map((c) => row(t, deps, people, c, now, user.mayViewIdentity))}
              </tbody>
            </table>`
      }
      <nav class="pager" aria-label="${t("console.inbox.pages")}">
        ${filter.page > 1 ? html`<a rel="prev" href="/staff/inbox${queryOf(filter, { page: filter.page - 1 })}">${t("console.inbox.prev")}</a>` : ""}
        ${filter.page < pages ? html`<a rel="next" href="/staff/inbox${queryOf(filter, { page: filter.page + 1 })}">${t("console.inbox.next")}</a>` : ""}
      </nav>
    </div>`;
  }

  return async (app: FastifyInstance) => {
    app.get("/inbox", async (request, reply) => {
      const { t } = stateOf(request);
      const filter = parseInboxFilter(request.query);
      const body = await list(request, filter);
      return renderer.page(request, reply, {
        title: t("console.inbox.title"),
        section: "inbox",
        live: true,
        body: () =>
          html`<h1>${t("console.inbox.title")}</h1>
            ${filterForm(t, deps, filter)} ${body}`,
      });
    });
  };
}
