import type { Locale } from "../core/index.js";
import type { SopPreset } from "../complaints/index.js";
import type { Letterhead } from "./letterhead.js";
import type { ReportTexts } from "./texts.js";

/** One audit event of a complaint, as the reports read it. Free text is already redacted. */
export interface ReportEvent {
  type: string;
  at: Date;
  actor: string;
  /** The staff member's name (`data.by`), when the event says. */
  by: string | null;
  data: Readonly<Record<string, unknown>>;
}

/**
 * A complaint or information request as the reports see it. It deliberately has no field for the
 * complainant's identity: the logbook and the recap cannot leak what they never get, and the text
 * has had the complainant's own name, e-mail, phone and address blanked (see redact.ts).
 */
export interface ReportComplaint {
  ticket: string;
  kind: "complaint" | "information";
  category: string | null;
  text: string;
  channel: string;
  status: string;
  sopStep: string;
  stepStartedAt: Date;
  stepDueAt: Date | null;
  /** /tugaskan: the preset role the current step was handed to (null: the step's own role holds it). */
  holderRole: string | null;
  receivedAt: Date;
  closedAt: Date | null;
  rating: number | null;
  events: readonly ReportEvent[];
}

/** What every report needs to know about the office. */
export interface ReportSettings {
  officeName: string;
  timeZone: string;
  sop: SopPreset;
  /** Language of the recap and the documents; the logbook is FM-PDIP-03-02, always Indonesian. */
  locale: Locale;
  /** Texts of templates/reports/<locale>.json; loaded from the default folder when absent. */
  texts?: ReportTexts;
  clock?: () => Date;
  /** The kop surat (OFFICE_PARENT, OFFICE_ADDRESS…); only the office's name when absent. */
  letterhead?: Letterhead;
  /** PUBLIC_BASE_URL: the complaint form's QR code links to its tracking page. */
  publicBaseUrl?: string;
}
