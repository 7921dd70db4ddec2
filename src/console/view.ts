import { CATEGORIES } from "../core/index.js";
import {
  channelLabel,
  formatDateTime,
  holderReply,
  holderRoleOf,
  stepById,
  stepLabel,
  warnAt,
  type SopPreset,
  type StaffPerson,
} from "../complaints/index.js";
import { CATEGORY_KEYS } from "../flow/index.js";
import { html, type Html } from "./html.js";
import type { Texts } from "./texts.js";

/** Where a complaint stands against its step's time standard: what the inbox and the board colour. */
export type TimeState = "ok" | "warned" | "late" | "none";

const TIME_KEYS: Record<Exclude<TimeState, "none">, string> = {
  ok: "console.time.ok",
  warned: "console.time.warned",
  late: "console.time.late",
};

export function timeState(
  sop: SopPreset,
  c: { status: string; sopStep: string; stepStartedAt: Date; stepDueAt: Date | null },
  now: Date,
): TimeState {
  if (c.status === "closed" || !c.stepDueAt) return "none";
  if (now.getTime() >= c.stepDueAt.getTime()) return "late";
  const step = stepById(sop, c.sopStep);
  if (step && now.getTime() >= warnAt(step, c.stepStartedAt, c.stepDueAt, sop.warnAtPercent).getTime()) return "warned";
  return "ok";
}

export const categoryText = (t: Texts, category: string | null) =>
  category && (CATEGORIES as readonly string[]).includes(category)
    ? t(CATEGORY_KEYS[category as keyof typeof CATEGORY_KEYS])
    : (category ?? "-");

export const channelText = (t: Texts, channel: string) => t(channelLabel(channel).key);

export const stepText = (t: Texts, sop: SopPreset, step: string) => stepLabel(sop, step)[t.locale];

export const when = (t: Texts, timeZone: string, date: Date | null) => (date ? formatDateTime(date, t.locale, timeZone) : "-");

/** Who holds the complaint's step, named as the staff group names them. */
export function holderText(
  t: Texts,
  sop: SopPreset,
  people: readonly StaffPerson[],
  c: { sopStep: string; holderRole: string | null; holderStaff: string | null },
): string {
  const role = holderRoleOf(sop, c);
  if (!role) return "-";
  const reply = holderReply(sop, t.locale, people, role, c.holderStaff);
  return t(reply.key, reply.vars);
}

/** The due time with its state in words too (colour is never the only sign). */
export function dueCell(t: Texts, timeZone: string, due: Date | null, state: TimeState): Html {
  if (!due || state === "none") return html`<span class="due">-</span>`;
  return html`<span class="due due-${state}"
    >${when(t, timeZone, due)}${state === "ok" ? "" : html` <strong class="badge">${t(TIME_KEYS[state])}</strong>`}</span
  >`;
}

/** The first line of a long text, cut to `max` characters. */
export function excerpt(text: string, max = 120): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
