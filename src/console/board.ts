import type { FastifyInstance } from "fastify";
import { staffPeople, stepById } from "../complaints/index.js";
import { redact } from "../reports/index.js";
import { stateOf, userOf, type Renderer } from "./context.js";
import { html } from "./html.js";
import type { ConsoleDeps } from "./types.js";
import { categoryText, dueCell, excerpt, holderText, stepText, timeState } from "./view.js";

/** More than this many open complaints is a backlog to filter in the inbox, not to draw as cards. */
const BOARD_LIMIT = 500;

/**
 * The SOP board: a column per step of the preset, each open complaint a card coloured by its time
 * standard (on time, nearly due, overdue), its state also in words. Steps the preset no longer has
 * (SOP_PRESET changed under a complaint) get a column at the end.
 */
export function boardRoutes(deps: ConsoleDeps, renderer: Renderer) {
  const clock = deps.clock ?? (() => new Date());
  return async (app: FastifyInstance) => {
    app.get("/board", async (request, reply) => {
      const { t } = stateOf(request);
      const { sop } = deps;
      const now = clock();
      const seesIdentity = userOf(request).mayViewIdentity;
      const [open, people] = await Promise.all([
        deps.db.prisma.complaint.findMany({
          where: { status: { not: "closed" } },
          orderBy: [{ stepDueAt: "asc" }, { receivedAt: "asc" }],
          take: BOARD_LIMIT,
          include: { complainant: { select: { name: true, email: true, phone: true, address: true } } },
        }),
        staffPeople(deps.db.prisma, deps.settings.staffIds),
      ]);
      const columns = [...sop.steps.map((s) => s.id), ...new Set(open.map((c) => c.sopStep).filter((id) => !stepById(sop, id)))];
      return renderer.page(request, reply, {
        title: t("console.board.title"),
        section: "board",
        live: true,
        body: () =>
          html`<h1>${t("console.board.title")}</h1>
            <p class="legend">
              <span class="card-key card-ok">${t("console.time.ok")}</span>
              <span class="card-key card-warned">${t("console.time.warned")}</span>
              <span class="card-key card-late">${t("console.time.late")}</span>
            </p>
            ${open.length === BOARD_LIMIT ? html`<p class="notice info">${t("console.board.limited", { limit: BOARD_LIMIT })}</p>` : ""}
            <div class="board" tabindex="0" role="group" aria-label="${t("console.board.title")}">
              ${columns.map((stepId, i) => {
                const cards = open.filter((c) => c.sopStep === stepId);
                return html`<section class="column" aria-labelledby="col-${i}">
                  <h2 id="col-${i}">
                    ${stepById(sop, stepId) ? `${i + 1}. ` : ""}${stepText(t, sop, stepId)} <span class="tag">${cards.length}</span>
                  </h2>
                  <ul>
                    ${cards.map((c) => {
                      const state = timeState(sop, c, now);
                      return html`<li class="card card-${state}" data-ticket="${c.ticket}">
                        <a href="/staff/complaints/${c.ticket}">${c.ticket}</a>
                        <span class="muted">${c.kind === "information" ? t("console.kind.information") : categoryText(t, c.category)}</span>
                        <p>${excerpt(seesIdentity ? c.text : redact(c.text, c.complainant), 90)}</p>
                        <p class="muted">${holderText(t, sop, people, c)}</p>
                        ${dueCell(t, deps.settings.timeZone, c.stepDueAt, state)}
                      </li>`;
                    })}
                  </ul>
                </section>`;
              })}
            </div>`,
      });
    });
  };
}
