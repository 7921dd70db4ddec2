import { stepLabel as presetStepLabel, type SopPreset } from "../complaints/index.js";
import { mediumLabel } from "./media.js";
import { formatDuration, formatStamp } from "./time.js";
import { stepTimeline } from "./timeline.js";
import type { ReportTexts } from "./texts.js";
import type { ReportComplaint, ReportEvent } from "./types.js";

export type LogbookCell = string | number | Date | null;

export interface LogbookColumn {
  key: keyof LogbookRow;
  header: string;
  /** Excel column width, in characters. */
  width: number;
  type: "number" | "text" | "date";
}

/** One line of the logbook. Dates are instants; the CSV and the workbook show them in the office's zone. */
export interface LogbookRow {
  no: number;
  textAndSource: string;
  unit: string;
  followUp: string;
  toComplainant: string;
  status: "selesai" | "tidak";
  initials: string;
  ticket: string;
  receivedAt: Date;
  category: string;
  medium: string;
  kind: string;
  step: string;
  stepDueAt: Date | null;
  closedAt: Date | null;
  rating: number | null;
  stepTimes: string;
}

/**
 * The columns, in order. The first seven are form FM-PDIP-03-02 of seed 004 with its own headers,
 * and every header here is named in ../shared/CONTRACT.md: they are the contract, not layout text,
 * so they live in code rather than in templates/reports/.
 */
export const LOGBOOK_COLUMNS: readonly LogbookColumn[] = [
  { key: "no", header: "No.", width: 5, type: "number" },
  { key: "textAndSource", header: "Isi Pengaduan & Sumber", width: 48, type: "text" },
  { key: "unit", header: "Bidang Terkait", width: 20, type: "text" },
  { key: "followUp", header: "Tindak Lanjut Aduan", width: 40, type: "text" },
  { key: "toComplainant", header: "Tindak Lanjut Ke Pengadu", width: 40, type: "text" },
  { key: "status", header: "Status (selesai / tidak)", width: 16, type: "text" },
  { key: "initials", header: "Paraf", width: 9, type: "text" },
  { key: "ticket", header: "Tiket", width: 16, type: "text" },
  { key: "receivedAt", header: "Tanggal Diterima", width: 17, type: "date" },
  { key: "category", header: "Kategori", width: 17, type: "text" },
  { key: "medium", header: "Media", width: 18, type: "text" },
  { key: "kind", header: "Jenis", width: 14, type: "text" },
  { key: "step", header: "Tahap SOP", width: 24, type: "text" },
  { key: "stepDueAt", header: "Batas Tahap", width: 17, type: "date" },
  { key: "closedAt", header: "Tanggal Selesai", width: 17, type: "date" },
  { key: "rating", header: "Penilaian", width: 10, type: "number" },
  { key: "stepTimes", header: "Waktu per Tahap", width: 36, type: "text" },
];

export const LOGBOOK_HEADERS: readonly string[] = LOGBOOK_COLUMNS.map((c) => c.header);

export interface LogbookOptions {
  sop: SopPreset;
  timeZone: string;
  /** Indonesian texts (FM-PDIP-03-02 is an Indonesian form). */
  texts: ReportTexts;
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

/** Events that hand the complaint to a role, unit or person (the lifecycle's "sop.assign", /tugaskan). */
const isAssignment = (e: ReportEvent) => /assign/i.test(e.type);
const APPROVED = new Set(["approve", "approved", "setuju", "disetujui", "yes", "ya"]);
const REJECTED = new Set(["reject", "rejected", "tolak", "ditolak", "no", "tidak"]);
/** Events that record the head of unit's approval: the "Paraf" of the form. */
function isApproval(e: ReportEvent): boolean {
  if (e.type === "staff.approve" || e.type === "sop.approved") return true;
  if (e.type !== "sop.decided" && e.type !== "staff.decide") return false;
  const decision = str(e.data.decision) ?? str(e.data.result);
  return decision === undefined || !REJECTED.has(decision.toLowerCase());
}
/** The scheduler's reminders and refused attempts are about the office, not follow-up on the complaint. */
const NOT_FOLLOW_UP = new Set(["sop.warned", "sop.escalated", "sop.denied"]);
/** Follow-up on the complaint: internal notes and the SOP's own actions, not the talk with the citizen. */
function isFollowUp(e: ReportEvent): boolean {
  if (NOT_FOLLOW_UP.has(e.type)) return false;
  if (e.type === "staff.note" || e.type.startsWith("sop.")) return true;
  return /^staff\.(assign|approve|reject|decide|forward|archive|advance)/.test(e.type);
}

/** "P.A.R." from "Putu Ayu Reika": the initials a head of unit signs with. */
export function initialsOf(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}]+/u, ""))
    .filter((w) => w !== "")
    .slice(0, 4)
    .map((w) => `${[...w][0]!.toUpperCase()}.`)
    .join("");
}

function roleLabel(sop: SopPreset, id: string): string {
  return sop.roles.find((r) => r.id === id)?.label.id ?? id;
}

function stepLabel(sop: SopPreset, id: string): string {
  return presetStepLabel(sop, id).id;
}

/**
 * Who or what an assignment names: a unit, a preset role (by its label), a person (by name: a
 * Telegram id means nothing on paper and is not shown).
 */
function assignee(e: ReportEvent, sop: SopPreset): string | undefined {
  const role = str(e.data.role);
  return str(e.data.unit) ?? (role ? roleLabel(sop, role) : undefined) ?? str(e.data.staffName) ?? str(e.data.to) ?? str(e.data.assignee);
}

/**
 * "Bidang Terkait": the unit that handles the complaint, i.e. the role or person a step was handed
 * to with /tugaskan — the latest hand-over, whether its step is still current (holderRole /
 * holderStaff) or was left since (the lifecycle clears the holder on each move, the event stays).
 * Empty until the complaint is handed to someone. The steps' own roles are not it: they say who
 * does each step of the SOP (front desk, Kasi, head of office), not which division the matter
 * belongs to; and the category is a column of its own.
 */
export function handlingUnit(c: Pick<ReportComplaint, "events" | "holderRole">, sop: SopPreset): string {
  const assignment = [...c.events]
    .filter(isAssignment)
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .at(-1);
  const named = assignment ? assignee(assignment, sop) : undefined;
  if (named) return named;
  return c.holderRole ? roleLabel(sop, c.holderRole) : "";
}

function decisionText(value: string, texts: ReportTexts): string {
  const v = value.toLowerCase();
  return APPROVED.has(v) ? texts.t("decision.approve") : REJECTED.has(v) ? texts.t("decision.reject") : value;
}

/** One SOP action in words: "Lanjut ke tahap Verifikasi", "Keputusan pimpinan: setuju – <note>", "Diteruskan kepada Dinas PU". */
function describeAction(e: ReportEvent, options: LogbookOptions): string {
  const { texts, sop } = options;
  const note = str(e.data.text) ?? str(e.data.note);
  if (e.type === "staff.note") return note ?? "";
  const key = `action.${e.type}`;
  const what = texts.has(key) ? texts.t(key) : e.type;
  const decision = str(e.data.decision) ?? str(e.data.result);
  const to = str(e.data.toStep) ?? str(e.data.to);
  let detail: string | undefined;
  if (decision) detail = decisionText(decision, texts);
  else if (isAssignment(e)) detail = assignee(e, sop);
  else if (str(e.data.agency)) detail = str(e.data.agency);
  else if (to) detail = stepLabel(sop, to);
  return [what + (detail ? ` ${detail}` : ""), note].filter(Boolean).join(" – ");
}

function line(e: ReportEvent, body: string, timeZone: string): string {
  return `${formatStamp(e.at, timeZone)}${e.by ? ` ${e.by}` : ""}: ${body}`;
}

/** The logbook's rows for complaints already chosen and ordered (received in the month, oldest first). */
export function logbookRows(complaints: readonly ReportComplaint[], options: LogbookOptions): LogbookRow[] {
  const { texts, sop, timeZone } = options;
  const units = { day: texts.t("duration.day"), hour: texts.t("duration.hour"), minute: texts.t("duration.minute") };
  return complaints.map((c, i) => {
    const medium = mediumLabel(c.channel, texts);
    const events = [...c.events].sort((a, b) => a.at.getTime() - b.at.getTime());
    const approval = events.filter(isApproval).at(-1);
    const closed = c.status === "closed";
    const stepTimes = stepTimeline(c, sop)
      .map((s) => {
        const label = stepLabel(sop, s.step);
        return s.end
          ? texts.t("logbook.stepTime", { step: label, duration: formatDuration(s.end.getTime() - s.start.getTime(), units) })
          : texts.t("logbook.stepTime.current", { step: label, since: formatStamp(s.start, timeZone) });
      })
      .join("; ");
    return {
      no: i + 1,
      textAndSource: `${c.text.trim()} (${medium})`,
      unit: handlingUnit(c, sop),
      followUp: events
        .filter(isFollowUp)
        .map((e) => line(e, describeAction(e, options), timeZone))
        .join("\n"),
      toComplainant: events
        .filter((e) => e.type === "staff.reply")
        .map((e) => line(e, str(e.data.text) ?? texts.t("logbook.replyFiles"), timeZone))
        .join("\n"),
      status: closed ? "selesai" : "tidak",
      initials: approval?.by ? initialsOf(approval.by) : "",
      ticket: c.ticket,
      receivedAt: c.receivedAt,
      category: c.category ?? "",
      medium,
      kind: texts.t(c.kind === "information" ? "kind.information" : "kind.complaint"),
      step: stepLabel(sop, c.sopStep),
      stepDueAt: closed ? null : c.stepDueAt,
      closedAt: closed ? c.closedAt : null,
      rating: c.rating,
      stepTimes,
    };
  });
}
