import { isSkip } from "./keywords.js";
import { SKIP_OPTION } from "./options.js";
import { parseRating } from "./parse-choice.js";
import { ratingQuestion } from "./questions.js";
import { result } from "./result.js";
import type { FiledRef, IntakeState, StepResult } from "./types.js";

/** Staff closed a complaint: ask its complainant for a 1–5 rating (the staff console calls this). */
export function startRating(state: IntakeState, ref: FiledRef): StepResult {
  const rating: FiledRef = { complaintId: ref.complaintId, ticket: ref.ticket };
  const next: IntakeState = { ...state, step: "askRating", rating, editing: undefined, emailPending: undefined };
  return result(next, [ratingQuestion(ref.ticket)]);
}

export function ratingAnswer(state: IntakeState & { rating: FiledRef }, text: string): StepResult {
  const score = parseRating(text);
  if (score === undefined) return result(state, [{ key: "rating.invalid" }, ratingQuestion(state.rating.ticket)]);
  const next: IntakeState = { ...state, step: "askRatingComment", rating: { ...state.rating, score } };
  return result(next, [{ key: "ask.ratingComment", vars: { ticket: state.rating.ticket }, options: [SKIP_OPTION] }]);
}

export function ratingCommentAnswer(state: IntakeState & { rating: FiledRef & { score: number } }, text: string): StepResult {
  const { complaintId, ticket, score } = state.rating;
  const comment = isSkip(text) ? undefined : text.trim();
  // Further messages go to the rated complaint, like any follow-up after filing.
  const next: IntakeState = { ...state, step: "filed", filed: { complaintId, ticket }, filedKind: undefined, rating: undefined };
  return result(
    next,
    [{ key: "rating.thanks", vars: { ticket } }],
    [{ type: "storeRating", complaintId, score, ...(comment ? { comment } : {}) }],
  );
}
