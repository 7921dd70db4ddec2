import { assertNever } from "../core/index.js";
import { addressSkippable, contactSkippable } from "./draft.js";
import {
  ANONYMOUS_OPTION,
  CATEGORY_OPTION_KEYS,
  CLEAR_EVIDENCE_OPTION,
  DISPLAY_NAME_OPTION,
  DONE_OPTION,
  EDIT_OPTIONS,
  MENU_OPTIONS,
  RATING_OPTIONS,
  SKIP_OPTION,
} from "./options.js";
import { parseName } from "./parse-answer.js";
import { summaryReply } from "./summary.js";
import type { FlowContext, IntakeState, Reply } from "./types.js";

export const ratingQuestion = (ticket: string): Reply => ({
  key: "ask.rating",
  vars: { ticket },
  options: [...RATING_OPTIONS],
});

/** An information request is not an "aduan": every reply about it says so in its own words. */
export const filedSubject = (state: IntakeState): Reply => ({
  key: state.filedKind === "information" ? "followup.subject.information" : "followup.subject.complaint",
});

export const menuReply = (): Reply => ({ key: "menu", options: [...MENU_OPTIONS] });

function nameQuestion(ctx: FlowContext): Reply {
  // The channel's display name is offered as a one-tap answer, but only when it would be accepted.
  const displayName = ctx.displayName ? parseName(ctx.displayName) : undefined;
  return displayName
    ? { key: "ask.name", vars: { displayName }, options: [DISPLAY_NAME_OPTION, ANONYMOUS_OPTION] }
    : { key: "ask.name", options: [ANONYMOUS_OPTION] };
}

function contactQuestion(state: IntakeState, ctx: FlowContext): Reply {
  if (state.draft.anonymous && !ctx.canReachLater && !state.editing) return { key: "ask.contact.anonymous" };
  const key = ctx.knownPhone ? "ask.contact.email" : ctx.knownEmail ? "ask.contact.phone" : "ask.contact";
  if (!contactSkippable(state, ctx)) return { key, vars: { note: { key: "contact.note.required" } } };
  // While editing, "lewati" keeps what was given; otherwise it means "no contact".
  const note = state.editing ? "contact.note.keep" : "contact.note.skip";
  return { key, vars: { note: { key: note } }, options: [SKIP_OPTION] };
}

function addressQuestion(state: IntakeState, ctx: FlowContext): Reply {
  if (!addressSkippable(state, ctx)) return { key: "ask.address", vars: { note: { key: "address.note.required" } } };
  const note = state.editing ? "address.note.keep" : "address.note.skip";
  return { key: "ask.address", vars: { note: { key: note } }, options: [SKIP_OPTION] };
}

export function evidenceQuestion(state: IntakeState): Reply {
  const count = state.draft.attachmentIds.length;
  if (state.editing) return { key: "ask.evidence.edit", vars: { count }, options: [DONE_OPTION, CLEAR_EVIDENCE_OPTION] };
  if (count > 0) return { key: "evidence.received", vars: { count }, options: [DONE_OPTION] };
  return { key: "ask.evidence", options: [SKIP_OPTION] };
}

/** The current step's question, asked first or again (after a hint, help or a language switch). */
export function question(state: IntakeState, ctx: FlowContext): Reply[] {
  switch (state.step) {
    case "new":
    case "menu":
      return [menuReply()];
    case "askName":
      return [nameQuestion(ctx)];
    case "askContact":
      return [contactQuestion(state, ctx)];
    case "askAddress":
      return [addressQuestion(state, ctx)];
    case "askCategory":
      return [{ key: "ask.category", options: [...CATEGORY_OPTION_KEYS] }];
    case "askText":
      return [{ key: "ask.text" }];
    case "askEvidence":
      return [evidenceQuestion(state)];
    case "confirm":
      return [summaryReply(state.draft, ctx)];
    case "chooseEdit":
      return [{ key: "edit.ask", options: [...EDIT_OPTIONS] }];
    case "askStatusTicket":
      return [{ key: "ask.statusTicket" }];
    case "askInfo":
      return [{ key: "ask.info" }];
    case "filed":
      return state.filed ? [{ key: "filed.reminder", vars: { ticket: state.filed.ticket, subject: filedSubject(state) } }] : [menuReply()];
    case "askRating":
      return state.rating ? [ratingQuestion(state.rating.ticket)] : [menuReply()];
    case "askRatingComment":
      return state.rating ? [{ key: "ask.ratingComment", vars: { ticket: state.rating.ticket }, options: [SKIP_OPTION] }] : [menuReply()];
    default:
      return assertNever(state.step);
  }
}
