import type { FastifyInstance } from "fastify";
import { stateOf, userOf, type Renderer } from "./context.js";
import { roleLabel } from "./access.js";
import { isWebOnly } from "./accounts.js";
import { html } from "./html.js";
import type { ConsoleDeps } from "./types.js";
import { when } from "./view.js";

/**
 * Staf (admins only): everyone who counts as staff — the Staff table and STAFF_TELEGRAM_IDS — with
 * their role, Telegram id and web login. Changes are made with `npm run staff` on the server, where
 * a password is typed on standard input and never passes through a browser form.
 */
export function peopleRoutes(deps: ConsoleDeps, renderer: Renderer) {
  return async (app: FastifyInstance) => {
    app.get("/people", async (request, reply) => {
      const { t } = stateOf(request);
      if (!userOf(request).mayAdmin) return renderer.problem(request, reply, 403, t("console.error.forbidden"));
      const rows = await deps.db.prisma.staff.findMany({ include: { login: true }, orderBy: [{ active: "desc" }, { name: "asc" }] });
      const listed = new Set(rows.map((r) => r.telegramId));
      const fromEnv = deps.settings.staffIds.filter((id) => !listed.has(id));
      const tz = deps.settings.timeZone;
      return renderer.page(request, reply, {
        title: t("console.people.title"),
        section: "staff",
        body: () =>
          html`<h1>${t("console.people.title")}</h1>
            <p>${t("console.people.intro")}</p>
            <table class="inbox people">
              <caption class="visually-hidden">
                ${t("console.people.title")}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t("console.people.name")}</th>
                  <th scope="col">${t("console.people.role")}</th>
                  <th scope="col">${t("console.people.telegram")}</th>
                  <th scope="col">${t("console.people.login")}</th>
                  <th scope="col">${t("console.people.lastLogin")}</th>
                  <th scope="col">${t("console.people.state")}</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (r) =>
                    html`<tr data-staff="${r.id}">
                      <th scope="row" data-label="${t("console.people.name")}">${r.name}</th>
                      <td data-label="${t("console.people.role")}">
                        ${roleLabel(deps.sop, r.role, t.locale)} <span class="muted">(${r.role})</span>
                      </td>
                      <td data-label="${t("console.people.telegram")}">
                        ${isWebOnly(r.telegramId) ? t("console.people.webOnly") : r.telegramId}
                      </td>
                      <td data-label="${t("console.people.login")}">
                        ${r.login ? html`${r.login.username}${r.login.active ? "" : html` <span class="tag">${t("console.people.disabled")}</span>`}` : "-"}
                      </td>
                      <td data-label="${t("console.people.lastLogin")}">${when(t, tz, r.login?.lastLoginAt ?? null)}</td>
                      <td data-label="${t("console.people.state")}">
                        ${r.active ? t("console.people.active") : t("console.people.inactive")}
                      </td>
                    </tr>`,
                )}
                ${fromEnv.map(
                  (id) =>
                    html`<tr>
                      <th scope="row" data-label="${t("console.people.name")}">${`staf ${id}`}</th>
                      <td data-label="${t("console.people.role")}">
                        ${roleLabel(deps.sop, "staf", t.locale)} <span class="muted">(staf)</span>
                      </td>
                      <td data-label="${t("console.people.telegram")}">${id}</td>
                      <td data-label="${t("console.people.login")}">-</td>
                      <td data-label="${t("console.people.lastLogin")}">-</td>
                      <td data-label="${t("console.people.state")}">${t("console.people.fromEnv")}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            <h2>${t("console.people.howTitle")}</h2>
            <pre class="commands">
npm run staff -- add-web &lt;username&gt; "&lt;name&gt;" &lt;role&gt; --password-stdin [--telegram &lt;id&gt;]
npm run staff -- passwd &lt;username&gt; --password-stdin
npm run staff -- disable &lt;username&gt;</pre>`,
      });
    });
  };
}
