import { durationReply, findOverdue, holderRoleOf, stepById } from "../../complaints/index.js";
import type { OfficeCommand } from "./types.js";

const SHOWN = 30;

/** /terlambat: open complaints past their step's time standard, most overdue first. */
export const overdueCommand: OfficeCommand<"overdue"> = {
  scope: "office",
  writes: false,
  async run(ctx) {
    const now = ctx.clock();
    const { sop } = ctx.deps;
    const rows = await findOverdue(ctx.deps.db, now);
    if (rows.length === 0) return ctx.done(ctx.t({ key: "staff.sop.overdue.empty" }));
    const all = await ctx.people();
    const lines = rows.slice(0, SHOWN).map((c) =>
      ctx.t({
        key: "staff.sop.overdue.item",
        vars: {
          ticket: c.ticket,
          step: ctx.stepLabel(stepById(sop, c.sopStep), c.sopStep),
          holder: ctx.holderText(all, holderRoleOf(sop, c) ?? c.sopStep, c.holderStaff),
          late: ctx.t(durationReply(now.getTime() - c.stepDueAt!.getTime())),
          due: ctx.when(c.stepDueAt),
        },
      }),
    );
    const more = rows.length > SHOWN ? [ctx.t({ key: "staff.list.more", vars: { count: rows.length - SHOWN } })] : [];
    return ctx.done([ctx.t({ key: "staff.sop.overdue.header", vars: { count: rows.length } }), ...lines, ...more].join("\n"));
  },
};
