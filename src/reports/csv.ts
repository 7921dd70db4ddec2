import { LOGBOOK_COLUMNS, type LogbookRow } from "./logbook-rows.js";
import { formatStamp } from "./time.js";

const BOM = "\uFEFF";

/**
 * A text a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) gets a leading
 * apostrophe: the complaint text is the public's input, and a CSV opened in Excel must not run it.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !/^-?\d+([.,]\d+)?$/.test(text) ? `'${text}` : text;
}

/** One field, quoted per RFC 4180 when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** UTF-8 text with a byte-order mark (so Excel reads it as UTF-8), comma separated, CRLF line ends. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return BOM + rows.map((row) => row.map(csvField).join(",") + "\r\n").join("");
}

/** The logbook as CSV: the header row, then one row per complaint; dates as dd/mm/yyyy hh:mm in the office's zone. */
export function logbookCsv(rows: readonly LogbookRow[], timeZone: string): string {
  const header = LOGBOOK_COLUMNS.map((c) => c.header);
  const body = rows.map((row) =>
    LOGBOOK_COLUMNS.map((column) => {
      const value = row[column.key];
      if (value === null || value === undefined) return "";
      if (value instanceof Date) return formatStamp(value, timeZone);
      if (typeof value === "number") return String(value);
      return neutralise(value);
    }),
  );
  return toCsv([header, ...body]);
}
