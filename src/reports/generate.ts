import { loadSopPreset } from "../complaints/index.js";
import { loadConfig, type Config } from "../config/index.js";
import { KanalError } from "../core/index.js";
import type { Database } from "../db/index.js";
import { DEFAULT_TEMPLATE_DIR } from "../i18n/index.js";
import { logbookCsv } from "./csv.js";
import { complaintFormFields, complaintFormLayout, forwardingLetterLayout, type ForwardingLetterInput } from "./documents.js";
import { logbookRows } from "./logbook-rows.js";
import { logbookXlsx } from "./logbook-xlsx.js";
import { buildRecap, type Recap } from "./recap.js";
import { recapPdf } from "./recap-pdf.js";
import { loadDocumentComplaint, loadMonth } from "./store.js";
import { loadReportTexts, type ReportTexts } from "./texts.js";
import { monthRange, monthTitle } from "./time.js";
import type { ReportSettings } from "./types.js";

export type LogbookFormat = "csv" | "xlsx";
export const LOGBOOK_FORMATS: readonly LogbookFormat[] = ["csv", "xlsx"];

/** The report settings of a configured office: its name, time zone, language and SOP preset. */
export function reportSettings(config: Config, templatesDir: string = DEFAULT_TEMPLATE_DIR): ReportSettings {
  return {
    officeName: config.OFFICE_NAME,
    timeZone: config.OFFICE_TIMEZONE,
    locale: config.DEFAULT_LOCALE,
    sop: loadSopPreset(templatesDir, config.SOP_PRESET, { timeZone: config.OFFICE_TIMEZONE }),
  };
}

const textsOf = (settings: ReportSettings): ReportTexts => settings.texts ?? loadReportTexts(settings.locale);
const nowOf = (settings: ReportSettings): Date => (settings.clock ?? (() => new Date()))();

export interface ReportFile {
  /** "logbook-2026-11.xlsx": what to call it on disk or in a chat. */
  filename: string;
  content: Buffer;
}

/** The logbook (FM-PDIP-03-02 and more) of a month, as CSV or XLSX bytes. */
export async function logbookReport(
  db: Database,
  month: string,
  format: LogbookFormat,
  settings: ReportSettings,
): Promise<ReportFile & { rows: number }> {
  const range = monthRange(month, settings.timeZone);
  const { complaints } = await loadMonth(db, range);
  // The form is Indonesian whatever the office's language; its headers are the contract's.
  const texts = settings.locale === "id" && settings.texts ? settings.texts : loadReportTexts("id");
  const rows = logbookRows(complaints, { sop: settings.sop, timeZone: settings.timeZone, texts });
  const content =
    format === "csv"
      ? Buffer.from(logbookCsv(rows, settings.timeZone), "utf8")
      : await logbookXlsx(rows, {
          officeName: settings.officeName,
          monthTitle: monthTitle(range, "id"),
          timeZone: settings.timeZone,
          texts,
          createdAt: nowOf(settings),
        });
  return { filename: `logbook-${month}.${format}`, content, rows: rows.length };
}

/** The monthly recap: the numbers (and their JSON) and the PDF report with charts. */
export async function recapReport(
  db: Database,
  month: string,
  settings: ReportSettings,
  options: { compress?: boolean } = {},
): Promise<{ recap: Recap; json: ReportFile; pdf: ReportFile }> {
  const range = monthRange(month, settings.timeZone);
  const { complaints, earlier } = await loadMonth(db, range);
  const recap = buildRecap({ range, complaints, earlier, sop: settings.sop, officeName: settings.officeName, now: nowOf(settings) });
  const pdf = await recapPdf(recap, {
    texts: textsOf(settings),
    sopTitle: settings.sop.title[settings.locale],
    compress: options.compress,
  });
  return {
    recap,
    json: { filename: `recap-${month}.json`, content: Buffer.from(`${JSON.stringify(recap, null, 2)}\n`, "utf8") },
    pdf: { filename: `recap-${month}.pdf`, content: pdf },
  };
}

type DocumentSettings = Pick<ReportSettings, "officeName" | "timeZone" | "locale" | "texts" | "clock"> & { compress?: boolean };

function documentSettings(settings: Partial<DocumentSettings> | undefined): DocumentSettings {
  if (settings?.officeName && settings.timeZone && settings.locale) return settings as DocumentSettings;
  // Called with the ticket alone: the configured office (OFFICE_NAME, OFFICE_TIMEZONE, DEFAULT_LOCALE).
  const config = loadConfig();
  return { officeName: config.OFFICE_NAME, timeZone: config.OFFICE_TIMEZONE, locale: config.DEFAULT_LOCALE, ...settings };
}

async function documentRecord(db: Database, ticket: string) {
  const record = await loadDocumentComplaint(db, ticket.trim().toUpperCase());
  if (!record) throw new KanalError("KA_NOT_FOUND", `no complaint with ticket ${ticket}: check the number (e.g. ADU-2026-00042)`);
  return record;
}

/** Form FM-PDIP-03-01 filled from the complaint (internal: it shows the complainant unless anonymous). */
export async function complaintFormPdf(
  db: Database,
  ticket: string,
  settings?: Partial<DocumentSettings> & { target?: string },
): Promise<Buffer> {
  const s = documentSettings(settings);
  const record = await documentRecord(db, ticket);
  const layout = {
    officeName: s.officeName,
    timeZone: s.timeZone,
    texts: s.texts ?? loadReportTexts(s.locale),
    now: (s.clock ?? (() => new Date()))(),
    compress: s.compress,
  };
  return complaintFormLayout(complaintFormFields(record, layout, settings?.target), layout);
}

/** A "Surat Pengantar" forwarding the complaint to another agency, without the reporter's identity. */
export async function forwardingLetterPdf(
  db: Database,
  ticket: string,
  input: ForwardingLetterInput,
  settings?: Partial<DocumentSettings>,
): Promise<Buffer> {
  if (!input.to?.trim()) throw new KanalError("KA_BAD_REQUEST", "say whom the letter goes to (the agency), e.g. Dinas Pekerjaan Umum");
  const s = documentSettings(settings);
  const record = await documentRecord(db, ticket);
  const layout = {
    officeName: s.officeName,
    timeZone: s.timeZone,
    texts: s.texts ?? loadReportTexts(s.locale),
    now: (s.clock ?? (() => new Date()))(),
    compress: s.compress,
  };
  return forwardingLetterLayout(record, { ...input, to: input.to.trim() }, layout);
}
