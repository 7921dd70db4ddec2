import { followUpIntent } from "./followup-intent.js";
import { isNo, isYes } from "./keywords.js";
import { menuAnswer } from "./menu.js";
import { FOLLOWUP_OPTIONS } from "./options.js";
import { filedSubject } from "./questions.js";
import { result } from "./result.js";
import type { FiledRef, FlowContext, IntakeState, StepResult } from "./types.js";

type FiledState = IntakeState & { filed: FiledRef };

function append(state: FiledState, text: string, files: readonly string[]): StepResult {
  const { complaintId, ticket } = state.filed;
  const key = state.filedKind === "information" ? "followup.received.information" : "followup.received";
  return result(state, [{ key, vars: { ticket } }], [{ type: "appendToComplaint", complaintId, text, attachmentIds: [...files] }]);
}

/**
 * After filing, what the citizen sends may belong to that complaint (CONTRACT: follow-ups). Files
 * and clear sentences do; greetings, thanks and menu picks are answered as such; anything else
 * ("ya", "asdfghjkl", an emoji) is asked about first, so staff never receive noise as evidence.
 * E-mail keeps adding everything: a reply to the receipt is a deliberate message about it.
 */
export function followUp(state: FiledState, text: string, files: readonly string[], ctx: FlowContext, pending?: string): StepResult {
  if (files.length > 0 || ctx.channel === "email") return append(state, text, files);
  const { ticket } = state.filed;
  if (pending !== undefined) {
    if (isYes(text)) return append(state, pending, []);
    if (isNo(text)) return result(state, [{ key: "followup.notAdded", vars: { ticket, subject: filedSubject(state) } }]);
  }
  switch (followUpIntent(text)) {
    case "greeting":
      return result(state, [{ key: "followup.greeting", vars: { ticket, subject: filedSubject(state) } }]);
    case "thanks":
      return result(state, [{ key: "followup.thanks", vars: { ticket, subject: filedSubject(state) } }]);
    case "menu":
      return menuAnswer({ ...state, step: "menu" }, text, ctx);
    case "addition":
      return append(state, text, []);
    case "unclear":
      return result({ ...state, pendingFollowUp: text }, [
        { key: "followup.confirm", vars: { ticket, subject: filedSubject(state) }, options: [...FOLLOWUP_OPTIONS] },
      ]);
  }
}
