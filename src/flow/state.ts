import type { Locale } from "../core/index.js";
import { emptyDraft } from "./draft.js";
import type { IntakeState } from "./types.js";

export function initialState(locale: Locale): IntakeState {
  return { step: "new", locale, draft: emptyDraft() };
}

/** The stored state as the flow works on it; stored as JSON, an old or hand-edited row may lack the attachment list. */
export function currentState(state: IntakeState | undefined, defaultLocale: Locale): IntakeState {
  return state ? { ...state, draft: { ...state.draft, attachmentIds: state.draft?.attachmentIds ?? [] } } : initialState(defaultLocale);
}
