import {
  applyAssign,
  applyMove,
  assignEvent,
  moveEvent,
  holderRoleOf,
  transition,
  type ComplaintRow,
  type LifecycleAction,
  type Refusal,
  type SopStep,
} from "../../complaints/index.js";
import { closeAndAskRating } from "./citizen.js";
import { tellCitizen } from "./citizen.js";
import type { CommandContext } from "./context.js";
import type { CommandOutcome } from "./types.js";

/**
 * /lanjut, /tugaskan, /putuskan, /teruskan, /arsip after their own checks: the action is checked
 * against the preset and who acts (src/complaints/lifecycle.ts), then applied and audited.
 * `agency`: where /teruskan sends the complaint.
 */
export async function applySopAction(
  ctx: CommandContext,
  complaint: ComplaintRow,
  action: LifecycleAction,
  agency = "",
): Promise<CommandOutcome> {
  const { ticket } = complaint;
  const { db, sop } = ctx.deps;
  const now = ctx.clock();
  const result = transition(sop, complaint, ctx.actor, action, now);
  if (!result.ok) {
    if (result.refusal.code === "notAllowed") {
      // Who tried to act out of turn is part of the record, as for identity requests.
      await ctx.event(complaint.id, "sop.denied", { action: action.type, step: complaint.sopStep, role: ctx.actor.role });
    }
    return ctx.refuse(await refusalText(ctx, result.refusal, complaint));
  }
  const label = (step: SopStep) => ctx.stepLabel(step, "");
  switch (result.type) {
    case "move": {
      if (!(await applyMove(db, complaint, result, ctx.who, now))) return ctx.refuse(ctx.t({ key: "staff.sop.stale", vars: { ticket } }));
      ctx.wrote(moveEvent(complaint, result, ctx.who, now));
      const to = result.to;
      const told = to.answer
        ? await tellCitizen(ctx, complaint, (locale) => ({ key: "citizen.sop.answer", vars: { ticket, step: to.label[locale] } }))
        : false;
      const vars = {
        ticket,
        from: label(result.from),
        to: label(to),
        holder: ctx.holderText(await ctx.people(), to.role, null),
        due: ctx.when(result.dueAt),
      };
      const lines = [
        result.decision
          ? ctx.t({
              key: "staff.sop.decided",
              vars: {
                ...vars,
                decision: { key: result.decision === "approve" ? "staff.sop.decision.approve" : "staff.sop.decision.reject" },
              },
            })
          : ctx.t({ key: "staff.sop.advanced", vars }),
      ];
      if (told) lines.push(ctx.t({ key: "staff.sop.citizenTold", vars: { ticket } }));
      return ctx.done(lines.join("\n"));
    }
    case "assign": {
      const all = await ctx.people();
      const staffName = result.staff ? all.find((p) => p.telegramId === result.staff)?.name : undefined;
      const target = { role: result.role, staff: result.staff, ...(staffName ? { staffName } : {}) };
      if (!(await applyAssign(db, complaint, target, ctx.who, now))) return ctx.refuse(ctx.t({ key: "staff.sop.stale", vars: { ticket } }));
      ctx.wrote(assignEvent(complaint, target, ctx.who));
      const holder = ctx.holderText(all, result.role ?? result.step.role, result.staff);
      return ctx.done(ctx.t({ key: "staff.sop.assigned", vars: { ticket, step: label(result.step), holder } }));
    }
    case "finish": {
      // The step just left, for the audit trail and time-standard compliance.
      const timing = {
        step: complaint.sopStep,
        stepStartedAt: complaint.stepStartedAt.toISOString(),
        stepDueAt: complaint.stepDueAt?.toISOString() ?? null,
        onTime: complaint.stepDueAt ? now.getTime() <= complaint.stepDueAt.getTime() : null,
      };
      if (result.how === "archive") {
        return closeAndAskRating(ctx, complaint, {
          type: "sop.archive",
          data: timing,
          onStep: complaint.sopStep,
          done: { key: "staff.sop.archived", vars: { ticket } },
        });
      }
      return closeAndAskRating(ctx, complaint, {
        type: "sop.forward",
        data: { ...timing, agency },
        onStep: complaint.sopStep,
        tell: () => ({ key: "citizen.sop.forwarded", vars: { ticket, agency } }),
        done: { key: "staff.sop.forwarded", vars: { ticket, agency } },
      });
    }
  }
}

/** Why the preset or the holder rule refuses, and what would work instead. */
async function refusalText(ctx: CommandContext, refusal: Refusal, complaint: ComplaintRow): Promise<string> {
  const { ticket } = complaint;
  const { sop } = ctx.deps;
  const label = (step: SopStep) => ctx.stepLabel(step, "");
  const steps = (list: readonly SopStep[]) => list.map((s) => `«${s.label[ctx.locale]}»`).join(", ");
  const choices = (step: SopStep) => step.branches.map((b) => `${b.id} (${b.label[ctx.locale]})`).join("; ");
  switch (refusal.code) {
    case "closed":
      return ctx.t({ key: "staff.alreadyClosed", vars: { ticket } });
    case "unknownStep":
      return ctx.t({ key: "staff.sop.unknownStep", vars: { ticket, step: ctx.stepLabel(undefined, refusal.step), preset: sop.file } });
    case "notAllowed": {
      const all = await ctx.people();
      const who = [
        ...(refusal.staff ? [ctx.holderText(all, holderRoleOf(sop, complaint) ?? refusal.step.role, refusal.staff)] : []),
        ...refusal.allowed.map((role) => ctx.holderText(all, role, null)),
      ].join("; ");
      return ctx.t({
        key: "staff.sop.notAllowed",
        vars: { ticket, step: ctx.stepLabel(refusal.step, complaint.sopStep), allowed: who, role: ctx.actor.role },
      });
    }
    case "needChoice":
      return ctx.t({
        key: "staff.sop.needChoice",
        vars: { ticket, step: label(refusal.step), choices: choices(refusal.step), branch: refusal.step.branches[0]!.id },
      });
    case "unknownChoice":
      return ctx.t({
        key: "staff.sop.unknownChoice",
        vars: {
          ticket,
          choice: refusal.choice,
          step: label(refusal.step),
          choices: choices(refusal.step),
          branch: refusal.step.branches[0]!.id,
        },
      });
    case "useDecide":
      return ctx.t({ key: "staff.sop.useDecide", vars: { ticket, step: label(refusal.step) } });
    case "notDecision":
      return refusal.decisionSteps.length > 0
        ? ctx.t({ key: "staff.sop.notDecision", vars: { ticket, step: label(refusal.step), steps: steps(refusal.decisionSteps) } })
        : ctx.t({ key: "staff.sop.noDecisionAtAll", vars: { ticket } });
    case "lastStep":
      return ctx.t({
        key: refusal.step.forward ? "staff.sop.lastStep.forward" : "staff.sop.lastStep.archive",
        vars: { ticket, step: label(refusal.step) },
      });
    case "notFinal":
      return ctx.t({ key: "staff.sop.notFinal", vars: { ticket, step: label(refusal.step), steps: steps(refusal.finalSteps) } });
    case "noForward":
      return refusal.forwardSteps.length > 0
        ? ctx.t({ key: "staff.sop.noForward", vars: { ticket, step: label(refusal.step), steps: steps(refusal.forwardSteps) } })
        : ctx.t({ key: "staff.sop.noForwardAtAll", vars: { ticket } });
  }
}
