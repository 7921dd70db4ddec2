import { assertNever } from "../core/index.js";
import { emptyDraft, hasAnswers, hasContent } from "./draft.js";
import type { GlobalCommand } from "./keywords.js";
import { MENU_OPTIONS } from "./options.js";
import { menuReply, question } from "./questions.js";
import { result } from "./result.js";
import type { FlowContext, IntakeState, IntakeStep, Reply, StepResult } from "./types.js";

/**
 * Steps where something unfinished would be thrown away by `batal`. Every complaint question is
 * one: right after `1` the draft is still empty, yet the citizen was just told `batal` cancels.
 */
const UNFINISHED: ReadonlySet<IntakeStep> = new Set<IntakeStep>([
  "askName",
  "askContact",
  "askAddress",
  "askCategory",
  "askText",
  "askEvidence",
  "askStatusTicket",
  "askInfo",
  "askRating",
  "askRatingComment",
  "chooseEdit",
  "confirm",
]);

/** After a status report the menu is the natural next place; its options come along. */
export const statusDone = (): Reply => ({ key: "status.done", options: [...MENU_OPTIONS] });

/** The keywords that work at every step (the first message has its own handling). */
export function globalCommand(state: IntakeState, cmd: GlobalCommand, ctx: FlowContext): StepResult {
  switch (cmd.type) {
    case "menu": {
      // The draft stays: `1` from the menu resumes it.
      const next: IntakeState = { ...state, step: "menu", editing: undefined, rating: undefined };
      const paused = hasAnswers(state.draft) ? [{ key: "menu.draftPaused" }] : [];
      return result(next, [...paused, menuReply()]);
    }
    case "cancel": {
      const next: IntakeState = { step: "menu", locale: state.locale, draft: emptyDraft(), filed: state.filed, filedKind: state.filedKind };
      // After filing there is nothing to cancel; say plainly that the filed complaint still stands.
      if (state.step === "filed" && state.filed) {
        return result(next, [{ key: "cancel.filed", vars: { ticket: state.filed.ticket } }, menuReply()]);
      }
      const unfinished = hasContent(state.draft) || UNFINISHED.has(state.step);
      return result(next, [{ key: unfinished ? "cancel.done" : "cancel.nothing" }, menuReply()]);
    }
    case "help":
      return result(state, [{ key: "help" }, ...question(state, ctx)]);
    case "locale": {
      const next: IntakeState = { ...state, locale: cmd.locale };
      return result(next, [{ key: "locale.switched" }, ...question(next, ctx)]);
    }
    case "status": {
      const effects = [{ type: "reportStatus" as const, ticket: cmd.ticket, ...(cmd.code ? { code: cmd.code } : {}) }];
      if (state.step === "menu" || state.step === "askStatusTicket") {
        return result({ ...state, step: "menu" }, [statusDone()], effects);
      }
      return result(state, question(state, ctx), effects);
    }
    case "askStatus":
      return result({ ...state, step: "askStatusTicket", editing: undefined, rating: undefined }, [{ key: "ask.statusTicket" }]);
    default:
      return assertNever(cmd);
  }
}
