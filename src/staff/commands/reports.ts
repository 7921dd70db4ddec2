import type { CommandContext } from "./context.js";
import type { OfficeCommand } from "./types.js";

/** The current month in the office's time zone, as YYYY-MM. */
function currentMonth(ctx: CommandContext): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: ctx.deps.settings.timeZone, year: "numeric", month: "2-digit" }).formatToParts(
    ctx.clock(),
  );
  return `${parts.find((p) => p.type === "year")!.value}-${parts.find((p) => p.type === "month")!.value}`;
}

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** /logbook [YYYY-MM] [xlsx|csv]: the month's logbook as a file. */
export const logbookCommand: OfficeCommand<"logbook"> = {
  scope: "office",
  writes: false,
  async run(ctx, intent) {
    const reports = ctx.deps.reports;
    if (!reports) return ctx.refuse(ctx.t({ key: "staff.unknownCommand" }));
    const month = intent.month ?? currentMonth(ctx);
    const file = await reports.logbook(month, intent.format ?? "xlsx");
    const mime = file.filename.endsWith(".csv") ? "text/csv" : XLSX;
    return {
      outcome: "done",
      messages: [
        {
          text: ctx.t({ key: "staff.report.logbook", vars: { month, rows: file.rows } }),
          attachments: [{ kind: "document", mime, filename: file.filename, path: file.path }],
        },
      ],
    };
  },
};

/** /rekap [YYYY-MM]: the month's recap PDF and its headline numbers. */
export const recapCommand: OfficeCommand<"recap"> = {
  scope: "office",
  writes: false,
  async run(ctx, intent) {
    const reports = ctx.deps.reports;
    if (!reports) return ctx.refuse(ctx.t({ key: "staff.unknownCommand" }));
    const month = intent.month ?? currentMonth(ctx);
    const recap = await reports.recap(month);
    const rating = recap.averageRating === null ? "-" : recap.averageRating.toFixed(2);
    return {
      outcome: "done",
      messages: [
        {
          text: ctx.t({ key: "staff.report.recap", vars: { month, total: recap.total, open: recap.open, overdue: recap.overdue, rating } }),
          attachments: [{ kind: "document", mime: "application/pdf", filename: recap.filename, path: recap.path }],
        },
      ],
    };
  },
};
