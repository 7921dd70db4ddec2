import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../config/index.js";
import type { Database } from "../db/index.js";
import { logbookReport, recapReport, reportSettings } from "../reports/index.js";
import type { StaffReports } from "../staff/index.js";

/** The monthly reports for `/logbook` and `/rekap`, written where `npm run logbook|recap` writes them. */
export function staffReports(config: Config, db: Database): StaffReports {
  const dir = join(process.cwd(), "data", "reports");
  const settings = reportSettings(config);
  const save = async (file: { filename: string; content: Buffer }) => {
    await mkdir(dir, { recursive: true });
    const path = join(dir, file.filename);
    await writeFile(path, file.content);
    return path;
  };
  return {
    async logbook(month, format) {
      const file = await logbookReport(db, month, format, settings);
      return { path: await save(file), filename: file.filename, rows: file.rows };
    },
    async recap(month) {
      const { recap, json, pdf } = await recapReport(db, month, settings);
      await save(json);
      return {
        path: await save(pdf),
        filename: pdf.filename,
        total: recap.total,
        open: recap.open,
        overdue: recap.overdue,
        averageRating: recap.averageRating,
      };
    },
  };
}
