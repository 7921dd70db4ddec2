import type { Locale } from "../core/index.js";
import { emailFirstMessage } from "./email.js";
import { parseGlobal, type GlobalCommand } from "./keywords.js";
import { firstMessage, menuAnswer } from "./menu.js";
import { currentState } from "./state.js";
import type { FlowAttachment, FlowContext, FlowInput, IntakeState, IntakeStep } from "./types.js";

/** The contract's default: files per complaint (ATTACHMENT_MAX_FILES). */
export const DEFAULT_MAX_FILES = 10;

/**
 * Where files sent with this message would go:
 * - draft: the complaint (or information request) being written;
 * - complaint: a filed complaint of this conversation (its id), or the one this very message
 *   files (an e-mail that tells its story, no id yet);
 * - none: nothing is being written here (the menu, a status question, a keyword that leaves).
 */
export type FileDestination = { to: "draft" } | { to: "complaint"; complaintId?: string } | { to: "none" };

/** Steps of writing a complaint or an information request: files become its evidence. */
const WRITING: ReadonlySet<IntakeStep> = new Set<IntakeStep>([
  "askName",
  "askContact",
  "askAddress",
  "askCategory",
  "askText",
  "askEvidence",
  "confirm",
  "chooseEdit",
  "askInfo",
]);

/** Keywords that leave what is being written (the others answer and keep the step). */
const leaves = (command: GlobalCommand | undefined): boolean =>
  command?.type === "menu" || command?.type === "cancel" || command?.type === "askStatus";

/**
 * Evidence is kept only while a complaint is being written or as a follow-up to one filed in this
 * conversation (issue 13). At the menu, the message decides: "1" with a photo, or a photo whose
 * caption is the complaint, starts one; a photo alone does not. The pipeline asks this before
 * downloading anything, and the flow again when it steps, on the state it then finds.
 */
export function fileDestination(state: IntakeState, text: string, ctx: FlowContext): FileDestination {
  const command = parseGlobal(text);
  const none: FileDestination = { to: "none" };
  switch (state.step) {
    case "new":
      if (emailFirstMessage(state, text, [], ctx)) return { to: "complaint" };
      return WRITING.has(firstMessage(state, text, [], ctx).state.step) ? { to: "draft" } : none;
    case "menu":
      return !command && WRITING.has(menuAnswer(state, text, ctx).state.step) ? { to: "draft" } : none;
    case "askStatusTicket":
      return none;
    case "filed":
      return state.filed && !leaves(command) ? { to: "complaint", complaintId: state.filed.complaintId } : none;
    case "askRating":
    case "askRatingComment": {
      const ref = state.rating ?? state.filed;
      return ref && !leaves(command) ? { to: "complaint", complaintId: ref.complaintId } : none;
    }
    default:
      return leaves(command) ? none : { to: "draft" };
  }
}

/**
 * The files of a message after the step's rules: accepted ones that may not be kept here become
 * "notNow", those past ATTACHMENT_MAX_FILES for their complaint "tooMany". `step` applies this
 * itself; the pipeline calls it first to know which files to download and what to answer.
 */
export function admitFiles(state: IntakeState | undefined, input: FlowInput, ctx: FlowContext, defaultLocale: Locale): FlowAttachment[] {
  if (!input.attachments.some((a) => a.accepted)) return input.attachments;
  const place = fileRoom(state, input.text, ctx, defaultLocale);
  let room = place.room;
  return input.attachments.map((a): FlowAttachment => {
    if (!a.accepted) return a;
    const refused = (reason: "notNow" | "tooMany"): FlowAttachment => ({
      accepted: false,
      reason,
      ...(a.filename !== undefined ? { filename: a.filename } : {}),
    });
    if (place.destination.to === "none") return refused("notNow");
    if (room <= 0) return refused("tooMany");
    room -= 1;
    return a;
  });
}

/** Where this message's files would go, and how many more that place takes (ATTACHMENT_MAX_FILES). */
export function fileRoom(
  state: IntakeState | undefined,
  text: string,
  ctx: FlowContext,
  defaultLocale: Locale,
): { destination: FileDestination; room: number } {
  const current = currentState(state, defaultLocale);
  const destination = fileDestination(current, text.trim(), ctx);
  if (destination.to === "none") return { destination, room: 0 };
  const held = destination.to === "draft" ? current.draft.attachmentIds.length : destination.complaintId ? (ctx.filesOnComplaint ?? 0) : 0;
  return { destination, room: Math.max(0, (ctx.maxFiles ?? DEFAULT_MAX_FILES) - held) };
}
