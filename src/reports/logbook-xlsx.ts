import { LOGBOOK_COLUMNS, type LogbookRow } from "./logbook-rows.js";
import type { ReportTexts } from "./texts.js";
import { wallClockDate } from "./time.js";

export interface LogbookSheetMeta {
  officeName: string;
  /** "November 2026" */
  monthTitle: string;
  timeZone: string;
  texts: ReportTexts;
  createdAt?: Date;
}

/** Row of the column headers: below the form's title block. */
export const LOGBOOK_HEADER_ROW = 6;
/** Excel refuses a cell longer than this. */
const MAX_CELL = 32_767;

/** Points per line of the default 11-point font. */
const LINE = 15;

/**
 * A row tall enough for its wrapped text. Neither Excel nor LibreOffice reliably fits a row's
 * height to wrapped text in a file they did not lay out themselves, so it is estimated here:
 * a column `width` characters wide holds about that many characters per line.
 */
function rowHeight(data: LogbookRow): number {
  const lines = LOGBOOK_COLUMNS.map((column) => {
    const value = data[column.key];
    if (typeof value !== "string" || value === "") return 1;
    const perLine = Math.max(1, Math.floor(column.width * 1.1));
    return value.split("\n").reduce((n, paragraph) => n + Math.max(1, Math.ceil(paragraph.length / perLine)), 0);
  });
  // 409 points is the tallest row Excel allows.
  return Math.min(409, Math.max(...lines) * LINE + 3);
}

const thin = { style: "thin" as const, color: { argb: "FF808080" } };
const border = { top: thin, left: thin, bottom: thin, right: thin };

/**
 * The logbook as an .xlsx workbook: form FM-PDIP-03-02's title block, a bold frozen header row,
 * wrapped text, and dates as real Excel dates (dd/mm/yyyy hh:mm, the office's wall clock).
 */
export async function logbookXlsx(rows: readonly LogbookRow[], meta: LogbookSheetMeta): Promise<Buffer> {
  const { texts } = meta;
  // Loaded on the first export, not at start: exceljs costs ~300 ms and ~15 MB a process may never need.
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Kanal Aduan";
  workbook.created = meta.createdAt ?? new Date();
  const sheet = workbook.addWorksheet(texts.t("logbook.sheet"), {
    views: [{ state: "frozen", xSplit: 0, ySplit: LOGBOOK_HEADER_ROW }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: "landscape",
      // Printed across pages (the form's seven columns first), the header row repeated on each.
      printTitlesRow: `${LOGBOOK_HEADER_ROW}:${LOGBOOK_HEADER_ROW}`,
    },
  });
  sheet.columns = LOGBOOK_COLUMNS.map((c) => ({ key: c.key, width: c.width }));

  const titles: [string, number, boolean][] = [
    [meta.officeName.toUpperCase(), 14, true],
    [texts.t("logbook.title"), 13, true],
    [texts.t("logbook.month", { month: meta.monthTitle }), 11, false],
    [texts.t("logbook.number"), 11, false],
  ];
  titles.forEach(([text, size, bold], i) => {
    const row = i + 1;
    sheet.mergeCells(row, 1, row, 7);
    const cell = sheet.getCell(row, 1);
    cell.value = text;
    cell.font = { size, bold };
  });

  const header = sheet.getRow(LOGBOOK_HEADER_ROW);
  LOGBOOK_COLUMNS.forEach((column, i) => {
    const cell = header.getCell(i + 1);
    cell.value = column.header;
    cell.font = { bold: true };
    cell.alignment = { wrapText: true, vertical: "middle", horizontal: "center" };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9E1F2" } };
    cell.border = border;
  });
  header.height = 32;

  rows.forEach((data, r) => {
    const row = sheet.getRow(LOGBOOK_HEADER_ROW + 1 + r);
    LOGBOOK_COLUMNS.forEach((column, i) => {
      const cell = row.getCell(i + 1);
      const value = data[column.key];
      if (value instanceof Date) {
        cell.value = wallClockDate(value, meta.timeZone);
        cell.numFmt = "dd/mm/yyyy hh:mm";
      } else if (typeof value === "number") {
        cell.value = value;
      } else if (typeof value === "string" && value !== "") {
        // A string stays a string in the file (never a formula), whatever it starts with.
        cell.value = value.length > MAX_CELL ? `${value.slice(0, MAX_CELL - 1)}…` : value;
      }
      cell.alignment = { wrapText: true, vertical: "top", horizontal: column.type === "number" ? "center" : "left" };
      cell.border = border;
    });
    row.height = rowHeight(data);
  });
  sheet.autoFilter = { from: { row: LOGBOOK_HEADER_ROW, column: 1 }, to: { row: LOGBOOK_HEADER_ROW, column: LOGBOOK_COLUMNS.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
