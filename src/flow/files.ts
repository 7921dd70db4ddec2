import { addAttachments } from "./draft.js";
import type { Effect, IntakeState, Reply } from "./types.js";

export interface Absorbed {
  state: IntakeState;
  replies: Reply[];
  effects: Effect[];
}

/**
 * Accepted files (admitFiles let through only those with a place to go): while a complaint or
 * request is being written they become its evidence; once one is filed (or being rated) they are
 * added to it. At the menu they come only with the message that starts the complaint ("1", or
 * the complaint itself as the caption), and join its draft.
 */
export function absorbFiles(state: IntakeState, ids: readonly string[]): Absorbed {
  if (ids.length === 0) return { state, replies: [], effects: [] };
  const ref = state.step === "askRating" || state.step === "askRatingComment" ? (state.rating ?? state.filed) : undefined;
  const filedRef = state.step === "filed" ? state.filed : ref;
  if (filedRef) {
    return {
      state,
      replies: [{ key: "followup.received", vars: { ticket: filedRef.ticket } }],
      effects: [{ type: "appendToComplaint", complaintId: filedRef.complaintId, text: "", attachmentIds: [...ids] }],
    };
  }
  const next = { ...state, draft: addAttachments(state.draft, ids) };
  const count = next.draft.attachmentIds.length;
  // The evidence question itself acknowledges with the count; a second ack would repeat it.
  if (state.step === "askEvidence") return { state: next, replies: [], effects: [] };
  return { state: next, replies: [{ key: "file.kept", vars: { count } }], effects: [] };
}
