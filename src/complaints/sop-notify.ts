import type { Locale } from "../core/index.js";
import type { Reply } from "../flow/index.js";
import { render, type Templates } from "../i18n/index.js";
import { prismaOutbox } from "../outbox/index.js";
import { membersOf, type StaffPerson } from "./lifecycle.js";
import { staffPeople } from "./lifecycle-store.js";
import type { SopNotice, SopSchedulerDeps } from "./scheduler.js";
import { presetRolesOf, roleById, type SopPreset } from "./sop.js";
import { formatDateTime } from "./status.js";

/**
 * Who holds a step, for staff: the person it was assigned to, or the role with the names of the
 * staff in it (or a note that nobody has that role yet, so someone adds them).
 */
export function holderReply(sop: SopPreset, locale: Locale, people: readonly StaffPerson[], roleId: string, staffId: string | null): Reply {
  const role = roleById(sop, roleId)?.label[locale] ?? roleId;
  if (staffId) {
    // A person is named with their own role, which may differ from the step's.
    const person = people.find((p) => p.telegramId === staffId);
    const theirs = person
      ? [...presetRolesOf(sop, person.role)].map((id) => roleById(sop, id)!.label[locale]).join(", ") || person.role
      : role;
    return { key: "staff.sop.holder.person", vars: { name: person?.name ?? staffId, role: theirs } };
  }
  const names = membersOf(sop, roleId, people).map((p) => p.name);
  return names.length > 0
    ? { key: "staff.sop.holder.role", vars: { role, names: names.join(", ") } }
    : { key: "staff.sop.holder.nobody", vars: { role } };
}

/** A duration as staff read it ("25 menit", "3 jam", "2 hari"). */
export function durationReply(ms: number): Reply {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return { key: "staff.age.minutes", vars: { n: minutes } };
  if (minutes < 48 * 60) return { key: "staff.age.hours", vars: { n: Math.round(minutes / 60) } };
  return { key: "staff.age.days", vars: { n: Math.round(minutes / 1440) } };
}

/**
 * The scheduler's notifier for the staff group: a "staff" OutboxMessage row threaded under the
 * complaint's card, enqueued in the scheduler's transaction.
 */
export function staffFeedNotifier(deps: {
  sop: SopPreset;
  templates: Templates;
  officeName: string;
  timeZone: string;
  feed: { channel: string; chatId: string; locale: Locale };
  /** STAFF_TELEGRAM_IDS: staff without a Staff row (role "staf"), named among the holders. */
  staffIds?: readonly string[];
}): SopSchedulerDeps["notify"] {
  const { feed } = deps;
  const text = (reply: Reply) => render(deps.templates, feed.locale, reply, { office: deps.officeName }).text;
  return async (notice: SopNotice, tx) => {
    const people = await staffPeople(tx, deps.staffIds ?? []);
    const holder = text(holderReply(deps.sop, feed.locale, people, notice.holderRole.id, notice.holderStaff));
    const vars = {
      ticket: notice.ticket,
      step: notice.step.label[feed.locale],
      due: formatDateTime(notice.dueAt, feed.locale, deps.timeZone),
      holder,
    };
    const reply: Reply =
      notice.kind === "warn"
        ? { key: "staff.sop.warn", vars: { ...vars, left: text(durationReply(notice.dueAt.getTime() - notice.now.getTime())) } }
        : {
            key: "staff.sop.escalate",
            vars: {
              ...vars,
              late: text(durationReply(notice.now.getTime() - notice.dueAt.getTime())),
              head: text(holderReply(deps.sop, feed.locale, people, notice.head.id, null)),
            },
          };
    await prismaOutbox(tx, () => notice.now).enqueue(
      { channel: feed.channel, chatId: feed.chatId, complaintId: notice.complaintId, kind: "staff" },
      { text: text(reply), threadOf: notice.complaintId },
    );
  };
}
