import { randomUUID } from "node:crypto";
import { complaintByTicket, type ComplaintRow } from "../../complaints/index.js";
import { isComplaintIntent, type CommandKind } from "../intent.js";
import { commandExample } from "../examples.js";
import { advanceCommand } from "./advance.js";
import { archiveCommand } from "./archive.js";
import { assignCommand } from "./assign.js";
import { closeCommand } from "./close.js";
import { commandContext, type CommandContext } from "./context.js";
import { decideCommand } from "./decide.js";
import { forwardCommand } from "./forward.js";
import { helpCommand } from "./help.js";
import { historyCommand } from "./history.js";
import { identityCommand } from "./identity.js";
import { listCommand } from "./list.js";
import { noteCommand } from "./note.js";
import { overdueCommand } from "./overdue.js";
import { alreadyDone, claimOnce, lockConversation, markDone, takeWriteLock } from "./once.js";
import { replyCommand } from "./reply.js";
import { logbookCommand, recapCommand } from "./reports.js";
import { statusCommand } from "./status.js";
import { tellStaffGroup } from "./tell-group.js";
import type { Prepared, StaffCommand, StaffCommandDeps, StaffCommandTable, StaffRequest, StaffResult } from "./types.js";

/** Every staff command, keyed by the intent's kind. */
export const STAFF_COMMANDS: StaffCommandTable = {
  reply: replyCommand,
  note: noteCommand,
  close: closeCommand,
  status: statusCommand,
  history: historyCommand,
  identity: identityCommand,
  list: listCommand,
  help: helpCommand,
  advance: advanceCommand,
  assign: assignCommand,
  decide: decideCommand,
  forward: forwardCommand,
  archive: archiveCommand,
  overdue: overdueCommand,
  logbook: logbookCommand,
  recap: recapCommand,
};

/** The commands, bound to their deps: what each front end holds. */
export interface StaffCommands {
  readonly table: StaffCommandTable;
  /** Runs one request: authorisation, SOP rules, audit events and the citizen's messages happen here, for every front end. */
  run(request: StaffRequest): Promise<StaffResult>;
}

export function createStaffCommands(deps: StaffCommandDeps): StaffCommands {
  return { table: STAFF_COMMANDS, run: (request) => runStaffCommand(deps, request) };
}

async function runStaffCommand(deps: StaffCommandDeps, request: StaffRequest): Promise<StaffResult> {
  const locale = request.locale ?? deps.settings.locale;
  const command: StaffCommand<CommandKind> = STAFF_COMMANDS[request.intent.kind];
  if (!command.writes) {
    // A read: nothing to repeat or to lose, so no transaction; the key only keeps a redelivery quiet.
    if (request.once && (await alreadyDone(deps.db, request.once))) return { outcome: "duplicate", messages: [] };
    const ctx = commandContext(deps, request.actor, locale);
    const result = await dispatch(ctx, request);
    if (request.once) await markDone(deps.db, request.once, ctx.clock());
    return result;
  }
  const prepared = await prepare(deps, command, request);
  const clock = deps.clock ?? (() => new Date());
  // One action, one transaction: its key, its events, what the citizen is told (the pipeline's
  // step: messages, outbox rows, the conversation's state) and what the staff group is told commit
  // together. A crash before COMMIT leaves nothing, and the redelivered request does it all once;
  // after COMMIT the key answers the redelivery with nothing.
  const result = await deps.db.prisma.$transaction(
    async (tx): Promise<StaffResult> => {
      const sql = deps.db.sql.within(tx);
      if (request.once) {
        if (!(await claimOnce(sql, request.once, clock()))) return { outcome: "duplicate", messages: [] };
      } else {
        await takeWriteLock(sql);
      }
      const ctx = commandContext(deps, request.actor, locale, { tx, key: request.once ?? randomUUID() }, prepared);
      const done = await dispatch(ctx, request, (complaint) => lockConversation(sql, complaint.conversationId));
      if (request.actor.via === "web" && done.outcome === "done" && done.complaint && ctx.written.length > 0) {
        await tellStaffGroup(deps, ctx, done.complaint, tx);
      }
      return done;
    },
    // As the pipeline's batches: waiting for SQLite's lock behind another process can take a while.
    { maxWait: 30_000, timeout: 60_000 },
  );
  // Staff are told "done" (and the citizen's message leaves) only once the action is on disk.
  await deps.db.durable();
  if (result.outcome !== "duplicate") deps.voice.wake();
  return result;
}

/** What a write command makes ready before its transaction (a reply's files, downloaded and stored). */
async function prepare(deps: StaffCommandDeps, command: StaffCommand<CommandKind>, request: StaffRequest): Promise<Prepared> {
  const { intent } = request;
  if (command.scope !== "complaint" || !command.prepare || !isComplaintIntent(intent) || !intent.ticket) return { files: [] };
  const complaint = await complaintByTicket(deps.db.prisma, intent.ticket);
  return complaint ? command.prepare(deps, intent, complaint, request) : { files: [] };
}

async function dispatch(
  ctx: CommandContext,
  request: StaffRequest,
  beforeWriting?: (complaint: ComplaintRow) => Promise<void>,
): Promise<StaffResult> {
  const { intent } = request;
  // Each entry is typed for its own kind (the table's type ties entry, kind and scope together);
  // looked up by a kind that may be any, it is seen as a command for any intent.
  const command: StaffCommand<CommandKind> = STAFF_COMMANDS[intent.kind];
  if (command.scope === "office" || !isComplaintIntent(intent)) {
    if (command.scope === "complaint") throw new Error(`staff command "${intent.kind}" is listed as an office command`);
    return command.run(ctx, intent, request);
  }
  const ticket = intent.ticket;
  if (!ticket) return ctx.refuse(ctx.t({ key: "staff.needTicket", vars: { example: commandExample(intent.kind) } }));
  const found = await complaintByTicket(ctx.prisma, ticket);
  if (!found) return ctx.refuse(ctx.t({ key: "staff.unknownTicket", vars: { ticket } }));
  if (beforeWriting) await beforeWriting(found);
  // Read again once its conversation is locked: what the command decides on is what it changes.
  const complaint = beforeWriting ? ((await complaintByTicket(ctx.prisma, ticket)) ?? found) : found;
  const outcome = await command.run(ctx, intent, complaint, request);
  return { ...outcome, complaint: { id: complaint.id, ticket: complaint.ticket } };
}

export { commandContext, type CommandContext } from "./context.js";
export { alreadyDone, markDone } from "./once.js";
export { eventReply, type EventViewContext } from "./event-view.js";
export type * from "./types.js";
