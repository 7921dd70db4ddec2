import { channelLabel, stepLabel, type SopPreset } from "../../complaints/index.js";
import type { Locale } from "../../core/index.js";
import type { Reply } from "../../flow/index.js";

/** An event's data is parsed JSON: a string or a number is shown as it is, anything else as the fallback. */
const shown = (value: unknown, fallback = "-") => (typeof value === "string" || typeof value === "number" ? String(value) : fallback);

/** What an event view needs besides the event. */
export interface EventViewContext {
  sop: SopPreset;
  locale: Locale;
  /** The complaint's channel, for a "received" event that does not name one. */
  complaintChannel: string;
}

interface EventFields {
  data: Record<string, unknown>;
  /** Who did it: data.by, else the event's actor. */
  who: string;
  /** data.text, or "". */
  text: string;
  stepName(id: unknown): string;
  note(): string;
}

/** How each event type reads in a complaint's history (and in the staff group's notice of a web action). */
const EVENT_VIEWS: Readonly<Record<string, (e: EventFields, view: EventViewContext) => Reply>> = {
  received: (e, view) => ({ key: "staff.event.received", vars: { channel: channelLabel(shown(e.data.channel, view.complaintChannel)) } }),
  "citizen.followup": (e) => ({ key: "staff.event.followup", vars: { text: e.text } }),
  "staff.reply": (e) => ({ key: "staff.event.reply", vars: { who: e.who, text: e.text } }),
  "staff.note": (e) => ({ key: "staff.event.note", vars: { who: e.who, text: e.text } }),
  "staff.close": (e) => ({ key: "staff.event.closed", vars: { who: e.who } }),
  rated: (e) => ({ key: "staff.event.rated", vars: { score: shown(e.data.score) } }),
  "staff.identity": (e) => ({ key: "staff.event.identity", vars: { who: e.who } }),
  "sop.advance": (e) => ({
    key: "staff.event.sopAdvance",
    vars: { who: e.who, from: e.stepName(e.data.from), to: e.stepName(e.data.to), note: e.note() },
  }),
  "sop.decided": (e) => ({
    key: "staff.event.sopDecided",
    vars: {
      who: e.who,
      decision: { key: e.data.decision === "reject" ? "staff.sop.decision.reject" : "staff.sop.decision.approve" },
      to: e.stepName(e.data.to),
      note: e.note(),
    },
  }),
  "sop.assign": (e) => ({
    key: "staff.event.sopAssign",
    vars: { who: e.who, target: shown(e.data.staffName ?? e.data.staff ?? e.data.role) },
  }),
  "sop.forward": (e) => ({ key: "staff.event.sopForward", vars: { who: e.who, agency: shown(e.data.agency) } }),
  "sop.archive": (e) => ({ key: "staff.event.sopArchive", vars: { who: e.who } }),
  "sop.warned": (e) => ({ key: "staff.event.sopWarned", vars: { step: e.stepName(e.data.step) } }),
  "sop.escalated": (e) => ({ key: "staff.event.sopEscalated", vars: { step: e.stepName(e.data.step) } }),
  "sop.denied": (e) => ({ key: "staff.event.sopDenied", vars: { who: e.who } }),
};

/** One event as a reply: its template and values (unknown types show their type). */
export function eventReply(event: { type: string; actor: string; data: Record<string, unknown> }, view: EventViewContext): Reply {
  const data = event.data;
  const fields: EventFields = {
    data,
    who: shown(data.by, event.actor),
    text: shown(data.text, ""),
    stepName: (id) => (typeof id === "string" && id !== "" ? stepLabel(view.sop, id)[view.locale] : shown(id)),
    note: () => (data.note ? `: ${shown(data.note, "")}` : ""),
  };
  const viewOf = EVENT_VIEWS[event.type];
  return viewOf ? viewOf(fields, view) : { key: "staff.event.other", vars: { type: event.type } };
}
