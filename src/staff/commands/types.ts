import type { ChannelLimits, ChannelName, FileRefusal, InboundAttachment, Locale, OutboundMessage, StaffAnswer } from "../../core/index.js";
import type { ComplaintRow, SopPreset } from "../../complaints/index.js";
import type { Database, PrismaTx } from "../../db/index.js";
import type { IntakeState, StepResult } from "../../flow/index.js";
import type { Templates } from "../../i18n/index.js";
import type { StaffActor } from "../actor.js";
import type { CommandIntent, CommandKind, ComplaintKind, OfficeKind } from "../intent.js";
import type { CommandContext } from "./context.js";

/** What the office says into a citizen's conversation: the flow's next state and replies, and files to send. */
export interface VoiceStep {
  author: "bot" | "staff";
  run(state: IntakeState): StepResult;
  attachments?: OutboundMessage["attachments"];
}

/** The pipeline's way for the office to speak into a citizen's conversation (see Pipeline.speakWithin). */
export interface ConversationVoice {
  /**
   * Inside the staff action's transaction; `key` names the step deterministically (the action's
   * once-key): its provider message id is "<author>:<key>", and the office's messages of the step
   * record that id as the one they answer.
   */
  speakWithin(
    tx: PrismaTx,
    channel: ChannelName,
    chatId: string,
    step: VoiceStep,
    key: string,
  ): Promise<{ status: "processed" | "duplicate" | "unknown" }>;
  /** Wakes the outbox worker once the action's transaction has committed. */
  wake(): void;
}

/**
 * A file a staff member sent, stored and ready to go to the citizen: what the outbox sends (`path`)
 * and, in `record`, what the conversation keeps of it (an Attachment row on the office's message, so
 * the web chat's history and the console's timeline can show it).
 */
export type StoredFile = NonNullable<OutboundMessage["attachments"]>[number] & { record: StaffFileRecord };

/** A stored staff file as an Attachment row names it: `storagePath` is relative to ATTACHMENTS_DIR. */
export interface StaffFileRecord {
  sha256: string;
  size: number;
  storagePath: string;
}

/** A staff member's file the store would not keep, and why (the same reasons as a citizen's). */
export interface DeclinedFile {
  /** The cleaned name it was sent under; absent when it had none. */
  filename?: string;
  /** Its place among the request's files, from 1: names a file sent without a name. */
  position: number;
  reason: FileRefusal;
  /** For "tooLarge": the largest file the store keeps (ATTACHMENT_MAX_BYTES). */
  maxBytes?: number;
}

/** What a command makes ready before its transaction, so no download holds the database's write lock. */
export interface Prepared {
  files: StoredFile[];
  /** Files of the request the store declined (type, size, empty). */
  declined?: DeclinedFile[];
}

export interface StaffReports {
  /** The month's logbook file (FM-PDIP-03-02 columns). */
  logbook(month: string, format: "csv" | "xlsx"): Promise<{ path: string; filename: string; rows: number }>;
  /** The month's recap PDF and its headline numbers. */
  recap(
    month: string,
  ): Promise<{ path: string; filename: string; total: number; open: number; overdue: number; averageRating: number | null }>;
}

/** What the store made of a staff member's file: kept (with where), or declined and why. */
export type StaffFileCheck =
  | { accepted: true; path: string; mime: string; filename?: string; record: StaffFileRecord }
  | { accepted: false; reason: FileRefusal; filename?: string; maxBytes?: number };

/** Stores a staff member's file so it can be sent on (ATTACHMENT_MAX_BYTES, the evidence types, decided from the bytes). */
export type StaffFileStore = (attachment: InboundAttachment) => Promise<StaffFileCheck>;

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
  /**
   * What a reply does when the store declines one of its files: "send-rest" (the group's way: the
   * text and the other files go) or "refuse" (nothing goes and the answer names the file: the web
   * console keeps the typed text in its form, so the person fixes the file and sends again).
   */
  declinedFiles?: "send-rest" | "refuse";
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
  /** Work done before the command's transaction, with the complaint as it was then (downloading a reply's files). */
  prepare?(deps: StaffCommandDeps, intent: IntentOf<K>, complaint: ComplaintRow, request: StaffRequest): Promise<Prepared>;
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
