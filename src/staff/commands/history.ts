import { complaintEvents } from "../../complaints/index.js";
import { jsonObject } from "../../core/index.js";
import { eventReply } from "./event-view.js";
import type { ComplaintCommand } from "./types.js";

/** /riwayat (and a card's button): the complaint's audit trail, oldest first. */
export const historyCommand: ComplaintCommand<"history"> = {
  scope: "complaint",
  writes: false,
  async run(ctx, _intent, complaint) {
    const events = await complaintEvents(ctx.prisma, complaint.id, 50);
    const view = { sop: ctx.deps.sop, locale: ctx.locale, complaintChannel: complaint.channel };
    const lines = events.map((e) => {
      const what = eventReply({ type: e.type, actor: e.actor, data: jsonObject(e.data) }, view);
      return ctx.t({ key: "staff.history.item", vars: { at: ctx.when(e.createdAt), what: { key: what.key }, ...what.vars } });
    });
    return ctx.done([ctx.t({ key: "staff.history.header", vars: { ticket: complaint.ticket } }), ...lines].join("\n"));
  },
};
