import { dueAt, firstStep, stepById, type SopPreset } from "../complaints/index.js";
import type { ReportComplaint, ReportEvent } from "./types.js";

/** A stretch of time a complaint spent in one SOP step. */
export interface StepSegment {
  step: string;
  start: Date;
  /** When it left the step (moved on, or the complaint was closed); null while it is still there. */
  end: Date | null;
  /**
   * When the step was due: the complaint's stepDueAt for its current step; for an earlier step the
   * stepDueAt its step-change event recorded (the lifecycle writes it), else the preset's dueAt.
   */
  due: Date | null;
  endedBy: "advanced" | "closed" | null;
}

/**
 * A step change is an event whose data names the step it moved to (`to`, or `toStep`) and that step
 * exists in the preset; `from`/`fromStep` is optional. Any event type qualifies ("sop.advanced",
 * "sop.decided", …): the lifecycle decides its own names, the data is what the reports read.
 */
export function stepChange(event: ReportEvent, sop: SopPreset): { from: string | null; to: string } | undefined {
  const to = typeof event.data.toStep === "string" ? event.data.toStep : typeof event.data.to === "string" ? event.data.to : undefined;
  if (!to || !stepById(sop, to)) return undefined;
  const from = typeof event.data.fromStep === "string" ? event.data.fromStep : typeof event.data.from === "string" ? event.data.from : null;
  return { from, to };
}

function dateIn(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The steps a complaint went through, in order, reconstructed from its events and its row. */
export function stepTimeline(complaint: ReportComplaint, sop: SopPreset): StepSegment[] {
  const changes = complaint.events
    .map((event) => ({ event, change: stepChange(event, sop) }))
    .filter((x): x is { event: ReportEvent; change: { from: string | null; to: string } } => x.change !== undefined)
    .sort((a, b) => a.event.at.getTime() - b.event.at.getTime());
  const closedAt = complaint.status === "closed" ? complaint.closedAt : null;
  // The preset's own rule (working time included) for a step whose due time was not recorded.
  const dueOf = (step: string, start: Date) => {
    const s = stepById(sop, step);
    return s ? dueAt(s, start) : null;
  };

  if (changes.length === 0) {
    return [
      {
        step: complaint.sopStep,
        start: complaint.stepStartedAt,
        end: closedAt,
        due: complaint.stepDueAt ?? dueOf(complaint.sopStep, complaint.stepStartedAt),
        endedBy: closedAt ? "closed" : null,
      },
    ];
  }

  const received = complaint.events.find((e) => e.type === "received")?.at ?? complaint.receivedAt;
  const segments: StepSegment[] = [];
  let step = changes[0]!.change.from ?? firstStep(sop).id;
  let start = received;
  for (const { event, change } of changes) {
    if (change.to === step) continue;
    // The lifecycle records the timing of the step it leaves (stepStartedAt, stepDueAt).
    const recordedStart = dateIn(event.data.stepStartedAt);
    const from = recordedStart && recordedStart.getTime() <= event.at.getTime() ? recordedStart : start;
    segments.push({ step, start: from, end: event.at, due: dateIn(event.data.stepDueAt) ?? dueOf(step, from), endedBy: "advanced" });
    step = change.to;
    start = event.at;
  }
  const current = step === complaint.sopStep;
  const lastStart = current && complaint.stepStartedAt.getTime() >= start.getTime() ? complaint.stepStartedAt : start;
  segments.push({
    step,
    start: lastStart,
    end: closedAt,
    due: (current ? complaint.stepDueAt : null) ?? dueOf(step, lastStart),
    endedBy: closedAt ? "closed" : null,
  });
  return segments;
}

/** The step a complaint was in at `at` (or the last one it reached before); undefined if it did not exist yet. */
export function segmentAt(segments: readonly StepSegment[], at: Date): StepSegment | undefined {
  let found: StepSegment | undefined;
  for (const s of segments) if (s.start.getTime() <= at.getTime()) found = s;
  return found;
}

/** Closed by `at`? A closed complaint without a closing time counts as closed. */
export function closedBy(complaint: ReportComplaint, at: Date): boolean {
  if (complaint.status !== "closed") return false;
  return complaint.closedAt === null || complaint.closedAt.getTime() <= at.getTime();
}
