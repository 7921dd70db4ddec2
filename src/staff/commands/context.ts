import type { Locale } from "../../core/index.js";
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
import type { Reply } from "../../flow/index.js";
import { render } from "../../i18n/index.js";
import { eventActorOf, type StaffActor } from "../actor.js";
import type { CommandOutcome, StaffCommandDeps } from "./types.js";

/** What every command module works with: the deps, who acts, and the small helpers they share. */
export interface CommandContext {
  readonly deps: StaffCommandDeps;
  readonly actor: StaffActor;
  /** The language of the answer. */
  readonly locale: Locale;
  /** How the audit trail names the actor. */
  readonly who: EventActor;
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
  done(...texts: string[]): CommandOutcome;
  refuse(...texts: string[]): CommandOutcome;
}

export function commandContext(deps: StaffCommandDeps, actor: StaffActor, locale: Locale): CommandContext {
  const { db, settings } = deps;
  const clock = deps.clock ?? (() => new Date());
  const t = (reply: Reply) => render(deps.templates, locale, reply, { office: settings.officeName }).text;
  const who: EventActor = { actor: eventActorOf(actor), by: actor.name, via: actor.via };
  const written: WrittenEvent[] = [];
  const answer = (outcome: CommandOutcome["outcome"], texts: string[]): CommandOutcome => ({
    outcome,
    messages: texts.map((text) => ({ text })),
  });
  return {
    deps,
    actor,
    locale,
    who,
    written,
    clock,
    t,
    when: (date) => (date ? formatDateTime(date, locale, settings.timeZone) : "-"),
    // A step the preset lacks (SOP_PRESET changed under the complaint) still reads as words.
    stepLabel: (step, fallback) => (step ? step.label[locale] : fallback ? stepLabel(deps.sop, fallback)[locale] : fallback),
    people: () => staffPeople(db.prisma, settings.staffIds),
    holderText: (people, roleId, staffId) => t(holderReply(deps.sop, locale, people, roleId, staffId)),
    async event(complaintId, type, data) {
      const full = { by: who.by, via: actor.via, ...data };
      await recordEvent(db.prisma, { complaintId, type, actor: who.actor, data: full, at: clock() });
      written.push({ type, data: full });
    },
    wrote(event) {
      written.push(event);
    },
    done: (...texts) => answer("done", texts),
    refuse: (...texts) => answer("refused", texts),
  };
}
