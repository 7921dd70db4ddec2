import { assignableRole, staffRoles, type LifecycleAction } from "../../complaints/index.js";
import { findStaff } from "../directory.js";
import { applySopAction } from "./sop-action.js";
import type { ComplaintCommand } from "./types.js";

/** /tugaskan <peran|Telegram id>: hands the current step to a preset role or a staff member. */
export const assignCommand: ComplaintCommand<"assign"> = {
  scope: "complaint",
  writes: true,
  async run(ctx, intent, complaint) {
    const { sop, db, settings } = ctx.deps;
    const roles = staffRoles(sop).join(", ");
    if (intent.target === "") return ctx.refuse(ctx.t({ key: "staff.sop.needTarget", vars: { ticket: complaint.ticket, roles } }));
    let action: LifecycleAction;
    if (/^\d+$/.test(intent.target)) {
      const person = await findStaff(db, settings.staffIds, intent.target);
      if (!person) return ctx.refuse(ctx.t({ key: "staff.sop.unknownTarget", vars: { target: intent.target, roles } }));
      action = { type: "assign", role: null, staff: intent.target };
    } else {
      const role = assignableRole(sop, intent.target);
      if (!role) return ctx.refuse(ctx.t({ key: "staff.sop.unknownTarget", vars: { target: intent.target, roles } }));
      action = { type: "assign", role, staff: null };
    }
    return applySopAction(ctx, complaint, action);
  },
};
