import { cleanStaffMessage, type StaffAnswer, type StaffMessage, type StaffSink } from "../core/index.js";
import { complaintOfFeedMessage } from "../complaints/index.js";
import { render } from "../i18n/index.js";
import type { Reply } from "../flow/index.js";
import { alreadyDone, createStaffCommands, markDone, type StaffCommandDeps } from "./commands/index.js";
import { findStaff } from "./directory.js";
import { commandExample } from "./examples.js";
import { isComplaintIntent, type CommandIntent, type ComplaintKind } from "./intent.js";
import { parseStaffMessage } from "./parse.js";

/** Commands that may name their complaint by replying to its card (or to anything threaded under it). */
const THREADED: ReadonlySet<ComplaintKind> = new Set(["reply", "note", "advance", "assign", "decide", "forward", "archive"]);

/**
 * The Telegram front end of the staff commands: what is Telegram's stays here (the chat a message
 * came from, a reply's thread, a button's notice, the update id that makes a redelivery a no-op);
 * everything else is the command table's (src/staff/commands).
 */
export function createStaffConsole(deps: StaffCommandDeps): StaffSink {
  const { db, settings } = deps;
  const commands = createStaffCommands(deps);
  const clock = deps.clock ?? (() => new Date());
  const t = (reply: Reply) => render(deps.templates, settings.locale, reply, { office: settings.officeName }).text;
  const say = (reply: Reply): StaffAnswer => ({ messages: [{ text: t(reply) }] });

  /** The intent with its complaint's ticket, taken from the thread where the command does not name one. */
  async function withTicket(intent: CommandIntent, message: StaffMessage): Promise<CommandIntent | StaffAnswer> {
    if (!isComplaintIntent(intent) || intent.ticket) return intent;
    if (message.replyToMessageId && THREADED.has(intent.kind)) {
      const complaint = settings.opsChatId
        ? await complaintOfFeedMessage(db.prisma, { channel: settings.opsChannel, chatId: settings.opsChatId }, message.replyToMessageId)
        : undefined;
      return complaint ? { ...intent, ticket: complaint.ticket } : say({ key: "staff.replyNoTicket" });
    }
    return say({ key: "staff.needTicket", vars: { example: commandExample(intent.kind) } });
  }

  /** The answer, and whether the command table ran (and so marked the update done itself); undefined for chatter. */
  async function answer(message: StaffMessage, key: string): Promise<{ answer: StaffAnswer; ran: boolean } | undefined> {
    const intent = parseStaffMessage(message, settings.replyMode);
    if (intent.kind === "chatter") return undefined;
    const refusal = (reply: Reply) => ({ answer: say(reply), ran: false });
    const actor = await findStaff(db, settings.staffIds, message.from.id);
    if (!actor) {
      const name = message.from.name ?? message.from.username ?? message.from.id;
      return refusal({ key: "staff.notStaff", vars: { name, id: message.from.id } });
    }
    // Commands from anywhere but the staff group never act on complaints (identity is the one
    // that must be private).
    if (message.chatKind === "other" || (message.chatKind === "private" && intent.kind !== "identity" && intent.kind !== "help")) {
      return refusal({ key: "staff.wrongChat" });
    }
    if (intent.kind === "unknownCommand") return refusal({ key: "staff.unknownCommand" });
    const resolved = await withTicket(intent, message);
    if ("messages" in resolved) return { answer: resolved, ran: false };
    const result = await commands.run({
      actor,
      intent: resolved,
      files: message.attachments,
      privateView: message.chatKind === "private",
      place: message.chatId,
      once: key,
    });
    return { answer: { messages: result.messages }, ran: true };
  }

  return async (outside) => {
    // Staff text is outside text too: cleaned as the pipeline cleans citizens' (src/core/text.ts).
    const message = cleanStaffMessage(outside);
    const key = `staff:${message.updateId}`;
    // A redelivered update (restart, webhook retry) is answered by nothing: it was acted on once.
    if (await alreadyDone(db, key)) return { messages: [] };
    const answered = await answer(message, key);
    if (!answered) return { messages: [] }; // talk among staff: not ours, nothing to remember
    // A command marks its own key; an answer given here (a refusal) is marked now.
    if (!answered.ran) await markDone(db, key, clock());
    const result = answered.answer;
    if (message.callbackData) return { ...result, callbackNotice: result.messages[0]?.text.slice(0, 190) };
    return result;
  };
}
