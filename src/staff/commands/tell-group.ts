import { postStaffNotice } from "../delivery-failures.js";
import type { CommandContext } from "./context.js";
import { eventReply } from "./event-view.js";
import type { StaffCommandDeps } from "./types.js";

/** Looking at a reporter's identity is audited, not announced. */
const UNTOLD = new Set(["staff.identity", "staff.identityDenied"]);

/**
 * What a staff member did on the web is posted in the staff group under the complaint's card
 * ("via web oleh <name>"), so the group sees every action wherever it was taken; the group's own
 * actions reach the web's timeline through the same ComplaintEvents.
 */
export async function tellStaffGroup(
  deps: StaffCommandDeps,
  ctx: CommandContext,
  complaint: { id: string; ticket: string },
): Promise<void> {
  const { settings } = deps;
  if (!settings.opsChatId) return;
  const feed = { channel: settings.opsChannel, chatId: settings.opsChatId, locale: settings.locale };
  const notice = { db: deps.db, templates: deps.templates, officeName: settings.officeName, feed };
  const view = { sop: deps.sop, locale: feed.locale, complaintChannel: "" };
  for (const event of ctx.written) {
    if (UNTOLD.has(event.type)) continue;
    const what = eventReply({ type: event.type, actor: ctx.who.actor, data: event.data }, view);
    await postStaffNotice(
      notice,
      { key: "staff.viaWeb", vars: { ticket: complaint.ticket, name: ctx.actor.name, what: { key: what.key }, ...what.vars } },
      complaint.id,
    );
  }
}
