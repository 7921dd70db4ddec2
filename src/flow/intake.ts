import { addressSkippable, contactSkippable, emptyDraft, nextMissingStep } from "./draft.js";
import { isAnonymous, isBack, isClear, isDone, isNo, isSkip, isYes, words } from "./keywords.js";
import { keepComplaintText } from "./menu.js";
import { checkText, looksLikeComplaint, parseAddress, parseName, TEXT_MAX_CHARS } from "./parse-answer.js";
import { parseCategory } from "./parse-category.js";
import { parseEditChoice, type EditField } from "./parse-choice.js";
import { parseContact } from "./parse-contact.js";
import { evidenceQuestion, question } from "./questions.js";
import { result } from "./result.js";
import type { Draft, FlowContext, IntakeState, IntakeStep, Reply, StepResult } from "./types.js";

/**
 * The new-complaint steps. Each answer either fills the draft and moves to the first question
 * still open, or re-asks with a hint and leaves the draft exactly as it was.
 */
export type IntakeAnswerStep = Extract<
  IntakeStep,
  "askName" | "askContact" | "askAddress" | "askCategory" | "askText" | "askEvidence" | "confirm" | "chooseEdit"
>;

/** Fill the draft, then ask the first open question; an edit lands back on the summary this way. */
function advance(state: IntakeState, draft: Draft, ctx: FlowContext, first: Reply[] = []): StepResult {
  const step = nextMissingStep(draft, ctx);
  const next: IntakeState = { ...state, draft, step, editing: step === "confirm" ? undefined : state.editing };
  return result(next, [...first, ...question(next, ctx)]);
}

/** Re-ask with a hint; the state (and so every answer already given) is returned untouched. */
function retry(state: IntakeState, ctx: FlowContext, hint: Reply): StepResult {
  return result(state, [hint, ...question(state, ctx)]);
}

/** A story typed where a short answer was expected is the complaint text: keep it, ask again. */
function keptOr(state: IntakeState, text: string, ctx: FlowContext, hint: Reply): StepResult {
  if (!state.draft.text && looksLikeComplaint(text)) {
    const kept = keepComplaintText(state, text, ctx);
    return { ...kept, state: { ...kept.state, step: state.step, editing: state.editing } };
  }
  return retry(state, ctx, hint);
}

function nameAnswer(state: IntakeState, text: string, ctx: FlowContext): StepResult {
  if (isAnonymous(text)) {
    // Anonymous means no identity kept: an earlier name, address (and contact, when the channel
    // can answer by itself) go, so the summary shows exactly what will be stored.
    const draft: Draft = { ...state.draft, anonymous: true, name: undefined, address: undefined, addressAsked: undefined };
    if (ctx.canReachLater) Object.assign(draft, { email: undefined, phone: undefined, contactAsked: undefined });
    return advance(state, draft, ctx);
  }
  // "lewati", "ya", "selesai" are answers to other questions, never a name.
  const keyword = isDone(text) || (words(text).length === 1 && (isYes(text) || isNo(text)));
  const name = keyword ? undefined : parseName(text);
  if (name) return advance(state, { ...state.draft, name, anonymous: false }, ctx);
  return keptOr(state, text, ctx, { key: "name.invalid" });
}

function contactAnswer(state: IntakeState, text: string, ctx: FlowContext): StepResult {
  if (isSkip(text)) {
    if (!contactSkippable(state, ctx)) return retry(state, ctx, { key: "contact.required" });
    return advance(state, { ...state.draft, contactAsked: true }, ctx);
  }
  const parsed = parseContact(text);
  // The usable part of a half-right answer is kept even while the rest is asked again.
  const draft: Draft = {
    ...state.draft,
    ...(parsed.email ? { email: parsed.email } : {}),
    ...(parsed.phone ? { phone: parsed.phone } : {}),
  };
  const kept = { ...state, draft };
  if (parsed.badPhone) return retry(kept, ctx, { key: "contact.phoneInvalid", vars: { value: parsed.badPhone } });
  if (parsed.badEmail) return retry(kept, ctx, { key: "contact.emailInvalid", vars: { value: parsed.badEmail } });
  if (parsed.email || parsed.phone) return advance(state, { ...draft, contactAsked: true }, ctx);
  return keptOr(state, text, ctx, { key: "contact.invalid" });
}

function addressAnswer(state: IntakeState, text: string, ctx: FlowContext): StepResult {
  if (isSkip(text)) {
    if (!addressSkippable(state, ctx)) return retry(state, ctx, { key: "address.required" });
    return advance(state, { ...state.draft, addressAsked: true }, ctx);
  }
  const address = parseAddress(text);
  if (address) return advance(state, { ...state.draft, address, addressAsked: true }, ctx);
  return retry(state, ctx, { key: "address.invalid" });
}

function categoryAnswer(state: IntakeState, text: string, ctx: FlowContext): StepResult {
  const category = parseCategory(text);
  if (category) return advance(state, { ...state.draft, category }, ctx);
  return keptOr(state, text, ctx, { key: "category.invalid" });
}

function textAnswer(state: IntakeState, text: string, ctx: FlowContext): StepResult {
  const check = checkText(text);
  if (check === "tooShort") return retry(state, ctx, { key: "text.tooShort" });
  if (check === "tooLong") return retry(state, ctx, { key: "text.tooLong", vars: { max: TEXT_MAX_CHARS } });
  return advance(state, { ...state.draft, text: text.trim() }, ctx);
}

function evidenceAnswer(state: IntakeState, text: string, ctx: FlowContext, filesNow: number): StepResult {
  if (isDone(text)) return advance(state, { ...state.draft, evidenceAsked: true }, ctx);
  if (state.editing && isClear(text)) {
    const next = { ...state, draft: { ...state.draft, attachmentIds: [] } };
    return result(next, [{ key: "evidence.cleared" }, evidenceQuestion(next)]);
  }
  // Words written at the evidence step describe the complaint further: they join its text.
  if (checkText(text) === "ok") {
    const combined = state.draft.text ? `${state.draft.text}\n\n${text.trim()}` : text.trim();
    if (combined.length > TEXT_MAX_CHARS) return retry(state, ctx, { key: "text.tooLong", vars: { max: TEXT_MAX_CHARS } });
    const next = { ...state, draft: { ...state.draft, text: combined } };
    return result(next, [{ key: "evidence.textAdded" }, evidenceQuestion(next)]);
  }
  // A short caption on a photo ("foto loket") is not a question to answer: acknowledge the file.
  if (filesNow > 0) return result(state, [evidenceQuestion(state)]);
  return retry(state, ctx, { key: "evidence.hint" });
}

function confirmAnswer(state: IntakeState, text: string, ctx: FlowContext): StepResult {
  if (isYes(text)) {
    // A draft changed by the context (or an old stored state) is completed before it is filed.
    if (nextMissingStep(state.draft, ctx) !== "confirm") return advance(state, state.draft, ctx);
    const next: IntakeState = {
      step: "filed",
      locale: state.locale,
      draft: emptyDraft(),
      // The pipeline sets the new complaint here; the old reference must not receive follow-ups.
      filed: undefined,
    };
    return result(next, [{ key: "receipt.complaint" }], [{ type: "createComplaint", kind: "complaint", draft: state.draft }]);
  }
  if (isNo(text)) return result({ ...state, step: "chooseEdit" }, question({ ...state, step: "chooseEdit" }, ctx));
  return retry(state, ctx, { key: "confirm.invalid" });
}

const EDIT_STEPS: Record<EditField, IntakeStep> = {
  name: "askName",
  contact: "askContact",
  address: "askAddress",
  category: "askCategory",
  text: "askText",
  evidence: "askEvidence",
};

function chooseEditAnswer(state: IntakeState, text: string, ctx: FlowContext): StepResult {
  if (isBack(text) || isYes(text)) {
    const next: IntakeState = { ...state, step: "confirm", editing: undefined };
    return result(next, question(next, ctx));
  }
  const field = parseEditChoice(text);
  if (!field) return retry(state, ctx, { key: "edit.invalid" });
  const next: IntakeState = { ...state, step: EDIT_STEPS[field], editing: true };
  return result(next, question(next, ctx));
}

export function intakeAnswer(
  state: IntakeState & { step: IntakeAnswerStep },
  text: string,
  ctx: FlowContext,
  filesNow: number,
): StepResult {
  switch (state.step) {
    case "askName":
      return nameAnswer(state, text, ctx);
    case "askContact":
      return contactAnswer(state, text, ctx);
    case "askAddress":
      return addressAnswer(state, text, ctx);
    case "askCategory":
      return categoryAnswer(state, text, ctx);
    case "askText":
      return textAnswer(state, text, ctx);
    case "askEvidence":
      return evidenceAnswer(state, text, ctx, filesNow);
    case "confirm":
      return confirmAnswer(state, text, ctx);
    case "chooseEdit":
      return chooseEditAnswer(state, text, ctx);
  }
}
