import { applySopAction } from "./sop-action.js";
import type { ComplaintCommand } from "./types.js";

/** /putuskan setuju|tolak: the decision on a decision step; a rejection needs its reason. */
export const decideCommand: ComplaintCommand<"decide"> = {
  scope: "complaint",
  writes: true,
  async run(ctx, intent, complaint) {
    const { ticket } = complaint;
    if (!intent.decision) return ctx.refuse(ctx.t({ key: "staff.sop.needDecision", vars: { ticket } }));
    // A refusal is answered to the citizen in the end: its reason must be on record.
    if (intent.decision === "reject" && intent.text === "") return ctx.refuse(ctx.t({ key: "staff.sop.needReason", vars: { ticket } }));
    return applySopAction(ctx, complaint, { type: "decide", decision: intent.decision, note: intent.text });
  },
};
