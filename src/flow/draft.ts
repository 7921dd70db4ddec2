import type { Draft, FlowContext, IntakeState, IntakeStep } from "./types.js";

export function emptyDraft(): Draft {
  return { attachmentIds: [] };
}

/** An answer the citizen already gave: worth a "we continue where you left off". */
export function hasAnswers(draft: Draft): boolean {
  return Boolean(draft.name || draft.anonymous || draft.email || draft.phone || draft.address || draft.category || draft.text);
}

/** Anything `batal` would throw away, files included. */
export const hasContent = (draft: Draft): boolean => hasAnswers(draft) || draft.attachmentIds.length > 0;

/** Skipping a contact or address only makes sense when the channel itself can answer later. */
export const skipAllowed = (ctx: FlowContext): boolean => ctx.canReachLater;

/** While editing, "lewati" keeps what was given, so it is fine whenever something was given. */
export function contactSkippable(state: IntakeState, ctx: FlowContext): boolean {
  return skipAllowed(ctx) || Boolean(state.editing && (state.draft.email || state.draft.phone));
}

export function addressSkippable(state: IntakeState, ctx: FlowContext): boolean {
  return skipAllowed(ctx) || Boolean(state.editing && state.draft.address);
}

export function contactNeeded(draft: Draft, ctx: FlowContext): boolean {
  if (ctx.knownPhone && ctx.knownEmail) return false;
  // Anonymous means no identity collected; only a channel that cannot answer by itself needs a way back.
  if (draft.anonymous && ctx.canReachLater) return false;
  return !draft.contactAsked;
}

/** An address identifies a person, so an anonymous complaint never asks for one. */
export const addressNeeded = (draft: Draft): boolean => !draft.anonymous && !draft.addressAsked;

/**
 * The first question the draft has no answer to, in the contract's order. Deriving the step from
 * the draft (instead of a fixed "next") is what lets `menu` → `1` resume, skips the text question
 * when the first message was the complaint, and brings an edit back to the summary.
 */
export function nextMissingStep(draft: Draft, ctx: FlowContext): IntakeStep {
  if (!draft.name && !draft.anonymous) return "askName";
  if (contactNeeded(draft, ctx)) return "askContact";
  if (addressNeeded(draft)) return "askAddress";
  if (!draft.category) return "askCategory";
  if (!draft.text) return "askText";
  if (!draft.evidenceAsked) return "askEvidence";
  return "confirm";
}

export function addAttachments(draft: Draft, ids: readonly string[]): Draft {
  if (ids.length === 0) return draft;
  const known = new Set(draft.attachmentIds);
  return { ...draft, attachmentIds: [...draft.attachmentIds, ...ids.filter((id) => !known.has(id))] };
}
