import { complaintByTicket } from "../../complaints/index.js";
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
import { alreadyDone, markDone } from "./once.js";
import { replyCommand } from "./reply.js";
import { logbookCommand, recapCommand } from "./reports.js";
import { statusCommand } from "./status.js";
import { tellStaffGroup } from "./tell-group.js";
import type { StaffCommand, StaffCommandDeps, StaffCommandTable, StaffRequest, StaffResult } from "./types.js";

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
  if (request.once && (await alreadyDone(deps.db, request.once))) return { outcome: "duplicate", messages: [] };
  const ctx = commandContext(deps, request.actor, request.locale ?? deps.settings.locale);
  const result = await dispatch(ctx, request);
  if (request.once) await markDone(deps.db, request.once, ctx.clock());
  if (request.actor.via === "web" && result.outcome === "done" && result.complaint && ctx.written.length > 0) {
    await tellStaffGroup(deps, ctx, result.complaint);
  }
  return result;
}

async function dispatch(ctx: CommandContext, request: StaffRequest): Promise<StaffResult> {
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
  const complaint = await complaintByTicket(ctx.deps.db.prisma, ticket);
  if (!complaint) return ctx.refuse(ctx.t({ key: "staff.unknownTicket", vars: { ticket } }));
  const outcome = await command.run(ctx, intent, complaint, request);
  return { ...outcome, complaint: { id: complaint.id, ticket: complaint.ticket } };
}

export { commandContext, type CommandContext } from "./context.js";
export { alreadyDone, markDone } from "./once.js";
export { eventReply, type EventViewContext } from "./event-view.js";
export type * from "./types.js";
