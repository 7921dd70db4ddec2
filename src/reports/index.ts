export {
  logbookReport,
  recapReport,
  complaintFormPdf,
  forwardingLetterPdf,
  evidenceReport,
  reportSettings,
  LOGBOOK_FORMATS,
  type LogbookFormat,
  type ReportFile,
} from "./generate.js";
export {
  logbookRows,
  initialsOf,
  LOGBOOK_COLUMNS,
  LOGBOOK_HEADERS,
  type LogbookRow,
  type LogbookColumn,
  type LogbookOptions,
} from "./logbook-rows.js";
export { logbookCsv, toCsv, csvField, CSV_SEPARATORS, DEFAULT_CSV_SEPARATOR, type CsvSeparator } from "./csv.js";
export { logbookXlsx, wrappedLines, LOGBOOK_HEADER_ROW, FORM_COLUMN_COUNT, type LogbookSheetMeta } from "./logbook-xlsx.js";
export {
  buildRecap,
  satisfactionLevel,
  TIME_STANDARD_MEASURED,
  type Recap,
  type RecapInput,
  type StepCompliance,
  type FrequentProblem,
} from "./recap.js";
export { recapPdf, formatNumber, type RecapPdfOptions } from "./recap-pdf.js";
export {
  complaintFormFields,
  complaintFormLayout,
  forwardingLetterLayout,
  trackingUrl,
  placeAndDate,
  signerTitle,
  formatNip,
  type ComplaintFormFields,
  type DocumentLayout,
  type ForwardingLetterInput,
} from "./documents.js";
export { evidenceEntries, evidenceZip, safeFileName, type EvidenceEntry, type EvidenceFile } from "./evidence.js";
export { letterheadOf, contactLine, contactLabelsOf, drawLetterhead, type Letterhead, type ContactLabels } from "./letterhead.js";
export { frequentTerms, contentWords, truncate, STOP_WORDS, type TermCount } from "./frequent-problems.js";
export { loadMonth, loadDocumentComplaint, type DocumentComplaint, type ComplainantIdentity } from "./store.js";
export { loadReportTexts, DEFAULT_REPORT_TEXTS_DIR, type ReportTexts } from "./texts.js";
export { monthRange, isMonth, formatStamp, formatLongDate, monthTitle, wallClockDate, zoneOffsetMs, type MonthRange } from "./time.js";
export { stepTimeline, segmentAt, closedBy, stepChange, type StepSegment } from "./timeline.js";
export { mediumLabel, channelName } from "./media.js";
export { redact, addressParts, REDACTED, type KnownIdentity, type RedactOptions } from "./redact.js";
export { pdfSafe, renderPdf, write } from "./pdf.js";
export type { ReportComplaint, ReportEvent, ReportSettings } from "./types.js";
export { cliIo, monthOption, parseCommandLine, runCommand, runAsScript, isEntryPoint, UsageError, type CliIo } from "./cli-io.js";
