/**
 * Staff commands, for every front end.
 *
 * The commands live in a table keyed by the intent's kind (`STAFF_COMMANDS`, one module each under
 * ./commands). A front end builds the deps once (`StaffCommandDeps`), holds
 * `createStaffCommands(deps)`, and for each action calls
 *
 *     const result = await commands.run({ actor, intent, once, locale, privateView, files });
 *
 * where `actor` is who acts (`StaffActor`: staff id, name, role, Telegram id if any, and `via`),
 * `intent` a `CommandIntent` (e.g. `{ kind: "reply", ticket, text }`), and `once` a key that makes
 * a repeated request do nothing. The command checks who may act, applies the SOP, writes the
 * audit events, and queues what the citizen hears; it answers data (`StaffResult`: outcome, the
 * complaint, texts in the request's locale) that the front end shows its own way. What is done on
 * the web is posted in the staff group under the complaint's card ("via web oleh <name>").
 *
 * The Telegram group's front end is `createStaffConsole` (a StaffSink for channels/telegram).
 */
export { createStaffConsole } from "./telegram-console.js";
export {
  createStaffCommands,
  eventReply,
  STAFF_COMMANDS,
  type StaffCommands,
  type StaffCommandDeps,
  type StaffCommandDeps as StaffConsoleDeps,
  type StaffRequest,
  type StaffResult,
  type StaffOutcome,
  type StaffCommand,
  type StaffCommandTable,
  type ConversationVoice,
  type StaffFileStore,
  type StaffReports,
  type EventViewContext,
} from "./commands/index.js";
export type { StaffActor } from "./actor.js";
export { eventActorOf } from "./actor.js";
export {
  isComplaintIntent,
  type StaffIntent,
  type CommandIntent,
  type CommandKind,
  type ComplaintIntent,
  type OfficeIntent,
} from "./intent.js";
export { parseStaffMessage } from "./parse.js";
export { commandExample } from "./examples.js";
export { findStaff, mayViewIdentity, IDENTITY_ROLES } from "./directory.js";
export {
  postStaffNotice,
  reportDeliveryFailure,
  reportFailedInbound,
  reportUnreadableMail,
  reportWhatsAppLoggedOut,
  type FailedRow,
} from "./delivery-failures.js";
