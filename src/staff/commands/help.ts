import type { OfficeCommand } from "./types.js";

/** /bantuan: the commands, the reply mode, and the SOP preset's commands. */
export const helpCommand: OfficeCommand<"help"> = {
  scope: "office",
  writes: false,
  run(ctx) {
    const { settings, sop } = ctx.deps;
    const help = ctx.t({
      key: "staff.help",
      vars: { mode: { key: settings.replyMode === "command" ? "staff.help.modeCommand" : "staff.help.modeReply" } },
    });
    return Promise.resolve(ctx.done(`${help}\n\n${ctx.t({ key: "staff.help.sop", vars: { preset: sop.title[ctx.locale] } })}`));
  },
};
