import { addAttachments } from "./draft.js";
import type { Effect, IntakeState, Reply } from "./types.js";

export interface Absorbed {
  state: IntakeState;
  replies: Reply[];
  effects: Effect[];
}

/**
 * Accepted files are never dropped, whatever the step: while a complaint or request is being
 * written they become its evidence; once one is filed (or being rated) they are added to it; at
 * the menu they wait in the draft for the complaint the citizen may start next.
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
  switch (state.step) {
    case "askEvidence":
      // The evidence question itself acknowledges with the count; a second ack would repeat it.
      return { state: next, replies: [], effects: [] };
    case "new":
    case "menu":
    case "filed":
    case "askStatusTicket":
    case "askRating":
    case "askRatingComment":
      return { state: next, replies: [{ key: "file.keptForLater", vars: { count } }], effects: [] };
    default:
      return { state: next, replies: [{ key: "file.kept", vars: { count } }], effects: [] };
  }
}
