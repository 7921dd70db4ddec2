import type { Locale } from "../core/index.js";
import { sortAttachments } from "./attachments.js";
import { emailCorrection, emailFirstMessage } from "./email.js";
import { admitFiles } from "./file-gate.js";
import { absorbFiles } from "./files.js";
import { followUp } from "./follow-up.js";
import { globalCommand } from "./globals.js";
import { intakeAnswer } from "./intake.js";
import { parseGlobal } from "./keywords.js";
import { firstMessage, infoAnswer, menuAnswer, statusTicketAnswer } from "./menu.js";
import { question } from "./questions.js";
import { ratingAnswer, ratingCommentAnswer } from "./rating.js";
import { after, result } from "./result.js";
import { currentState } from "./state.js";
import type { FlowContext, FlowInput, IntakeState, StepResult } from "./types.js";

/** The text answer at the current step; files of the same message were already absorbed. */
function answer(state: IntakeState, text: string, ctx: FlowContext, filesNow: number): StepResult {
  const { step, rating, filed } = state;
  switch (step) {
    case "new":
    case "menu":
      return menuAnswer(state, text, ctx);
    case "askStatusTicket":
      return statusTicketAnswer(state, text);
    case "askInfo":
      return infoAnswer(state, text);
    case "filed":
      return filed ? followUp({ ...state, filed }, text, [], ctx) : menuAnswer(state, text, ctx);
    case "askRating":
      return rating ? ratingAnswer({ ...state, rating }, text) : menuAnswer(state, text, ctx);
    case "askRatingComment": {
      const score = rating?.score;
      if (rating && score !== undefined) return ratingCommentAnswer({ ...state, rating: { ...rating, score } }, text);
      // No score stored (an old row): take this message as the score.
      return rating ? ratingAnswer({ ...state, step: "askRating", rating }, text) : menuAnswer(state, text, ctx);
    }
    default:
      return intakeAnswer({ ...state, step }, text, ctx, filesNow);
  }
}

/**
 * One citizen message in, the next state, the replies (as template keys) and the effects out.
 * Pure: the pipeline stores the state, applies the effects and renders the replies.
 */
export function step(state: IntakeState | undefined, input: FlowInput, ctx: FlowContext, defaultLocale: Locale): StepResult {
  const stored = currentState(state, defaultLocale);
  // A message held for "add it to the complaint?" lives for one answer only, whatever comes next.
  const pending = stored.pendingFollowUp;
  const current: IntakeState = pending === undefined ? stored : { ...stored, pendingFollowUp: undefined };
  const text = input.text.trim();
  // Files are kept only where a complaint is being written or was filed, up to its file limit.
  const { accepted, declines } = sortAttachments(admitFiles(current, input, ctx, defaultLocale), ctx);
  const declined = { replies: declines, effects: [] };

  if (current.step === "new") {
    // E-mail: a first message that tells the story is filed at once (email.ts).
    const filed = emailFirstMessage(current, text, accepted, ctx);
    return after(declined, filed ?? firstMessage(current, text, accepted, ctx));
  }

  // A follow-up's files and words are one addition to the complaint, not two.
  const command = parseGlobal(text);
  if (!command && current.step === "filed" && current.filed && (text !== "" || accepted.length > 0)) {
    const filedState = { ...current, filed: current.filed };
    // E-mail: "2" or "Nama: Budi" right after the receipt answers it; anything else is a follow-up.
    const corrected = accepted.length === 0 ? emailCorrection(filedState, text) : undefined;
    return after(declined, corrected ?? followUp(filedState, text, accepted, ctx, pending));
  }

  const absorbed = absorbFiles(current, accepted);
  const first = { replies: [...declines, ...absorbed.replies], effects: absorbed.effects };
  if (command) return after(first, globalCommand(absorbed.state, command, ctx));
  if (text === "") {
    // Only files came (or only declined ones): nothing to answer, so the question stands.
    const stays = current.step === "filed" && current.filed && accepted.length === 0 && declines.length > 0;
    return after(first, result(absorbed.state, stays ? [] : question(absorbed.state, ctx)));
  }
  const answered = answer(absorbed.state, text, ctx, accepted.length);
  // A photo with its caption answering the text question lands on the evidence question, which
  // already counts the files: the separate "file kept" ack would say the same thing twice.
  if (answered.replies.some((r) => r.key === "evidence.received")) {
    first.replies = first.replies.filter((r) => r.key !== "file.kept");
  }
  return after(first, answered);
}
