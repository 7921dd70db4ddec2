/**
 * Who runs a staff command, whatever the front end: the Telegram group today, the web console too.
 * Nothing here is Telegram-shaped but the optional Telegram id, which names a person in the SOP
 * (a step handed to someone with /tugaskan) and in the audit trail of staff who have one.
 */
export interface StaffActor {
  /** Staff.id; for someone listed only in STAFF_TELEGRAM_IDS (no row), "telegram:<id>". */
  staffId: string;
  name: string;
  /** Staff.role: a generic role (admin, pimpinan, kasi, staf) or a role id of the SOP preset. */
  role: string;
  telegramId?: string;
  /** The front end the command came from; the group is told of what is done on the web. */
  via: "telegram" | "web";
}

/**
 * ComplaintEvent.actor: "staff:<telegram id>" as it always was for staff who have one (so a person's
 * trail is the same from both front ends), else "staff:<staff id>".
 */
export function eventActorOf(actor: Pick<StaffActor, "staffId" | "telegramId">): string {
  return `staff:${actor.telegramId ?? actor.staffId}`;
}
