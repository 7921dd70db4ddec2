import { channelLabel, durationReply, openComplaints } from "../../complaints/index.js";
import type { OfficeCommand } from "./types.js";

const SHOWN = 30;

/** /daftar: the oldest open complaints, with their age and due time. */
export const listCommand: OfficeCommand<"list"> = {
  scope: "office",
  writes: false,
  async run(ctx) {
    const now = ctx.clock();
    const { rows, total } = await openComplaints(ctx.deps.db.prisma, SHOWN);
    if (rows.length === 0) return ctx.done(ctx.t({ key: "staff.list.empty" }));
    const lines = rows.map((c) =>
      ctx.t({
        key: "staff.list.item",
        vars: {
          ticket: c.ticket,
          category: c.category ?? "-",
          channel: channelLabel(c.channel),
          age: ctx.t(durationReply(now.getTime() - c.receivedAt.getTime())),
          due: ctx.when(c.stepDueAt),
          overdue: c.stepDueAt && c.stepDueAt < now ? { key: "staff.list.overdue" } : "",
        },
      }),
    );
    const more = total > SHOWN ? [ctx.t({ key: "staff.list.more", vars: { count: total - SHOWN } })] : [];
    return ctx.done([ctx.t({ key: "staff.list.header", vars: { count: total } }), ...lines, ...more].join("\n"));
  },
};
