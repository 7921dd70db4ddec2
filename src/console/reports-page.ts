import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { isMonth, logbookReport, recapReport, type Recap, type ReportSettings } from "../reports/index.js";
import { stateOf, type Renderer } from "./context.js";
import { html, trusted, type Html } from "./html.js";
import type { Texts } from "./texts.js";
import type { ConsoleDeps } from "./types.js";
import { categoryText, channelText, stepText } from "./view.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const monthQuery = z.object({ month: z.string().max(7).optional() });

/** The current month in the office's zone, as YYYY-MM. */
function currentMonth(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).formatToParts(now);
  return `${parts.find((p) => p.type === "year")!.value}-${parts.find((p) => p.type === "month")!.value}`;
}

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A horizontal bar chart as inline SVG, drawn from numbers and labels we escape here (the console's
 * CSP allows no script and no inline style; SVG attributes are neither). The table beside it says
 * the same for screen readers.
 */
export function barChart(title: string, bars: readonly { label: string; value: number }[]): Html {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 28;
  const labelWidth = 190;
  const width = 520;
  const barSpace = width - labelWidth - 50;
  const rows = bars
    .map((b, i) => {
      const y = i * row;
      const w = Math.round((b.value / max) * barSpace);
      return (
        `<text x="0" y="${y + 18}" font-size="13" fill="#1b1f24">${escapeXml(b.label.length > 25 ? `${b.label.slice(0, 24)}…` : b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 5}" width="${w}" height="18" rx="3" fill="#0b5cad"></rect>` +
        `<text x="${labelWidth + w + 6}" y="${y + 18}" font-size="13" fill="#1b1f24">${b.value}</text>`
      );
    })
    .join("");
  const svg = `<svg class="chart" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${Math.max(row, bars.length * row)}" width="100%" preserveAspectRatio="xMinYMin meet">${rows}</svg>`;
  return html`<figure class="chart-box">
    <figcaption>${title}</figcaption>
    ${trusted(svg)}
    <table class="visually-hidden">
      <caption>
        ${title}
      </caption>
      ${bars.map(
        (b) =>
          html`<tr>
            <th scope="row">${b.label}</th>
            <td>${b.value}</td>
          </tr>`,
      )}
    </table>
  </figure>`;
}

function charts(t: Texts, deps: ConsoleDeps, recap: Recap): Html {
  const entries = (record: Record<string, number>) => Object.entries(record);
  return html`<div class="charts">
    ${barChart(
      t("console.reports.byCategory"),
      entries(recap.byCategory).map(([k, v]) => ({ label: categoryText(t, k), value: v })),
    )}
    ${barChart(
      t("console.reports.byChannel"),
      entries(recap.byChannel).map(([k, v]) => ({ label: channelText(t, k), value: v })),
    )}
    ${barChart(
      t("console.reports.byStep"),
      entries(recap.byStep).map(([k, v]) => ({ label: stepText(t, deps.sop, k), value: v })),
    )}
    ${barChart(
      t("console.reports.ratings"),
      (["1", "2", "3", "4", "5"] as const).map((k) => ({ label: `${k}/5`, value: recap.ratingDistribution[k] })),
    )}
  </div>`;
}

/** Reports: the month's logbook (XLSX, CSV) and recap (PDF) as downloads, with the recap's numbers and charts in the page. */
export function reportRoutes(deps: ConsoleDeps, renderer: Renderer) {
  const clock = deps.clock ?? (() => new Date());
  const settings = (locale: ReportSettings["locale"]): ReportSettings => ({
    officeName: deps.settings.officeName,
    timeZone: deps.settings.timeZone,
    sop: deps.sop,
    locale,
    clock,
  });
  const monthOf = (query: unknown) => {
    const parsed = monthQuery.safeParse(query);
    const month = parsed.success ? parsed.data.month : undefined;
    return month && isMonth(month) ? month : currentMonth(clock(), deps.settings.timeZone);
  };
  const download = (reply: FastifyReply, file: { filename: string; content: Buffer }, type: string) =>
    reply
      .header("content-disposition", `attachment; filename="${file.filename.replace(/[^\w.-]/g, "_")}"`)
      .type(type)
      .send(file.content);

  return async (app: FastifyInstance) => {
    app.get("/reports", async (request, reply) => {
      const { t } = stateOf(request);
      const month = monthOf(request.query);
      const { recap } = await recapReport(deps.db, month, settings(t.locale));
      const q = `?month=${month}`;
      const rating = recap.averageRating === null ? "-" : recap.averageRating.toFixed(2);
      return renderer.page(request, reply, {
        title: t("console.reports.title"),
        section: "reports",
        body: () =>
          html`<h1>${t("console.reports.title")}</h1>
            <form method="get" action="/staff/reports" class="filters">
              <div class="field">
                <label for="month">${t("console.reports.month")}</label>
                <input id="month" name="month" type="month" value="${month}" required />
              </div>
              <div class="field actions"><button type="submit">${t("console.reports.show")}</button></div>
            </form>
            <section class="panel" aria-labelledby="dl-h">
              <h2 id="dl-h">${t("console.reports.downloads", { month })}</h2>
              <ul class="downloads">
                <li><a href="/staff/reports/logbook.xlsx${q}" download>${t("console.reports.logbookXlsx")}</a></li>
                <li><a href="/staff/reports/logbook.csv${q}" download>${t("console.reports.logbookCsv")}</a></li>
                <li><a href="/staff/reports/recap.pdf${q}" download>${t("console.reports.recapPdf")}</a></li>
              </ul>
            </section>
            <section class="panel" aria-labelledby="num-h">
              <h2 id="num-h">${t("console.reports.numbers")}</h2>
              <dl class="facts">
                <dt>${t("console.reports.total")}</dt>
                <dd>${recap.total}</dd>
                <dt>${t("console.reports.open")}</dt>
                <dd>${recap.open}</dd>
                <dt>${t("console.reports.overdue")}</dt>
                <dd>${recap.overdue}</dd>
                <dt>${t("console.reports.rating")}</dt>
                <dd>${rating} (${recap.ratingCount})</dd>
              </dl>
            </section>
            ${charts(t, deps, recap)}`,
      });
    });

    app.get("/reports/logbook.xlsx", async (request, reply) => {
      const file = await logbookReport(deps.db, monthOf(request.query), "xlsx", settings("id"));
      return download(reply, file, XLSX);
    });
    app.get("/reports/logbook.csv", async (request, reply) => {
      const file = await logbookReport(deps.db, monthOf(request.query), "csv", settings("id"));
      return download(reply, file, "text/csv; charset=utf-8");
    });
    app.get("/reports/recap.pdf", async (request, reply) => {
      const { pdf } = await recapReport(deps.db, monthOf(request.query), settings(stateOf(request).t.locale));
      return download(reply, pdf, "application/pdf");
    });
  };
}
