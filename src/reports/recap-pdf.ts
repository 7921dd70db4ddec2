import type { Locale } from "../core/index.js";
import { channelName } from "./media.js";
import { barChart, ensureRoom, footer, pdfSafe, renderPdf, write, type Pdf } from "./pdf.js";
import { contactLabelsOf, drawLetterhead, type Letterhead } from "./letterhead.js";
import type { Recap } from "./recap.js";
import type { ReportTexts } from "./texts.js";
import { formatDuration, formatLongDateTime, monthTitle, monthRange } from "./time.js";

export interface RecapPdfOptions {
  texts: ReportTexts;
  /** The SOP's title, shown under the heading. */
  sopTitle?: string;
  /** The kop surat over the first page; the recap's office name alone when absent. */
  letterhead?: Letterhead;
  compress?: boolean;
}

const COLOR = {
  category: "#2F5597",
  channel: "#548235",
  met: "#70AD47",
  missed: "#C00000",
  pending: "#BFBFBF",
  tile: "#F2F5FA",
  line: "#A6A6A6",
};

export function formatNumber(n: number, locale: Locale, digits = 0): string {
  return new Intl.NumberFormat(locale === "id" ? "id-ID" : "en-GB", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(n);
}

function heading(doc: Pdf, text: string): void {
  doc.font("Helvetica-Bold").fontSize(12).fillColor("#000000");
  write(doc, text, doc.page.margins.left, doc.y);
  doc.moveDown(0.4);
  doc.font("Helvetica");
}

/**
 * The recap for the head of office, A4: page 1 the key numbers and the bars by category and
 * channel; page 2 the satisfaction index and time-standard compliance per step; page 3 on the
 * frequent problems with examples. Charts are pdfkit vector drawing: nothing to download.
 */
export function recapPdf(recap: Recap, options: RecapPdfOptions): Promise<Buffer> {
  const { texts } = options;
  const locale = texts.locale;
  const range = monthRange(recap.month, recap.timeZone);
  const month = monthTitle(range, locale);
  const n = (x: number, digits = 0) => formatNumber(x, locale, digits);
  const units = { day: texts.t("duration.day"), hour: texts.t("duration.hour"), minute: texts.t("duration.minute") };

  return renderPdf({ title: `${texts.t("recap.title")} ${month}`, author: recap.office, compress: options.compress }, (doc) => {
    const left = doc.page.margins.left;
    const width = doc.page.width - left - doc.page.margins.right;

    // Page 1: heading, key numbers, bars.
    drawLetterhead(doc, options.letterhead ?? { name: recap.office }, contactLabelsOf(texts));
    doc.font("Helvetica-Bold").fontSize(13);
    write(doc, texts.t("recap.title"), left, doc.y - 4, { width, align: "center" });
    doc.font("Helvetica").fontSize(11);
    write(doc, texts.t("recap.month", { month }), { width, align: "center" });
    doc.fontSize(8).fillColor("#555555");
    // A month ends at midnight of the 1st; "30 November 23.59" is how people say it.
    const asOf = recap.asOf === recap.period.end ? new Date(new Date(recap.asOf).getTime() - 60_000) : new Date(recap.asOf);
    write(
      doc,
      texts.t("recap.asOf", {
        asOf: formatLongDateTime(asOf, locale, recap.timeZone),
        generated: formatLongDateTime(new Date(recap.generatedAt), locale, recap.timeZone),
      }),
      { width, align: "center" },
    );
    if (options.sopTitle) write(doc, texts.t("recap.sop", { sop: options.sopTitle }), { width, align: "center" });
    doc.fillColor("#000000");
    doc.moveDown(0.6);
    doc
      .moveTo(left, doc.y)
      .lineTo(left + width, doc.y)
      .lineWidth(1)
      .strokeColor(COLOR.line)
      .stroke();
    doc.moveDown(0.8);

    const tiles: [string, string, string?][] = [
      [n(recap.total), texts.t("recap.key.total")],
      [n(recap.complaints), texts.t("recap.key.complaints")],
      [n(recap.informationRequests), texts.t("recap.key.information")],
      [n(recap.open), texts.t("recap.key.open")],
      [n(recap.overdue), texts.t("recap.key.overdue")],
      [
        recap.averageRating === null ? "-" : n(recap.averageRating, 2),
        texts.t("recap.key.rating"),
        texts.t("recap.key.ratingCount", { count: recap.ratingCount }),
      ],
    ];
    const gap = 10;
    const tileW = (width - 2 * gap) / 3;
    const tileH = 58;
    const top = doc.y;
    tiles.forEach(([value, label, sub], i) => {
      const x = left + (i % 3) * (tileW + gap);
      const y = top + Math.floor(i / 3) * (tileH + gap);
      doc.roundedRect(x, y, tileW, tileH, 4).fillColor(COLOR.tile).fill();
      doc.fillColor("#1F3864").font("Helvetica-Bold").fontSize(20);
      write(doc, value, x + 10, y + 8, { width: tileW - 20, lineBreak: false });
      doc.fillColor("#000000").font("Helvetica").fontSize(9);
      write(doc, label, x + 10, y + 34, { width: tileW - 20, lineBreak: false, ellipsis: true });
      if (sub) {
        doc.fontSize(7).fillColor("#555555");
        write(doc, sub, x + 10, y + 46, { width: tileW - 20, lineBreak: false });
        doc.fillColor("#000000");
      }
    });
    doc.y = top + 2 * tileH + gap + 10;
    doc.fontSize(9);
    write(doc, texts.t("recap.backlog", { open: n(recap.backlog.open), overdue: n(recap.backlog.overdue) }), left, doc.y, { width });
    doc.moveDown(1.2);

    heading(doc, texts.t("recap.chart.category"));
    const categories = Object.entries(recap.byCategory).map(([label, value]) => ({ label, value }));
    doc.y = barChart(doc, categories, { x: left, y: doc.y, width, labelWidth: 130, color: COLOR.category, format: (v) => n(v) }) + 10;

    heading(doc, texts.t("recap.chart.channel"));
    const channels = Object.entries(recap.byChannel)
      .filter(([, value]) => value > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([channel, value]) => ({ label: channelName(channel, texts), value }));
    if (channels.length === 0) write(doc, texts.t("recap.chart.empty"), left, doc.y, { width });
    else doc.y = barChart(doc, channels, { x: left, y: doc.y, width, labelWidth: 130, color: COLOR.channel, format: (v) => n(v) }) + 10;

    // Page 2: satisfaction and time standards.
    doc.addPage();
    heading(doc, texts.t("recap.satisfaction.title"));
    doc.fontSize(10);
    if (recap.averageRating === null) write(doc, texts.t("recap.satisfaction.none"), left, doc.y, { width });
    else {
      doc.font("Helvetica-Bold");
      write(doc, texts.t("recap.satisfaction.value", { average: n(recap.averageRating, 2), count: n(recap.ratingCount) }), left, doc.y, {
        width,
      });
      doc.font("Helvetica");
      if (recap.satisfactionLevel) write(doc, texts.t(`recap.satisfaction.${recap.satisfactionLevel}`), { width });
      doc.moveDown(0.5);
      doc.fontSize(9);
      write(doc, texts.t("recap.satisfaction.distribution"), left, doc.y, { width });
      doc.moveDown(0.3);
      const dist = (["5", "4", "3", "2", "1"] as const).map((k) => ({ label: `${k}`, value: recap.ratingDistribution[k] }));
      doc.y =
        barChart(doc, dist, {
          x: left,
          y: doc.y,
          width: width * 0.6,
          labelWidth: 30,
          barHeight: 9,
          gap: 4,
          color: "#BF9000",
          format: (v) => n(v),
        }) + 6;
    }
    doc.fontSize(8.5).fillColor("#333333");
    write(doc, texts.t("recap.satisfaction.note"), left, doc.y, { width });
    doc.fillColor("#000000");
    doc.moveDown(1.4);

    heading(doc, texts.t("recap.compliance.title"));
    const legendY = doc.y;
    (
      [
        ["met", COLOR.met],
        ["missed", COLOR.missed],
        ["pending", COLOR.pending],
      ] as const
    ).forEach(([key, color], i) => {
      const x = left + i * 150;
      doc
        .rect(x, legendY + 1, 9, 9)
        .fillColor(color)
        .fill();
      doc.fillColor("#000000").fontSize(8.5);
      write(doc, texts.t(`recap.compliance.${key}`), x + 13, legendY + 1, { width: 135, lineBreak: false });
    });
    doc.y = legendY + 18;
    const labelW = 170;
    const rateW = 85;
    const barW = width - labelW - rateW;
    const maxEntered = Math.max(1, ...recap.timeStandard.steps.map((s) => s.met + s.missed + s.pending));
    for (const step of recap.timeStandard.steps) {
      // A long step label wraps within its column (the seeds' labels run to a sentence), and the
      // time standard goes under its last line: the row is as tall as both, at least the bar.
      doc.fontSize(9);
      const labelHeight = doc.heightOfString(pdfSafe(step.label), { width: labelW - 8 });
      const rowHeight = Math.max(16, labelHeight + 10);
      ensureRoom(doc, rowHeight + 10);
      const y = doc.y;
      doc.fillColor("#000000");
      write(doc, step.label, left, y, { width: labelW - 8 });
      doc.fontSize(7).fillColor("#555555");
      const standard =
        step.standard === null
          ? "-"
          : texts.has(`time.${step.standard.unit}`)
            ? texts.t(`time.${step.standard.unit}`, { n: step.standard.amount })
            : formatDuration((step.standardMinutes ?? 0) * 60_000, units);
      write(doc, texts.t("recap.compliance.standard", { duration: standard }), left, y + labelHeight + 1, {
        width: labelW - 8,
        lineBreak: false,
      });
      let x = left + labelW;
      doc.rect(x, y, barW, 16).fillColor("#F7F7F7").fill();
      for (const [count, color] of [
        [step.met, COLOR.met],
        [step.missed, COLOR.missed],
        [step.pending, COLOR.pending],
      ] as const) {
        const w = (barW * count) / maxEntered;
        if (w <= 0) continue;
        doc.rect(x, y, w, 16).fillColor(color).fill();
        if (w >= 14) {
          doc.fillColor(color === COLOR.pending ? "#000000" : "#FFFFFF").fontSize(8);
          write(doc, n(count), x, y + 4.5, { width: w, align: "center", lineBreak: false });
        }
        x += w;
      }
      doc.fillColor("#000000").fontSize(8.5);
      const rate =
        step.rate === null ? texts.t("recap.compliance.none") : texts.t("recap.compliance.rate", { rate: `${n(step.rate * 100)}%` });
      write(doc, rate, left + labelW + barW + 6, y + 4, { width: rateW - 6, lineBreak: false });
      doc.y = y + rowHeight + 10;
    }
    const overall = recap.timeStandard.overall;
    doc.fontSize(9).fillColor("#000000");
    write(
      doc,
      texts.t("recap.compliance.overall", { met: n(overall.met), missed: n(overall.missed), pending: n(overall.pending) }),
      left,
      doc.y,
      { width },
    );
    doc.moveDown(0.4);
    doc.fontSize(8).fillColor("#333333");
    write(doc, texts.t("recap.compliance.note"), left, doc.y, { width });
    doc.fillColor("#000000");

    // Page 3 on: the frequent problems.
    doc.addPage();
    heading(doc, texts.t("recap.problems.title"));
    doc.fontSize(8.5).fillColor("#333333");
    write(doc, texts.t("recap.problems.intro"), left, doc.y, { width });
    doc.fillColor("#000000");
    doc.moveDown(0.8);
    const groups = recap.frequentProblems.filter((p) => p.count > 0);
    if (groups.length === 0) {
      doc.fontSize(10);
      write(doc, texts.t("recap.problems.none"), left, doc.y, { width });
    }
    for (const group of groups) {
      ensureRoom(doc, 60);
      doc.font("Helvetica-Bold").fontSize(10.5);
      write(doc, texts.t("recap.problems.category", { category: group.category, count: n(group.count) }), left, doc.y, { width });
      doc.font("Helvetica").fontSize(9);
      const terms = group.terms.map((t) => `${t.term} (${n(t.count)})`).join(", ");
      write(doc, terms ? texts.t("recap.problems.terms", { terms }) : texts.t("recap.problems.noTerms"), left + 10, doc.y, {
        width: width - 10,
      });
      doc.moveDown(0.2);
      for (const example of group.examples) {
        const line = `• ${example.ticket}: "${example.text}"`;
        doc.fontSize(8.5);
        ensureRoom(doc, doc.heightOfString(pdfSafe(line), { width: width - 20 }) + 4);
        doc.fillColor("#333333");
        write(doc, line, left + 20, doc.y, { width: width - 20 });
        doc.fillColor("#000000");
      }
      doc.moveDown(0.8);
    }

    footer(doc, (page, pages) => texts.t("recap.footer", { office: recap.office, month, page, pages }));
  });
}
