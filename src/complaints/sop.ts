import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { KanalError } from "../core/index.js";
import { isoDate, loadNationalHolidays, monthDay, NO_NATIONAL_HOLIDAYS, type NationalHolidays } from "./holidays.js";
import {
  addCalendarDays,
  addCalendarMonths,
  addWorkingMinutes,
  workingDayMinutes,
  workingMinutesBetween,
  type WorkingTime,
} from "./working-time.js";

/**
 * An office's SOP (Standar Operasional Prosedur) as a preset file in templates/sop/<name>.json:
 * its roles (the "Pelaksana" columns), its steps in order with who does each, the time standard
 * ("Mutu Baku – Waktu") and output of each, where it branches, and whether the clock runs in
 * office hours or around the clock. README.md ("SOP presets") explains how to write one.
 */

const localized = z.object({ id: z.string().min(1), en: z.string().min(1) }).strict();
const slug = z.string().regex(/^[a-z][a-z0-9-]*$/, "must be lowercase letters, digits and dashes, starting with a letter");
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day such as 08:00");
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "must be an IANA time zone such as Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)");

export const TIME_UNITS = ["minutes", "hours", "days", "maxDays", "months"] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

const roleSchema = z
  .object({
    id: slug,
    label: localized,
    /** The head of office (Camat, Kepala Dinas, Inspektur): receives escalations and may act on any step. Exactly one. */
    head: z.boolean().optional(),
    /** The complainant (e.g. Jenawi's "User/Pelapor"): their steps are done by the bot's intake conversation. */
    citizen: z.boolean().optional(),
    /** Outside the office (Walikota/Dinas/Instansi terkait): a forwarding destination, never a step's holder. */
    external: z.boolean().optional(),
    /** Staff.role values that act in this role besides the role's own id (staf, kasi, pimpinan, admin). */
    staffRoles: z.array(z.string().min(1)).optional(),
    /** May see reporters' full identity (the head always may). */
    seesIdentity: z.boolean().optional(),
  })
  .strict();

const stepSchema = z
  .object({
    id: slug,
    label: localized,
    role: z.string().min(1),
    /** Exactly one of { minutes }, { hours }, { days }, { maxDays }, { months }: a whole number. */
    time: z.record(z.string(), z.number()),
    /** The step's output document ("Laporan Pengaduan", "Logbook pengaduan", …). */
    output: localized,
    note: localized.optional(),
    /** The step after this one when it is not the next in the list. */
    next: z.string().optional(),
    /** A choice made with /lanjut <ticket> <branch>: e.g. information → answer at once, complaint → PPID. */
    branches: z
      .array(z.object({ id: slug, aliases: z.array(z.string().min(1)).optional(), label: localized, to: z.string().min(1) }).strict())
      .min(2, "needs at least two branches")
      .optional(),
    /** A decision made with /putuskan <ticket> setuju|tolak: the step each outcome goes to. */
    decision: z
      .object({ approve: z.string().min(1), reject: z.string().min(1) })
      .strict()
      .optional(),
    /** Reaching this step tells the complainant their answer is on its way. */
    answer: z.boolean().optional(),
    /** /arsip may finish the complaint here (always true on the last step). */
    archive: z.boolean().optional(),
    /** /teruskan may forward the complaint to another agency here, which finishes it. */
    forward: z.boolean().optional(),
  })
  .strict();

/**
 * An office's own day off besides the national list: a date ("2026-06-17"), a named date
 * ({ "date": "2026-06-17", "name": "Hari Raya Galungan" }) or a day every year
 * ({ "every": "03-30", "name": "Hari Jadi Kabupaten" }).
 */
const regionalHolidaySchema = z.union(
  [isoDate, z.object({ date: isoDate, name: z.string().min(1) }).strict(), z.object({ every: monthDay, name: z.string().min(1) }).strict()],
  {
    error:
      'must be a date such as "2026-06-17", { "date": "2026-06-17", "name": "…" } or, for a day every year, { "every": "03-30", "name": "…" }',
  },
);

const workingTimeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("calendar"), timeZone: timeZone.optional() }).strict(),
  z
    .object({
      kind: z.literal("office"),
      timeZone: timeZone.optional(),
      days: z.array(z.number().int().min(1).max(7)).min(1),
      start: clockTime,
      end: clockTime,
      /** The office's regional days off, on top of the national list. */
      holidays: z.array(regionalHolidaySchema).optional(),
      /** false: the national holidays and cuti bersama of templates/holidays/ do not apply (default true). */
      nationalHolidays: z.boolean().optional(),
      /** false: the office works on cuti bersama days (the libur nasional still apply; default true). */
      cutiBersama: z.boolean().optional(),
    })
    .strict()
    .refine((w) => w.start < w.end, { message: "start must be before end", path: ["end"] }),
]);

/** A controlled document's number, revision and effective date, as the office's quality system prints them. */
const documentNumberSchema = z
  .object({
    number: z.string().trim().min(1),
    revision: z.string().trim().min(1).optional(),
    effective: z.string().trim().min(1).optional(),
  })
  .strict();

/** The file format of templates/sop/<name>.json. */
export const sopPresetSchema = z
  .object({
    name: slug,
    title: localized,
    office: z.string().optional(),
    source: z.string().optional(),
    /** Free text for people reading the file: assumptions, what was inferred from the SOP. */
    notes: z.array(z.string()).optional(),
    workingTime: workingTimeSchema,
    /** A warning goes to the step's holder when this share of its time has passed (default 80). */
    warnAtPercent: z.number().int().min(1).max(99).optional(),
    roles: z.array(roleSchema).min(1),
    steps: z.array(stepSchema).min(1),
    /** The office's own form numbers, printed in the forms' corners (e.g. FM-PDIP-03-01 under SOP-PDIP-03). */
    documents: z.object({ complaintForm: documentNumberSchema.optional(), logbook: documentNumberSchema.optional() }).strict().optional(),
  })
  .strict()
  .superRefine((sop, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const roles = new Map<string, z.output<typeof roleSchema>>();
    sop.roles.forEach((role, i) => {
      if (roles.has(role.id)) issue(["roles", i, "id"], `duplicate role id "${role.id}"`);
      roles.set(role.id, role);
      if (role.head && (role.citizen || role.external))
        issue(["roles", i, "head"], "the head role must be office staff, not the citizen or an outside agency");
      if (role.citizen && role.external) issue(["roles", i, "external"], "a role is either the citizen or an outside agency, not both");
    });
    const heads = sop.roles.flatMap((r, i) => (r.head ? [i] : []));
    if (heads.length === 0) issue(["roles"], 'no role has "head": true (the head of office who receives escalations)');
    if (heads.length > 1) issue(["roles", heads[1]!, "head"], `only one role may be the head (already "${sop.roles[heads[0]!]!.id}")`);
    const roleList = sop.roles.map((r) => r.id).join(", ");

    const steps = new Map<string, number>();
    sop.steps.forEach((step, i) => {
      if (steps.has(step.id)) issue(["steps", i, "id"], `duplicate step id "${step.id}" (also step ${steps.get(step.id)! + 1})`);
      else steps.set(step.id, i);
    });
    let staffSeen = false;
    sop.steps.forEach((step, i) => {
      const role = roles.get(step.role);
      if (!role) issue(["steps", i, "role"], `unknown role "${step.role}" (roles: ${roleList})`);
      else if (role.external)
        issue(["steps", i, "role"], `role "${step.role}" is an outside agency and cannot hold a step; forward to it with "forward": true`);
      else if (role.citizen) {
        if (staffSeen) issue(["steps", i, "role"], `the citizen's steps must come first (step "${step.id}" follows office steps)`);
        if (step.branches || step.decision || step.answer || step.archive || step.forward) {
          issue(["steps", i, "role"], "a citizen's step is done by the intake conversation and cannot branch, decide, answer or finish");
        }
      } else staffSeen = true;

      const units = Object.keys(step.time);
      const unknown = units.find((u) => !(TIME_UNITS as readonly string[]).includes(u));
      if (unknown) issue(["steps", i, "time"], `unknown time unit "${unknown}" (use one of ${TIME_UNITS.join(", ")})`);
      else if (units.length !== 1)
        issue(["steps", i, "time"], `give exactly one time unit (${TIME_UNITS.join(", ")}), e.g. { "minutes": 30 }`);
      else {
        const amount = step.time[units[0]!]!;
        if (!Number.isInteger(amount) || amount <= 0)
          issue(["steps", i, "time", units[0]!], `must be a whole number above 0, not ${amount}`);
      }

      const target = (to: string, path: (string | number)[]) => {
        const j = steps.get(to);
        if (j === undefined) issue(["steps", i, ...path], `unknown step "${to}"`);
        else if (roles.get(sop.steps[j]!.role)?.citizen) issue(["steps", i, ...path], `cannot go back to the citizen's step "${to}"`);
        else if (j === i) issue(["steps", i, ...path], "a step cannot lead to itself");
      };
      if (step.next) target(step.next, ["next"]);
      if (step.branches && step.decision) issue(["steps", i, "decision"], "a step has branches or a decision, not both");
      const words = new Set<string>();
      step.branches?.forEach((b, k) => {
        target(b.to, ["branches", k, "to"]);
        for (const word of [b.id, ...(b.aliases ?? [])].map((w) => w.toLowerCase())) {
          if (words.has(word)) issue(["steps", i, "branches", k], `branch word "${word}" is used twice`);
          words.add(word);
        }
      });
      if (step.decision) {
        target(step.decision.approve, ["decision", "approve"]);
        target(step.decision.reject, ["decision", "reject"]);
      }
    });
    if (!staffSeen) issue(["steps"], "no step is done by office staff");
  });

export type SopPresetFile = z.output<typeof sopPresetSchema>;

export interface Localized {
  id: string;
  en: string;
}

export interface SopRole {
  id: string;
  label: Localized;
  head: boolean;
  citizen: boolean;
  external: boolean;
  staffRoles: readonly string[];
  seesIdentity: boolean;
}

export interface TimeStandard {
  unit: TimeUnit;
  amount: number;
}

export interface SopBranch {
  id: string;
  /** The words that choose it (id and aliases), lowercase. */
  words: readonly string[];
  label: Localized;
  to: string;
}

export interface SopStep {
  id: string;
  label: Localized;
  role: string;
  time: TimeStandard;
  output: Localized;
  note?: Localized;
  /** Where /lanjut goes: `next`, else the following step; undefined on the last step. */
  next?: string;
  branches: readonly SopBranch[];
  decision?: { approve: string; reject: string };
  answer: boolean;
  archive: boolean;
  forward: boolean;
  /** Position in the preset, from 0. */
  index: number;
  /** The preset's working time, so that dueAt(step, start) needs nothing else. */
  workingTime: WorkingTime;
  /**
   * @deprecated Nominal length in calendar minutes (days = 1440, months = 30 days), for display
   * and sorting only. Due dates depend on working time: use dueAt(step, start).
   */
  minutes: number;
}

/** A form's number in the office's quality system ("FM-PDIP-03-01", revision "00", effective "20 Des 2017"). */
export interface DocumentNumber {
  number: string;
  revision?: string;
  effective?: string;
}

export interface SopPreset {
  name: string;
  title: Localized;
  office?: string;
  source?: string;
  /** The numbers of the office's own forms; a form without one prints no number box. */
  documents?: { complaintForm?: DocumentNumber; logbook?: DocumentNumber };
  /** The file it was loaded from (errors and /bantuan name it). */
  file: string;
  workingTime: WorkingTime;
  /** Which days off its office hours skip, for start-up's check and the README's promise. */
  holidays: HolidayCalendar;
  warnAtPercent: number;
  roles: readonly SopRole[];
  steps: readonly SopStep[];
  /**
   * Labels of steps this preset does not have but another preset in templates/sop/ does (one label
   * for the id across them all): complaints filed before SOP_PRESET changed still read well.
   */
  formerStepLabels: ReadonlyMap<string, Localized>;
}

export interface HolidayCalendar {
  /** The national list applies: office hours, and the preset did not opt out. */
  national: boolean;
  /** Cuti bersama days are skipped too (only meaningful with `national`). */
  cutiBersama: boolean;
  /** Years that had a national list when the preset loaded (empty without `national`). */
  nationalYears: ReadonlySet<number>;
  /** The preset's own days off: dated, and every year. */
  regional: number;
}

/** What a preset takes from the office's settings and files when the preset itself says nothing. */
export interface PresetDefaults {
  /** OFFICE_TIMEZONE, when workingTime names no zone. */
  timeZone?: string;
  /** templates/holidays/ (loadSopPreset reads it; parseSopPreset uses none unless given). */
  nationalHolidays?: NationalHolidays;
}

const NOMINAL_MINUTES: Record<TimeUnit, number> = { minutes: 1, hours: 60, days: 1440, maxDays: 1440, months: 30 * 1440 };

function minuteOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
}

/** Turns a checked file into the preset the code uses; `timeZone` applies when the file names none. */
export function resolveSopPreset(file: SopPresetFile, where: string, defaults: PresetDefaults = {}): SopPreset {
  const w = file.workingTime;
  const tz = w.timeZone ?? defaults.timeZone ?? "Asia/Jakarta";
  let workingTime: WorkingTime;
  let holidays: HolidayCalendar;
  if (w.kind === "calendar") {
    // The clock runs every day: no day off to skip.
    workingTime = { kind: "calendar", timeZone: tz };
    holidays = { national: false, cutiBersama: false, nationalYears: new Set(), regional: 0 };
  } else {
    const national = w.nationalHolidays !== false ? (defaults.nationalHolidays ?? NO_NATIONAL_HOLIDAYS) : NO_NATIONAL_HOLIDAYS;
    const cutiBersama = w.cutiBersama !== false;
    const regional = w.holidays ?? [];
    const dated = regional.flatMap((h) => (typeof h === "string" ? [h] : "date" in h ? [h.date] : []));
    const annual = regional.flatMap((h) => (typeof h !== "string" && "every" in h ? [h.every] : []));
    workingTime = {
      kind: "office",
      timeZone: tz,
      days: [...w.days],
      startMinute: minuteOfDay(w.start),
      endMinute: minuteOfDay(w.end),
      holidays: new Set([...national.days.filter((d) => cutiBersama || d.kind === "libur-nasional").map((d) => d.date), ...dated]),
      ...(annual.length > 0 ? { annualHolidays: new Set(annual) } : {}),
    };
    holidays = { national: w.nationalHolidays !== false, cutiBersama, nationalYears: national.years, regional: regional.length };
  }
  const last = file.steps.length - 1;
  const steps = file.steps.map((s, index): SopStep => {
    const unit = Object.keys(s.time)[0] as TimeUnit;
    const amount = s.time[unit]!;
    return {
      id: s.id,
      label: s.label,
      role: s.role,
      time: { unit, amount },
      output: s.output,
      ...(s.note ? { note: s.note } : {}),
      next: s.next ?? file.steps[index + 1]?.id,
      branches: (s.branches ?? []).map((b) => ({
        id: b.id,
        words: [b.id, ...(b.aliases ?? [])].map((x) => x.toLowerCase()),
        label: b.label,
        to: b.to,
      })),
      ...(s.decision ? { decision: s.decision } : {}),
      answer: s.answer === true,
      archive: s.archive === true || index === last,
      forward: s.forward === true,
      index,
      workingTime,
      minutes: amount * NOMINAL_MINUTES[unit],
    };
  });
  return {
    name: file.name,
    title: file.title,
    ...(file.office ? { office: file.office } : {}),
    ...(file.source ? { source: file.source } : {}),
    ...(file.documents ? { documents: file.documents } : {}),
    file: where,
    workingTime,
    holidays,
    warnAtPercent: file.warnAtPercent ?? 80,
    roles: file.roles.map((r) => ({
      id: r.id,
      label: r.label,
      head: r.head === true,
      citizen: r.citizen === true,
      external: r.external === true,
      staffRoles: r.staffRoles ?? [],
      seesIdentity: r.seesIdentity === true || r.head === true,
    })),
    steps,
    formerStepLabels: new Map(),
  };
}

/** One line naming the file, the step (or role) and the problem. */
function describeIssue(json: unknown, where: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const list = (key: string) => (typeof json === "object" && json !== null ? (json as Record<string, unknown>)[key] : undefined);
  let subject = path.length === 0 ? "preset" : path.join(".");
  if ((path[0] === "steps" || path[0] === "roles") && typeof path[1] === "number") {
    const item = (list(path[0]) as { id?: unknown }[] | undefined)?.[path[1]];
    const id = typeof item?.id === "string" ? `"${item.id}"` : `#${path[1] + 1}`;
    const rest = path.slice(2).join(".");
    subject = `${path[0] === "steps" ? "step" : "role"} ${id}${rest ? ` (${rest})` : ""}`;
  }
  return `SOP preset ${where}: ${subject}: ${issue.message}`;
}

/** Parses and checks a preset; throws one KA_CONFIG error naming the file, the step and the problem. */
export function parseSopPreset(json: unknown, where: string, defaults: PresetDefaults = {}): SopPreset {
  const parsed = sopPresetSchema.safeParse(json);
  if (!parsed.success) throw new KanalError("KA_CONFIG", describeIssue(json, where, parsed.error.issues[0]!));
  return resolveSopPreset(parsed.data, where, defaults);
}

/**
 * Loads templates/sop/<name>.json (SOP_PRESET). An invalid preset stops start-up here with one line
 * naming the file, the step and the problem. `timeZone` (OFFICE_TIMEZONE) is used when the preset's
 * workingTime names none; the national holidays come from templates/holidays/ unless given.
 */
export function loadSopPreset(templatesDir: string, name: string, defaults: PresetDefaults = {}): SopPreset {
  const path = join(templatesDir, "sop", `${name}.json`);
  const where = join("templates", "sop", `${name}.json`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    let known = "";
    try {
      known = ` (presets: ${readdirSync(join(templatesDir, "sop"))
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5))
        .sort()
        .join(", ")})`;
    } catch {
      // no sop directory at all: the message below says which path was tried
    }
    throw new KanalError("KA_CONFIG", `SOP preset ${where}: cannot read ${path}: ${(error as Error).message}${known}`);
  }
  const nationalHolidays = defaults.nationalHolidays ?? loadNationalHolidays(templatesDir);
  const preset = parseSopPreset(json, where, { ...defaults, nationalHolidays });
  if (preset.name !== name)
    throw new KanalError("KA_CONFIG", `SOP preset ${where}: name is "${preset.name}" but the file is ${name}.json; make them the same`);
  return { ...preset, formerStepLabels: otherPresetsStepLabels(templatesDir, preset) };
}

/**
 * The labels of steps `sop` lacks, from the other presets beside it. An id two presets label
 * differently is left out (stepLabel then humanises the id); a preset that does not parse is
 * skipped: it is not the one in force.
 */
function otherPresetsStepLabels(templatesDir: string, sop: SopPreset): Map<string, Localized> {
  const labels = new Map<string, Localized | null>();
  let files: string[];
  try {
    files = readdirSync(join(templatesDir, "sop")).filter((f) => f.endsWith(".json") && f !== `${sop.name}.json`);
  } catch {
    return new Map();
  }
  for (const file of files.sort()) {
    let parsed: ReturnType<typeof sopPresetSchema.safeParse>;
    try {
      parsed = sopPresetSchema.safeParse(JSON.parse(readFileSync(join(templatesDir, "sop", file), "utf8")));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    for (const step of parsed.data.steps) {
      if (stepById(sop, step.id)) continue;
      const known = labels.get(step.id);
      if (known === undefined) labels.set(step.id, step.label);
      else if (known !== null && (known.id !== step.label.id || known.en !== step.label.en)) labels.set(step.id, null);
    }
  }
  return new Map([...labels].filter((entry): entry is [string, Localized] => entry[1] !== null));
}

/**
 * A step's label wherever a step id is shown (citizens' status, staff status, logbook): the preset's
 * own; for a step it does not have (SOP_PRESET changed under open complaints) the label another
 * preset gives that id; else the id made readable ("catat-verifikasi" → "Catat verifikasi").
 */
export function stepLabel(sop: SopPreset, id: string): Localized {
  const own = stepById(sop, id)?.label ?? sop.formerStepLabels.get(id);
  if (own) return own;
  const words = id.replace(/[-_]+/g, " ").trim();
  const readable = words ? words.charAt(0).toUpperCase() + words.slice(1) : id;
  return { id: readable, en: readable };
}

/** The first step office staff do: a new complaint starts there (the citizen's own steps are done by then). */
export function firstStep(sop: SopPreset): SopStep {
  return sop.steps.find((s) => !roleById(sop, s.role)?.citizen) ?? sop.steps[0]!;
}

export function stepById(sop: SopPreset, id: string): SopStep | undefined {
  return sop.steps.find((s) => s.id === id);
}

export function roleById(sop: SopPreset, id: string): SopRole | undefined {
  return sop.roles.find((r) => r.id === id);
}

export function headRole(sop: SopPreset): SopRole {
  return sop.roles.find((r) => r.head)!;
}

/**
 * The preset roles a staff member acts in, from Staff.role: the role with that id, any role that
 * lists it in staffRoles, and — for "staf" (everyone in STAFF_TELEGRAM_IDS without a Staff row)
 * when no role lists it — the role of the first office step (the one that receives complaints).
 */
export function presetRolesOf(sop: SopPreset, staffRole: string): Set<string> {
  const roles = new Set(
    sop.roles.filter((r) => !r.citizen && !r.external && (r.id === staffRole || r.staffRoles.includes(staffRole))).map((r) => r.id),
  );
  if (roles.size === 0 && staffRole === "staf") roles.add(firstStep(sop).role);
  return roles;
}

/** When the step is due if it starts at `startedAt`: its time standard, counted in the preset's working time. */
export function dueAt(step: SopStep, startedAt: Date): Date {
  const wt = step.workingTime;
  const { unit, amount } = step.time;
  switch (unit) {
    case "minutes":
      return addWorkingMinutes(wt, startedAt, amount);
    case "hours":
      return addWorkingMinutes(wt, startedAt, amount * 60);
    case "days":
    case "maxDays":
      return wt.kind === "office"
        ? addWorkingMinutes(wt, startedAt, amount * workingDayMinutes(wt))
        : addCalendarDays(wt, startedAt, amount);
    case "months":
      return addWorkingMinutes(wt, addCalendarMonths(wt, startedAt, amount), 0);
  }
}

/** When the holder is warned: `percent` of the step's working time between start and due has passed. */
export function warnAt(step: SopStep, startedAt: Date, due: Date, percent: number): Date {
  const wt = step.workingTime;
  return addWorkingMinutes(wt, startedAt, (workingMinutesBetween(wt, startedAt, due) * percent) / 100);
}
