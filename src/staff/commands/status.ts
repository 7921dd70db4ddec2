import { channelLabel, holderRoleOf, stepById } from "../../complaints/index.js";
import type { ComplaintCommand } from "./types.js";

/** /status: where the complaint stands, and who holds its step while it is open. */
export const statusCommand: ComplaintCommand<"status"> = {
  scope: "complaint",
  writes: false,
  async run(ctx, _intent, complaint) {
    const { sop } = ctx.deps;
    const step = stepById(sop, complaint.sopStep);
    const status = ctx.t({
      key: "staff.status",
      vars: {
        ticket: complaint.ticket,
        kind: { key: complaint.kind === "information" ? "staff.kind.information" : "staff.kind.complaint" },
        state: { key: complaint.status === "closed" ? "staff.state.closed" : "staff.state.open" },
        category: complaint.category ?? "-",
        channel: channelLabel(complaint.channel),
        step: ctx.stepLabel(step, complaint.sopStep),
        received: ctx.when(complaint.receivedAt),
        due: ctx.when(complaint.stepDueAt),
        rating: complaint.rating === null ? "-" : `${complaint.rating}/5`,
      },
    });
    if (complaint.status === "closed" || !step) return ctx.done(status);
    const holder = ctx.holderText(await ctx.people(), holderRoleOf(sop, complaint) ?? step.role, complaint.holderStaff);
    return ctx.done(`${status}\n${ctx.t({ key: "staff.status.holder", vars: { holder } })}`);
  },
};
