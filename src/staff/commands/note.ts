import { commandExample } from "../examples.js";
import type { ComplaintCommand } from "./types.js";

/** /catatan: an internal note, stored as an event and never relayed. */
export const noteCommand: ComplaintCommand<"note"> = {
  scope: "complaint",
  writes: true,
  async run(ctx, intent, complaint) {
    if (intent.text === "") return ctx.refuse(ctx.t({ key: "staff.needText", vars: { example: commandExample("note") } }));
    await ctx.event(complaint.id, "staff.note", { text: intent.text });
    return ctx.done(ctx.t({ key: "staff.noted", vars: { ticket: complaint.ticket } }));
  },
};
