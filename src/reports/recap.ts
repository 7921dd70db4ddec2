import { stepById, stepLabel, type SopPreset } from "../complaints/index.js";
import { CATEGORIES, CHANNEL_NAMES, isCategory, type Category } from "../core/index.js";
import { contentWords, frequentTerms, truncate, type TermCount } from "./frequent-problems.js";
import { closedBy, segmentAt, stepTimeline } from "./timeline.js";
import type { MonthRange } from "./time.js";
import type { ReportComplaint } from "./types.js";

export interface StepCompliance {
  step: string;
  label: string;
  role: string | null;
  /** The preset's time standard as written ("maxDays": 10), null for a step the preset no longer has. */
  standard: { unit: string; amount: number } | null;
  /** The same in nominal calendar minutes (a day = 1440), for sorting and display only. */
  standardMinutes: number | null;
  /** Complaints that were in this step at some time up to `asOf`. */
  entered: number;
  /** Left the step (moved on or closed) no later than it was due. */
  met: number;
  /** Left it after it was due, or still in it past due at `asOf`. */
  missed: number;
  /** The part of `missed` still sitting in the step at `asOf`. */
  missedStillOpen: number;
  /** Still in it at `asOf` and not yet due: not judged. */
  pending: number;
  /** No due time known: not judged. */
  unmeasured: number;
  /** met / (met + missed), 0–1, or null when none was judged. */
  rate: number | null;
}

export interface FrequentProblem {
  category: Category;
  count: number;
  terms: TermCount[];
  examples: { ticket: string; text: string }[];
}

export type SatisfactionLevel = "good" | "fair" | "low";

export interface Recap {
  month: string;
  office: string;
  timeZone: string;
  period: { start: string; end: string };
  /** Open, overdue, steps and compliance are as of this instant: the month's end, or now for the running month. */
  asOf: string;
  generatedAt: string;
  /** Everything received in the month: complaints and information requests. */
  total: number;
  complaints: number;
  informationRequests: number;
  /** The four categories of form FM-PDIP-03-01, all present; information requests have no category. */
  byCategory: Record<Category, number>;
  byChannel: Record<string, number>;
  /** The SOP step each record of the month was in at `asOf` (or when it was closed). */
  byStep: Record<string, number>;
  /** Received in the month and not closed at `asOf`. */
  open: number;
  /** Of `open`: its step was due before `asOf`. */
  overdue: number;
  /** Received before the month and still open at `asOf`: the backlog the month inherited. */
  backlog: { open: number; overdue: number };
  averageRating: number | null;
  ratingCount: number;
  ratingDistribution: Record<"1" | "2" | "3" | "4" | "5", number>;
  satisfactionLevel: SatisfactionLevel | null;
  frequentProblems: FrequentProblem[];
  timeStandard: {
    measured: string;
    asOf: string;
    steps: StepCompliance[];
    overall: { met: number; missed: number; pending: number; unmeasured: number; rate: number | null };
  };
  definitions: Record<string, string>;
}

export interface RecapInput {
  range: MonthRange;
  /** Received in the month, oldest first. */
  complaints: readonly ReportComplaint[];
  /** Received before the month and not closed by its start (the loader's choice; re-checked here at `asOf`). */
  earlier: readonly ReportComplaint[];
  sop: SopPreset;
  officeName: string;
  now: Date;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export const TIME_STANDARD_MEASURED =
  "For every SOP step a record received in the month was in up to asOf: met = it left the step (moved to another step, or was closed) " +
  "no later than the step was due; missed = it left the step after it was due, or was still in it at asOf past its due time; " +
  "pending = still in it at asOf and not yet due (not judged). Due times are those the lifecycle set, in the preset's working time: " +
  "the complaint's stepDueAt for its current step, and for earlier steps the stepDueAt recorded on the step-change event that left them " +
  "(else the preset's rule applied to the step's start). Step changes are read from events whose data names the new step (to); " +
  "a complaint without any is judged on its current step alone, from stepStartedAt to closedAt. A step left after asOf counts as " +
  "still in it at asOf, so the recap of a past month does not change when made again later. rate = met / (met + missed).";

export function satisfactionLevel(average: number | null): SatisfactionLevel | null {
  if (average === null) return null;
  return average >= 4 ? "good" : average >= 3 ? "fair" : "low";
}

function overdueAt(c: ReportComplaint, sop: SopPreset, asOf: Date): boolean {
  const segment = segmentAt(stepTimeline(c, sop), asOf);
  const due = segment?.due ?? c.stepDueAt;
  return due !== null && due.getTime() < asOf.getTime();
}

/** The month's numbers, from data only: no database, no clock but `now`. */
export function buildRecap(input: RecapInput): Recap {
  const { range, complaints, sop } = input;
  const asOf = new Date(Math.min(range.end.getTime(), input.now.getTime()));
  const inMonth = complaints.filter((c) => c.receivedAt >= range.start && c.receivedAt < range.end);

  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const c of inMonth) {
    if (c.category === null) continue;
    byCategory[isCategory(c.category) ? c.category : "Lain-lain"]++;
  }
  const byChannel: Record<string, number> = Object.fromEntries(CHANNEL_NAMES.map((n) => [n, 0]));
  for (const c of inMonth) byChannel[c.channel] = (byChannel[c.channel] ?? 0) + 1;

  const byStep: Record<string, number> = Object.fromEntries(sop.steps.map((s) => [s.id, 0]));
  const compliance = new Map<string, StepCompliance>();
  const entry = (step: string): StepCompliance => {
    let e = compliance.get(step);
    if (!e) {
      const s = stepById(sop, step);
      e = {
        step,
        label: stepLabel(sop, step).id,
        role: s?.role ?? null,
        standard: s ? { unit: s.time.unit, amount: s.time.amount } : null,
        standardMinutes: s?.minutes ?? null,
        entered: 0,
        met: 0,
        missed: 0,
        missedStillOpen: 0,
        pending: 0,
        unmeasured: 0,
        rate: null,
      };
      compliance.set(step, e);
    }
    return e;
  };
  for (const s of sop.steps) entry(s.id);

  let open = 0;
  let overdue = 0;
  for (const c of inMonth) {
    const segments = stepTimeline(c, sop);
    const current = segmentAt(segments, asOf) ?? segments[0]!;
    byStep[current.step] = (byStep[current.step] ?? 0) + 1;
    if (!closedBy(c, asOf)) {
      open++;
      if (overdueAt(c, sop, asOf)) overdue++;
    }
    for (const s of segments) {
      if (s.start.getTime() > asOf.getTime()) continue;
      const e = entry(s.step);
      e.entered++;
      const left = s.end !== null && s.end.getTime() <= asOf.getTime();
      if (!s.due) e.unmeasured++;
      else if (left && s.end!.getTime() <= s.due.getTime()) e.met++;
      else if (left) e.missed++;
      else if (s.due.getTime() < asOf.getTime()) {
        e.missed++;
        e.missedStillOpen++;
      } else e.pending++;
    }
  }
  const steps = [...compliance.values()].map((e) => ({ ...e, rate: e.met + e.missed > 0 ? round(e.met / (e.met + e.missed), 4) : null }));
  const sum = (k: "met" | "missed" | "pending" | "unmeasured") => steps.reduce((n, s) => n + s[k], 0);
  const overall = {
    met: sum("met"),
    missed: sum("missed"),
    pending: sum("pending"),
    unmeasured: sum("unmeasured"),
    rate: null as number | null,
  };
  overall.rate = overall.met + overall.missed > 0 ? round(overall.met / (overall.met + overall.missed), 4) : null;

  const earlierOpen = input.earlier.filter((c) => c.receivedAt < range.start && !closedBy(c, asOf));
  const ratings = inMonth.map((c) => c.rating).filter((r): r is number => r !== null && r >= 1 && r <= 5);
  const averageRating = ratings.length > 0 ? round(ratings.reduce((a, b) => a + b, 0) / ratings.length, 2) : null;
  const ratingDistribution = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  for (const r of ratings) ratingDistribution[String(Math.round(r)) as keyof typeof ratingDistribution]++;

  const frequentProblems = CATEGORIES.map((category): FrequentProblem => {
    const group = inMonth.filter(
      (c) =>
        c.kind === "complaint" && (c.category === category || (category === "Lain-lain" && c.category !== null && !isCategory(c.category))),
    );
    const terms = frequentTerms(group.map((c) => c.text));
    // Examples: those that show the most frequent terms first, then the rest in order of arrival.
    const score = (text: string) => {
      const words = ` ${contentWords(text)
        .map((s) => s.join(" "))
        .join(" | ")} `;
      return terms.reduce((n, t, i) => n + (words.includes(` ${t.term} `) ? terms.length - i : 0), 0);
    };
    const examples = [...group]
      .sort((a, b) => score(b.text) - score(a.text))
      .slice(0, 3)
      .map((c) => ({ ticket: c.ticket, text: truncate(c.text) }));
    return { category, count: group.length, terms, examples };
  });

  return {
    month: range.month,
    office: input.officeName,
    timeZone: range.timeZone,
    period: { start: range.start.toISOString(), end: range.end.toISOString() },
    asOf: asOf.toISOString(),
    generatedAt: input.now.toISOString(),
    total: inMonth.length,
    complaints: inMonth.filter((c) => c.kind !== "information").length,
    informationRequests: inMonth.filter((c) => c.kind === "information").length,
    byCategory,
    byChannel,
    byStep,
    open,
    overdue,
    backlog: { open: earlierOpen.length, overdue: earlierOpen.filter((c) => overdueAt(c, sop, asOf)).length },
    averageRating,
    ratingCount: ratings.length,
    ratingDistribution,
    satisfactionLevel: satisfactionLevel(averageRating),
    frequentProblems,
    timeStandard: { measured: TIME_STANDARD_MEASURED, asOf: asOf.toISOString(), steps, overall },
    definitions: {
      total: "complaints and information requests received in the month (receivedAt in [period.start, period.end), office time zone)",
      byCategory: "complaints per category of form FM-PDIP-03-01; information requests have none",
      byChannel: "records per channel they arrived on",
      byStep: "records per SOP step they were in at asOf (a closed one: the step it was closed in)",
      open: "records received in the month not closed at asOf",
      overdue: "of open: the step they were in at asOf was due before asOf",
      backlog: "records received before the month still open at asOf, and of those the overdue ones",
      averageRating: "mean of the 1–5 ratings given so far to records received in the month; null when none",
      satisfactionLevel: "good ≥ 4, fair ≥ 3, low < 3",
      frequentProblems:
        "per category: complaints, the words and two-word phrases found in most of their texts (stop words removed), up to 3 examples",
    },
  };
}
