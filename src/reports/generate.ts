import { headRole, loadSopPreset } from "../complaints/index.js";
import { loadConfig, type Config } from "../config/index.js";
import { KanalError } from "../core/index.js";
import type { Database } from "../db/index.js";
import { DEFAULT_TEMPLATE_DIR } from "../i18n/index.js";
import { logbookCsv, type CsvSeparator } from "./csv.js";
import { letterheadOf } from "./letterhead.js";
import {
  complaintFormFields,
  complaintFormLayout,
  forwardingLetterLayout,
  type DocumentLayout,
  type ForwardingLetterInput,
} from "./documents.js";
import { evidenceEntries, evidenceZip } from "./evidence.js";
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
    letterhead: letterheadOf(config),
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
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
  options: { separator?: CsvSeparator } = {},
): Promise<ReportFile & { rows: number }> {
  const range = monthRange(month, settings.timeZone);
  const { complaints } = await loadMonth(db, range);
  // The form is Indonesian whatever the office's language; its headers are the contract's.
  const texts = settings.locale === "id" && settings.texts ? settings.texts : loadReportTexts("id");
  const rows = logbookRows(complaints, { sop: settings.sop, timeZone: settings.timeZone, texts });
  const content =
    format === "csv"
      ? Buffer.from(logbookCsv(rows, settings.timeZone, options.separator), "utf8")
      : await logbookXlsx(rows, {
          officeName: settings.officeName,
          monthTitle: monthTitle(range, "id"),
          timeZone: settings.timeZone,
          texts,
          createdAt: nowOf(settings),
          headRole: headRole(settings.sop).label.id,
          ...(settings.letterhead?.parent ? { parent: settings.letterhead.parent } : {}),
          ...(settings.sop.documents?.logbook ? { documentNumber: settings.sop.documents.logbook } : {}),
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
    ...(settings.letterhead ? { letterhead: settings.letterhead } : {}),
  });
  return {
    recap,
    json: { filename: `recap-${month}.json`, content: Buffer.from(`${JSON.stringify(recap, null, 2)}\n`, "utf8") },
    pdf: { filename: `recap-${month}.pdf`, content: pdf },
  };
}

type DocumentSettings = Pick<ReportSettings, "officeName" | "timeZone" | "locale" | "texts" | "clock" | "letterhead" | "publicBaseUrl"> & {
  sop?: ReportSettings["sop"];
  compress?: boolean;
};

function documentSettings(settings: Partial<DocumentSettings> | undefined): DocumentSettings {
  if (settings?.officeName && settings.timeZone && settings.locale) return settings as DocumentSettings;
  // Called with the ticket alone: the configured office, its letterhead and its SOP preset.
  return { ...reportSettings(loadConfig()), ...settings };
}

function documentLayout(s: DocumentSettings): DocumentLayout {
  return {
    officeName: s.officeName,
    timeZone: s.timeZone,
    texts: s.texts ?? loadReportTexts(s.locale),
    now: (s.clock ?? (() => new Date()))(),
    ...(s.compress !== undefined ? { compress: s.compress } : {}),
    ...(s.letterhead ? { letterhead: s.letterhead } : {}),
    ...(s.sop ? { sop: s.sop } : {}),
    ...(s.publicBaseUrl ? { publicBaseUrl: s.publicBaseUrl } : {}),
  };
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
  const layout = documentLayout(s);
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
  const layout = documentLayout(s);
  return forwardingLetterLayout(record, { ...input, to: input.to.trim() }, layout);
}

/** The complaint's evidence files in a ZIP, under their original names (made safe and unique). */
export async function evidenceReport(
  db: Database,
  ticket: string,
  attachmentsDir: string,
): Promise<ReportFile & { files: number; missing: string[] }> {
  const record = await documentRecord(db, ticket);
  if (record.files.length === 0) throw new KanalError("KA_NOT_FOUND", `complaint ${record.complaint.ticket} has no evidence files`);
  const { zip, missing } = await evidenceZip(evidenceEntries(record.files), attachmentsDir);
  if (missing.length === record.files.length)
    throw new KanalError(
      "KA_NOT_FOUND",
      `none of the ${record.files.length} evidence files of ${record.complaint.ticket} is in ${attachmentsDir} (erased after RETENTION_MONTHS, or ATTACHMENTS_DIR points elsewhere)`,
    );
  return { filename: `evidence-${record.complaint.ticket}.zip`, content: zip, files: record.files.length - missing.length, missing };
}
