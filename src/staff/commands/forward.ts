import { applySopAction } from "./sop-action.js";
import type { ComplaintCommand } from "./types.js";

/** /teruskan <instansi>: hands the complaint to another agency, tells the citizen where, and closes it. */
export const forwardCommand: ComplaintCommand<"forward"> = {
  scope: "complaint",
  writes: true,
  async run(ctx, intent, complaint) {
    if (intent.agency === "") return ctx.refuse(ctx.t({ key: "staff.sop.needAgency", vars: { ticket: complaint.ticket } }));
    return applySopAction(ctx, complaint, { type: "forward" }, intent.agency);
  },
};
