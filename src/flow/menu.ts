import { codeAfterTicket, findTicket } from "../core/index.js";
import { addAttachments, hasAnswers, nextMissingStep } from "./draft.js";
import { statusDone } from "./globals.js";
import { parseGlobal } from "./keywords.js";
import { checkText, looksLikeComplaint, TEXT_MAX_CHARS } from "./parse-answer.js";
import { parseMenuChoice } from "./parse-choice.js";
import { menuReply, question } from "./questions.js";
import { result } from "./result.js";
import type { Draft, FlowContext, IntakeState, StepResult } from "./types.js";

/** Menu `1`: a new complaint, or the one left half-way (its draft was kept). */
export function startComplaint(state: IntakeState, ctx: FlowContext): StepResult {
  const next: IntakeState = { ...state, step: nextMissingStep(state.draft, ctx), editing: undefined };
  const intro = hasAnswers(state.draft) ? "complaint.resume" : "complaint.start";
  return result(next, [{ key: intro }, ...question(next, ctx)]);
}

/** The complaint text arrived before its question: keep it, and ask what comes first instead. */
export function keepComplaintText(state: IntakeState, text: string, ctx: FlowContext): StepResult {
  const draft: Draft = { ...state.draft, text: text.trim() };
  const next: IntakeState = { ...state, draft, step: nextMissingStep(draft, ctx), editing: undefined };
  return result(next, [{ key: "text.kept" }, ...question(next, ctx)]);
}

export function menuAnswer(state: IntakeState, text: string, ctx: FlowContext): StepResult {
  switch (parseMenuChoice(text)) {
    case 1:
      return startComplaint(state, ctx);
    case 2:
      return result({ ...state, step: "askStatusTicket" }, [{ key: "ask.statusTicket" }]);
    case 3:
      return result({ ...state, step: "askInfo" }, [{ key: "ask.info" }]);
    case undefined:
      break;
  }
  if (!state.draft.text && looksLikeComplaint(text)) return keepComplaintText(state, text, ctx);
  return result({ ...state, step: "menu" }, [{ key: "menu.invalid" }, menuReply()]);
}

export function statusTicketAnswer(state: IntakeState, text: string): StepResult {
  const ticket = findTicket(text);
  if (!ticket) return result(state, [{ key: "status.invalid" }, { key: "ask.statusTicket" }]);
  const code = codeAfterTicket(text, ticket);
  return result({ ...state, step: "menu" }, [statusDone()], [{ type: "reportStatus", ticket, ...(code ? { code } : {}) }]);
}

/** An information request is filed like a complaint (seed 002 triage), with its own receipt. */
export function infoAnswer(state: IntakeState, text: string): StepResult {
  const check = checkText(text);
  if (check === "tooShort") return result(state, [{ key: "info.tooShort" }, { key: "ask.info" }]);
  if (check === "tooLong") {
    return result(state, [{ key: "text.tooLong", vars: { max: TEXT_MAX_CHARS } }, { key: "ask.info" }]);
  }
  const { name, email, phone } = state.draft;
  const request: Draft = {
    ...(name ? { name } : {}),
    anonymous: !name,
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    text: text.trim(),
    attachmentIds: [...state.draft.attachmentIds],
  };
  // A complaint left half-way stays resumable; only the files went with the request.
  const next: IntakeState = {
    ...state,
    step: "filed",
    draft: { ...state.draft, attachmentIds: [] },
    filed: undefined,
    filedKind: "information",
    editing: undefined,
    emailPending: undefined,
  };
  return result(next, [{ key: "receipt.information" }], [{ type: "createComplaint", kind: "information", draft: request }]);
}

/**
 * Any first message gets the greeting and the menu, except one that already is the complaint
 * (kept as its text) and the keywords that make sense straight away.
 */
export function firstMessage(state: IntakeState, text: string, files: readonly string[], ctx: FlowContext): StepResult {
  const cmd = parseGlobal(text);
  const draft = addAttachments(state.draft, files);
  const base: IntakeState = { ...state, draft, locale: cmd?.type === "locale" ? cmd.locale : state.locale };
  const greeting = { key: "greeting" };
  const count = draft.attachmentIds.length;

  if (cmd?.type === "status") {
    const code = cmd.code ? { code: cmd.code } : {};
    return result({ ...base, step: "menu" }, [greeting, menuReply()], [{ type: "reportStatus", ticket: cmd.ticket, ...code }]);
  }
  if (cmd?.type === "askStatus") return result({ ...base, step: "askStatusTicket" }, [greeting, { key: "ask.statusTicket" }]);
  if (cmd?.type === "help") return result({ ...base, step: "menu" }, [greeting, { key: "help" }, menuReply()]);
  if (!cmd && looksLikeComplaint(text)) {
    const kept = keepComplaintText(base, text, ctx);
    const ack = count > 0 ? [{ key: "file.kept", vars: { count } }] : [];
    return { ...kept, replies: [greeting, kept.replies[0]!, ...ack, ...kept.replies.slice(1)] };
  }
  // Files never reach this far (file-gate.ts: a first message that is not the complaint keeps none).
  const tooLong = !cmd && text.length > TEXT_MAX_CHARS ? [{ key: "text.tooLong", vars: { max: TEXT_MAX_CHARS } }] : [];
  return result({ ...base, step: "menu" }, [greeting, ...tooLong, menuReply()]);
}
