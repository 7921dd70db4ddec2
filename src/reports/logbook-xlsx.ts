import type ExcelJS from "exceljs";
import type { DocumentNumber } from "../complaints/index.js";
import { LOGBOOK_COLUMNS, type LogbookColumn, type LogbookRow } from "./logbook-rows.js";
import type { ReportTexts } from "./texts.js";
import { wallClockDate } from "./time.js";

export interface LogbookSheetMeta {
  officeName: string;
  /** OFFICE_PARENT, over the office's name as in the kop surat ("PEMERINTAH KOTA DENPASAR"). */
  parent?: string;
  /** "November 2026" */
  monthTitle: string;
  timeZone: string;
  texts: ReportTexts;
  createdAt?: Date;
  /** The logbook's number in the office's quality system (FM-PDIP-03-02 in Buleleng); no number line without it. */
  documentNumber?: DocumentNumber;
  /** The head role that signs "Mengetahui," under the table (Kepala Dinas, Camat…). */
  headRole?: string;
}

/** Row of the column headers: below the form's title block. */
export const LOGBOOK_HEADER_ROW = 6;
/** The form's own columns (FM-PDIP-03-02): the printed sheet; the rest go to the second sheet. */
export const FORM_COLUMN_COUNT = 7;
/** Excel refuses a cell longer than this. */
const MAX_CELL = 32_767;

/** Points per line of the default 11-point font. */
const LINE = 15;

/**
 * A row tall enough for its wrapped text. Neither Excel nor LibreOffice reliably fits a row's
 * height to wrapped text in a file they did not lay out themselves, so it is estimated here:
 * a column `width` characters wide holds about that many characters per line.
 */
function rowHeight(data: LogbookRow, columns: readonly LogbookColumn[]): number {
  const lines = columns.map((column) => {
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
 * Printing: A4 landscape, as many pages down as it takes but one page wide (LibreOffice and Excel
 * scale the columns to the paper), narrow margins, the header row on every page.
 */
function printSetup(headerRow: number): Partial<ExcelJS.PageSetup> {
  return {
    paperSize: 9, // A4
    orientation: "landscape",
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    printTitlesRow: `${headerRow}:${headerRow}`,
  };
}

function headerCells(sheet: ExcelJS.Worksheet, row: number, columns: readonly LogbookColumn[]): void {
  const header = sheet.getRow(row);
  columns.forEach((column, i) => {
    const cell = header.getCell(i + 1);
    cell.value = column.header;
    cell.font = { bold: true };
    cell.alignment = { wrapText: true, vertical: "middle", horizontal: "center" };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9E1F2" } };
    cell.border = border;
  });
  // Headers wrap in their narrow columns ("Status (selesai / tidak)"): the row is as tall as the
  // tallest, or the last line is cut off when printed.
  header.height = Math.max(2, ...columns.map((c) => wrappedLines(c.header, c.width * BOLD_FIT))) * LINE + 2;
}

/** Bold text is wider: about this share of a column's width in characters fits a line. */
const BOLD_FIT = 0.9;

/** How many lines `text` takes in a column `width` characters wide, wrapped at spaces as a spreadsheet does. */
export function wrappedLines(text: string, width: number): number {
  let lines = 1;
  let used = 0;
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (used > 0 && used + 1 + word.length > width) {
      lines++;
      used = 0;
    }
    // A word longer than the column breaks across lines by itself.
    const extra = Math.max(0, Math.ceil(word.length / width) - 1);
    lines += extra;
    used = used === 0 ? word.length - extra * width : used + 1 + word.length;
  }
  return lines;
}

function dataCells(
  sheet: ExcelJS.Worksheet,
  firstRow: number,
  rows: readonly LogbookRow[],
  columns: readonly LogbookColumn[],
  timeZone: string,
) {
  rows.forEach((data, r) => {
    const row = sheet.getRow(firstRow + r);
    columns.forEach((column, i) => {
      const cell = row.getCell(i + 1);
      const value = data[column.key];
      if (value instanceof Date) {
        cell.value = wallClockDate(value, timeZone);
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
    row.height = rowHeight(data, columns);
  });
}

/** "Nomor: FM-PDIP-03-02 · Revisi: 00 · Tgl. Eff: 20 Des 2017" */
function numberLine(number: DocumentNumber, texts: ReportTexts): string {
  return [
    texts.t("logbook.number", { number: number.number }),
    ...(number.revision ? [texts.t("logbook.revision", { revision: number.revision })] : []),
    ...(number.effective ? [texts.t("logbook.effective", { effective: number.effective })] : []),
  ].join("  ·  ");
}

/**
 * The logbook as an .xlsx workbook. The first sheet is form FM-PDIP-03-02 as it prints: the title
 * block, the seven form columns, wrapped text, and the "Mengetahui," block for the head of office.
 * The second sheet holds the columns the form does not have (ticket, dates, category, medium, SOP
 * step…), keyed by the same No. Dates are real Excel dates (dd/mm/yyyy hh:mm, the office's wall clock).
 */
export async function logbookXlsx(rows: readonly LogbookRow[], meta: LogbookSheetMeta): Promise<Buffer> {
  const { texts } = meta;
  // Loaded on the first export, not at start: exceljs costs ~300 ms and ~15 MB a process may never need.
  const { default: ExcelJSModule } = await import("exceljs");
  const workbook = new ExcelJSModule.Workbook();
  workbook.creator = "Kanal Aduan";
  workbook.created = meta.createdAt ?? new Date();
  const formColumns = LOGBOOK_COLUMNS.slice(0, FORM_COLUMN_COUNT);
  const detailColumns = [LOGBOOK_COLUMNS[0]!, ...LOGBOOK_COLUMNS.slice(FORM_COLUMN_COUNT)];

  const sheet = workbook.addWorksheet(texts.t("logbook.sheet"), {
    views: [{ state: "frozen", xSplit: 0, ySplit: LOGBOOK_HEADER_ROW }],
    pageSetup: printSetup(LOGBOOK_HEADER_ROW),
  });
  sheet.columns = formColumns.map((c) => ({ key: c.key, width: c.width }));
  const office = meta.parent ? `${meta.parent.toUpperCase()}\n${meta.officeName.toUpperCase()}` : meta.officeName.toUpperCase();
  const titles: [string, number, boolean][] = [
    [office, 14, true],
    [texts.t("logbook.title"), 13, true],
    [texts.t("logbook.month", { month: meta.monthTitle }), 11, false],
    [meta.documentNumber ? numberLine(meta.documentNumber, texts) : "", 10, false],
  ];
  titles.forEach(([text, size, bold], i) => {
    const row = i + 1;
    sheet.mergeCells(row, 1, row, FORM_COLUMN_COUNT);
    const cell = sheet.getCell(row, 1);
    if (text !== "") cell.value = text;
    cell.font = { size, bold };
    if (text.includes("\n")) {
      cell.alignment = { wrapText: true, vertical: "top" };
      sheet.getRow(row).height = 2 * (size + 4);
    }
  });
  headerCells(sheet, LOGBOOK_HEADER_ROW, formColumns);
  dataCells(sheet, LOGBOOK_HEADER_ROW + 1, rows, formColumns, meta.timeZone);
  sheet.autoFilter = { from: { row: LOGBOOK_HEADER_ROW, column: 1 }, to: { row: LOGBOOK_HEADER_ROW, column: FORM_COLUMN_COUNT } };

  // "Mengetahui, <head of office>" under the last three columns, room to sign, the name and NIP to fill in.
  const signTop = LOGBOOK_HEADER_ROW + rows.length + 3;
  const signLines = [
    texts.t("logbook.acknowledged"),
    meta.headRole ?? "",
    "",
    "",
    "",
    texts.t("logbook.signerBlank"),
    texts.t("logbook.nipBlank"),
  ];
  signLines.forEach((text, i) => {
    sheet.mergeCells(signTop + i, FORM_COLUMN_COUNT - 2, signTop + i, FORM_COLUMN_COUNT);
    const cell = sheet.getCell(signTop + i, FORM_COLUMN_COUNT - 2);
    if (text !== "") cell.value = text;
    cell.alignment = { horizontal: "center" };
  });

  const details = workbook.addWorksheet(texts.t("logbook.detailSheet"), {
    views: [{ state: "frozen", xSplit: 0, ySplit: 1 }],
    pageSetup: printSetup(1),
  });
  details.columns = detailColumns.map((c) => ({ key: c.key, width: c.width }));
  headerCells(details, 1, detailColumns);
  dataCells(details, 2, rows, detailColumns, meta.timeZone);
  details.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: detailColumns.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
