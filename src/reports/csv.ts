import { LOGBOOK_COLUMNS, type LogbookRow } from "./logbook-rows.js";
import { formatStamp } from "./time.js";

const BOM = "\uFEFF";

/**
 * The field separator. Excel splits a CSV on the list separator of the computer's regional
 * settings, and Indonesian settings (like most of Europe) use `;` because the comma is the decimal
 * mark: `;` is the default so the logbook opens in columns there. `,` is for other tools (and Excel
 * with English settings).
 */
export type CsvSeparator = ";" | ",";
export const CSV_SEPARATORS: readonly CsvSeparator[] = [";", ","];
export const DEFAULT_CSV_SEPARATOR: CsvSeparator = ";";

/**
 * A text a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) gets a leading
 * apostrophe: the complaint text is the public's input, and a CSV opened in Excel must not run it.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !/^-?\d+([.,]\d+)?$/.test(text) ? `'${text}` : text;
}

/** One field, quoted per RFC 4180 when it holds the separator, a quote or a line break. */
export function csvField(value: string, separator: CsvSeparator = DEFAULT_CSV_SEPARATOR): string {
  return value.includes(separator) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** UTF-8 text with a byte-order mark (so Excel reads it as UTF-8), CRLF line ends. */
export function toCsv(rows: readonly (readonly string[])[], separator: CsvSeparator = DEFAULT_CSV_SEPARATOR): string {
  return BOM + rows.map((row) => row.map((field) => csvField(field, separator)).join(separator) + "\r\n").join("");
}

/** The logbook as CSV: the header row, then one row per complaint; dates as dd/mm/yyyy hh:mm in the office's zone. */
export function logbookCsv(rows: readonly LogbookRow[], timeZone: string, separator: CsvSeparator = DEFAULT_CSV_SEPARATOR): string {
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
  return toCsv([header, ...body], separator);
}
