import type { ChannelName, Locale, Reply } from "../../core/index.js";
import {
  formatDateTime,
  holderReply,
  recordEvent,
  staffPeople,
  stepLabel,
  type EventActor,
  type SopStep,
  type StaffPerson,
  type WrittenEvent,
} from "../../complaints/index.js";
import type { PrismaDb, PrismaTx } from "../../db/index.js";
import { render } from "../../i18n/index.js";
import { eventActorOf, type StaffActor } from "../actor.js";
import type { CommandOutcome, Prepared, StaffCommandDeps, VoiceStep } from "./types.js";

/** What every command module works with: the deps, who acts, and the small helpers they share. */
export interface CommandContext {
  readonly deps: StaffCommandDeps;
  readonly actor: StaffActor;
  /** The language of the answer. */
  readonly locale: Locale;
  /** How the audit trail names the actor. */
  readonly who: EventActor;
  /**
   * Where the command reads and writes: for a command that writes, its one transaction (its events,
   * the citizen's messages and the request's once-key commit together); else the client.
   */
  readonly prisma: PrismaDb | PrismaTx;
  /** The command's transaction (undefined for a command that only reads). */
  readonly tx: PrismaTx | undefined;
  /** What was made ready before the transaction (files stored for a reply). */
  readonly prepared: Prepared;
  /** Events this command wrote, in order (the web's actions are told to the staff group from these). */
  readonly written: WrittenEvent[];
  clock(): Date;
  t(reply: Reply): string;
  /** A date and time in the office's zone, "-" for none. */
  when(date: Date | null): string;
  /** A step's label in the answer's language, or `fallback` when the preset has no such step. */
  stepLabel(step: SopStep | undefined, fallback: string): string;
  /** Everyone who counts as staff, for naming a step's holder. */
  people(): Promise<StaffPerson[]>;
  holderText(people: readonly StaffPerson[], roleId: string, staffId: string | null): string;
  /** Records an audit event on the complaint as the actor (data.by, data.via). */
  event(complaintId: string, type: string, data: Record<string, unknown>): Promise<void>;
  /** Remembers an event written elsewhere (the lifecycle store) as this command's. */
  wrote(event: WrittenEvent): void;
  /**
   * The office speaks into a citizen's conversation, in the command's transaction; "unknown" if it is
   * gone. `step` is the step's provider message id, which the office's messages of the step name as
   * the message they answer (Message.replyToProviderId).
   */
  speak(channel: ChannelName, chatId: string, step: VoiceStep): Promise<{ status: "processed" | "duplicate" | "unknown"; step: string }>;
  done(...texts: string[]): CommandOutcome;
  refuse(...texts: string[]): CommandOutcome;
}

/** The command's transaction, and the key its citizen messages are named by (the request's once-key). */
export interface CommandTransaction {
  tx: PrismaTx;
  key: string;
}

export function commandContext(
  deps: StaffCommandDeps,
  actor: StaffActor,
  locale: Locale,
  within?: CommandTransaction,
  prepared: Prepared = { files: [] },
): CommandContext {
  const { settings } = deps;
  const prisma = within?.tx ?? deps.db.prisma;
  const clock = deps.clock ?? (() => new Date());
  const t = (reply: Reply) => render(deps.templates, locale, reply, { office: settings.officeName }).text;
  const who: EventActor = { actor: eventActorOf(actor), by: actor.name, via: actor.via };
  const written: WrittenEvent[] = [];
  let spoken = 0;
  const answer = (outcome: CommandOutcome["outcome"], texts: string[]): CommandOutcome => ({
    outcome,
    messages: texts.map((text) => ({ text })),
  });
  return {
    deps,
    actor,
    locale,
    who,
    prisma,
    tx: within?.tx,
    prepared,
    written,
    clock,
    t,
    when: (date) => (date ? formatDateTime(date, locale, settings.timeZone) : "-"),
    // A step the preset lacks (SOP_PRESET changed under the complaint) still reads as words.
    stepLabel: (step, fallback) => (step ? step.label[locale] : fallback ? stepLabel(deps.sop, fallback)[locale] : fallback),
    people: () => staffPeople(prisma, settings.staffIds),
    holderText: (people, roleId, staffId) => t(holderReply(deps.sop, locale, people, roleId, staffId)),
    async event(complaintId, type, data) {
      const full = { by: who.by, via: actor.via, ...data };
      await recordEvent(prisma, { complaintId, type, actor: who.actor, data: full, at: clock() });
      written.push({ type, data: full });
    },
    wrote(event) {
      written.push(event);
    },
    async speak(channel, chatId, step) {
      if (!within) throw new Error("a staff command that speaks to a citizen must be marked `writes` (it needs its transaction)");
      // One action speaks once or twice at most; each step gets its own name under the action's key.
      const key = spoken++ === 0 ? within.key : `${within.key}#${spoken}`;
      const { status } = await deps.voice.speakWithin(within.tx, channel, chatId, step, key);
      // "<author>:<key>", as ConversationVoice.speakWithin names the step.
      return { status, step: `${step.author}:${key}` };
    },
    done: (...texts) => answer("done", texts),
    refuse: (...texts) => answer("refused", texts),
  };
}
