/**
 * Answer options (buttons) as template keys. Every label must be an answer the step itself accepts
 * when sent back verbatim: test/flow/options.test.ts renders each one and feeds it back.
 */
export { CATEGORY_OPTION_KEYS } from "./parse-category.js";

export const MENU_OPTIONS = ["option.menu.complaint", "option.menu.status", "option.menu.info"] as const;
export const ANONYMOUS_OPTION = "option.anonymous";
/** Label "{displayName}": the name the channel shows, offered as a one-tap answer. */
export const DISPLAY_NAME_OPTION = "option.displayName";
export const SKIP_OPTION = "option.skip";
export const DONE_OPTION = "option.done";
export const CLEAR_EVIDENCE_OPTION = "option.clearEvidence";
export const CONFIRM_OPTIONS = ["option.confirm.yes", "option.confirm.no", "option.cancel"] as const;
export const EDIT_OPTIONS = [
  "option.edit.name",
  "option.edit.contact",
  "option.edit.address",
  "option.edit.category",
  "option.edit.text",
  "option.edit.evidence",
  "option.back",
] as const;
export const RATING_OPTIONS = ["option.rating.1", "option.rating.2", "option.rating.3", "option.rating.4", "option.rating.5"] as const;
/** "Add this to your complaint?" after a message that may not be meant for it. */
export const FOLLOWUP_OPTIONS = ["option.followup.yes", "option.followup.no"] as const;
