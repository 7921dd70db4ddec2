/** What a staff message asks for, before anyone checks who sent it or whether the ticket exists. */
export type StaffIntent =
  | { kind: "reply"; ticket?: string; text: string }
  | { kind: "note"; ticket?: string; text: string }
  | { kind: "close"; ticket?: string }
  | { kind: "status"; ticket?: string }
  | { kind: "history"; ticket?: string }
  | { kind: "identity"; ticket?: string }
  | { kind: "list" }
  | { kind: "help" }
  /** SOP lifecycle (src/complaints/lifecycle.ts): `text` is the note, or on a branching step "<branch> [note]". */
  | { kind: "advance"; ticket?: string; text: string }
  /** `target`: a preset role id, a staff role, or a staff member's Telegram id. */
  | { kind: "assign"; ticket?: string; target: string }
  /** `decision` is undefined when the word is neither setuju/approve nor tolak/reject. */
  | { kind: "decide"; ticket?: string; decision?: "approve" | "reject"; text: string }
  | { kind: "forward"; ticket?: string; agency: string }
  | { kind: "archive"; ticket?: string; text: string }
  | { kind: "overdue" }
  /** Reports for the head of office: the month (YYYY-MM) defaults to the current one. */
  | { kind: "logbook"; month?: string; format?: "csv" | "xlsx" }
  | { kind: "recap"; month?: string }
  | { kind: "unknownCommand"; command: string }
  /** Talk among staff in the group that is neither a command nor a reply to the bot: not ours. */
  | { kind: "chatter" };

/** Intents that are commands: what a front end may ask the command table to run. */
export type CommandIntent = Exclude<StaffIntent, { kind: "unknownCommand" | "chatter" }>;
export type CommandKind = CommandIntent["kind"];

/** Commands about the office as a whole; every other command is about one complaint, named by its ticket. */
export type OfficeIntent = Extract<CommandIntent, { kind: "list" | "help" | "overdue" | "logbook" | "recap" }>;
export type ComplaintIntent = Exclude<CommandIntent, OfficeIntent>;
export type OfficeKind = OfficeIntent["kind"];
export type ComplaintKind = ComplaintIntent["kind"];

const OFFICE_KINDS: ReadonlySet<CommandKind> = new Set<OfficeKind>(["list", "help", "overdue", "logbook", "recap"]);

export function isComplaintIntent(intent: CommandIntent): intent is ComplaintIntent {
  return !OFFICE_KINDS.has(intent.kind);
}
