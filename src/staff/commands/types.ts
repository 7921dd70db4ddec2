import type { ChannelLimits, ChannelName, InboundAttachment, Locale, OutboundMessage, StaffAnswer } from "../../core/index.js";
import type { ComplaintRow, SopPreset } from "../../complaints/index.js";
import type { Database } from "../../db/index.js";
import type { IntakeState, StepResult } from "../../flow/index.js";
import type { Templates } from "../../i18n/index.js";
import type { StaffActor } from "../actor.js";
import type { CommandIntent, CommandKind, ComplaintKind, OfficeKind } from "../intent.js";
import type { CommandContext } from "./context.js";

/** The pipeline's way for the office to speak into a citizen's conversation (see Pipeline.speak). */
export interface ConversationVoice {
  speak(
    channel: ChannelName,
    chatId: string,
    step: { author: "bot" | "staff"; run(state: IntakeState): StepResult; attachments?: OutboundMessage["attachments"] },
  ): Promise<{ status: "processed" | "duplicate" | "unknown" }>;
}

export interface StaffReports {
  /** The month's logbook file (FM-PDIP-03-02 columns). */
  logbook(month: string, format: "csv" | "xlsx"): Promise<{ path: string; filename: string; rows: number }>;
  /** The month's recap PDF and its headline numbers. */
  recap(
    month: string,
  ): Promise<{ path: string; filename: string; total: number; open: number; overdue: number; averageRating: number | null }>;
}

/** Stores a staff member's file so it can be sent on; undefined when it is refused (type, size). */
export type StaffFileStore = (attachment: InboundAttachment) => Promise<{ path: string; mime: string; filename?: string } | undefined>;

/** What the commands stand on; one object, built once by the wiring, shared by every front end. */
export interface StaffCommandDeps {
  db: Database;
  voice: ConversationVoice;
  templates: Templates;
  sop: SopPreset;
  settings: {
    officeName: string;
    timeZone: string;
    /** The staff's language (the office's DEFAULT_LOCALE). */
    locale: Locale;
    replyMode: "reply" | "command";
    staffIds: readonly string[];
    /** The staff group's channel and chat: where a reply's thread is looked up and web actions are told. */
    opsChannel: ChannelName;
    opsChatId?: string;
  };
  limitsOf(channel: ChannelName): ChannelLimits;
  storeFile?: StaffFileStore;
  /** The monthly reports, written to files for the staff (src/reports through the wiring). */
  reports?: StaffReports;
  clock?: () => Date;
}

/** What a front end asks of the command table: run this intent as this person. */
export interface StaffRequest {
  actor: StaffActor;
  intent: CommandIntent;
  /** Files to relay with a reply (a photo from the group, an upload on the web). */
  files?: InboundAttachment[];
  /** True where only the actor reads the answer (a private chat, the web console): the identity command needs it. */
  privateView?: boolean;
  /** Where the command was given, for the audit trail (a Telegram chat id, "web"). */
  place?: string;
  /**
   * Idempotency key: a request whose key was used before does nothing and answers "duplicate"
   * (a redelivered Telegram update, a web form sent twice).
   */
  once?: string;
  /** The answer's language (default: the office's). */
  locale?: Locale;
}

/** done: acted or answered; refused: nothing changed, the texts say why; duplicate: the request's key was used before. */
export type StaffOutcome = "done" | "refused" | "duplicate";

/** What a command answers: data each front end renders (the group posts the texts, the web shows them). */
export interface StaffResult {
  outcome: StaffOutcome;
  /** The complaint the command was about. */
  complaint?: { id: string; ticket: string };
  /** Texts for the person who asked, in the request's locale, with files where the command made some (reports). */
  messages: StaffAnswer["messages"];
}

/** What one command module returns; the table's runner adds the complaint and the duplicate check. */
export interface CommandOutcome {
  outcome: "done" | "refused";
  messages: StaffAnswer["messages"];
}

export type IntentOf<K extends CommandKind> = Extract<CommandIntent, { kind: K }>;

interface CommandBase {
  /** Changes data: such a command's request is done once per key, and when done on the web, the staff group is told. */
  writes: boolean;
}

/** A command about one complaint: the runner finds it by the intent's ticket (or answers that it does not exist). */
export interface ComplaintCommand<K extends CommandKind> extends CommandBase {
  scope: "complaint";
  run(ctx: CommandContext, intent: IntentOf<K>, complaint: ComplaintRow, request: StaffRequest): Promise<CommandOutcome>;
}

/** A command about the office as a whole (lists, reports, help). */
export interface OfficeCommand<K extends CommandKind> extends CommandBase {
  scope: "office";
  run(ctx: CommandContext, intent: IntentOf<K>, request: StaffRequest): Promise<CommandOutcome>;
}

export type StaffCommand<K extends CommandKind> = ComplaintCommand<K> | OfficeCommand<K>;

/** One command module per intent kind; whether it is about a complaint is the intent's (src/staff/intent.ts). */
export type StaffCommandTable = { readonly [K in ComplaintKind]: ComplaintCommand<K> } & { readonly [K in OfficeKind]: OfficeCommand<K> };
