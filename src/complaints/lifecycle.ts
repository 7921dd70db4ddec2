import { dueAt, headRole, presetRolesOf, roleById, stepById, type SopBranch, type SopPreset, type SopStep } from "./sop.js";

/**
 * The complaint lifecycle as pure functions of (preset, complaint, actor, action, now): no I/O, no
 * clock. The staff console applies what they return (src/complaints/lifecycle-store.ts writes it).
 */

/** What the lifecycle needs of a complaint row. */
export interface LifecycleComplaint {
  status: string;
  sopStep: string;
  stepStartedAt: Date;
  stepDueAt: Date | null;
  /** A preset role the current step was handed to with /tugaskan (else the step's own role holds it). */
  holderRole: string | null;
  /** A staff member's Telegram id the current step was handed to with /tugaskan. */
  holderStaff: string | null;
}

/** Who acts: Staff.role, and the Telegram id a step may have been handed to (/tugaskan names people by it). */
export interface LifecycleActor {
  telegramId?: string;
  role: string;
}

export type Decision = "approve" | "reject";

export type LifecycleAction =
  /** /lanjut: to the next step; on a branching step the first word of `text` picks the branch. */
  | { type: "advance"; text: string }
  | { type: "decide"; decision: Decision; note: string }
  | { type: "archive" }
  | { type: "forward" }
  /** /tugaskan, with the target already resolved to a preset role or a staff member. */
  | { type: "assign"; role: string | null; staff: string | null };

export type Refusal =
  | { code: "closed" }
  | { code: "unknownStep"; step: string }
  /** `allowed`: preset role ids that may act (the holder's role, then the head); `staff`: the assigned person. */
  | { code: "notAllowed"; step: SopStep; allowed: string[]; staff: string | null }
  | { code: "needChoice"; step: SopStep }
  | { code: "unknownChoice"; step: SopStep; choice: string }
  | { code: "useDecide"; step: SopStep }
  | { code: "notDecision"; step: SopStep; decisionSteps: SopStep[] }
  | { code: "lastStep"; step: SopStep }
  | { code: "notFinal"; step: SopStep; finalSteps: SopStep[] }
  | { code: "noForward"; step: SopStep; forwardSteps: SopStep[] };

export type Transition =
  | {
      ok: true;
      type: "move";
      from: SopStep;
      to: SopStep;
      startedAt: Date;
      dueAt: Date;
      /** The note after the branch word (or the whole text). */
      note: string;
      branch?: SopBranch;
      decision?: Decision;
    }
  | { ok: true; type: "finish"; how: "archive" | "forward"; step: SopStep }
  | { ok: true; type: "assign"; step: SopStep; role: string | null; staff: string | null }
  | { ok: false; refusal: Refusal };

/** The preset role holding the complaint's current step. */
export function holderRoleOf(sop: SopPreset, complaint: Pick<LifecycleComplaint, "sopStep" | "holderRole">): string | undefined {
  return complaint.holderRole ?? stepById(sop, complaint.sopStep)?.role;
}

/**
 * Only the holder may act on a step: staff in the holding role (the step's role, or the role it was
 * assigned to), the staff member it was assigned to, and always the head of office.
 */
export function mayAct(
  sop: SopPreset,
  complaint: LifecycleComplaint,
  actor: LifecycleActor,
): { ok: true } | { ok: false; allowed: string[]; staff: string | null } {
  const holder = holderRoleOf(sop, complaint);
  const head = headRole(sop).id;
  const mine = presetRolesOf(sop, actor.role);
  if (
    mine.has(head) ||
    (holder !== undefined && mine.has(holder)) ||
    (complaint.holderStaff !== null && actor.telegramId !== undefined && complaint.holderStaff === actor.telegramId)
  ) {
    return { ok: true };
  }
  return { ok: false, allowed: [...new Set([...(holder ? [holder] : []), head])], staff: complaint.holderStaff };
}

function move(
  sop: SopPreset,
  from: SopStep,
  toId: string,
  now: Date,
  note: string,
  extra: { branch?: SopBranch; decision?: Decision } = {},
): Transition {
  const to = stepById(sop, toId)!; // targets are checked when the preset loads
  return { ok: true, type: "move", from, to, startedAt: now, dueAt: dueAt(to, now), note, ...extra };
}

/** What an action does to a complaint, or why it may not: checked against the preset, then against who acts. */
export function transition(
  sop: SopPreset,
  complaint: LifecycleComplaint,
  actor: LifecycleActor,
  action: LifecycleAction,
  now: Date,
): Transition {
  if (complaint.status === "closed") return { ok: false, refusal: { code: "closed" } };
  const step = stepById(sop, complaint.sopStep);
  if (!step || roleById(sop, step.role)?.citizen) return { ok: false, refusal: { code: "unknownStep", step: complaint.sopStep } };

  let result: Transition;
  switch (action.type) {
    case "advance": {
      if (step.decision) return { ok: false, refusal: { code: "useDecide", step } };
      const text = action.text.trim();
      if (step.branches.length > 0) {
        const [word = "", ...rest] = text.split(/\s+/);
        if (word === "") return { ok: false, refusal: { code: "needChoice", step } };
        const branch = step.branches.find((b) => b.words.includes(word.toLowerCase()));
        if (!branch) return { ok: false, refusal: { code: "unknownChoice", step, choice: word } };
        result = move(sop, step, branch.to, now, rest.join(" "), { branch });
        break;
      }
      if (!step.next) return { ok: false, refusal: { code: "lastStep", step } };
      result = move(sop, step, step.next, now, text);
      break;
    }
    case "decide": {
      if (!step.decision) return { ok: false, refusal: { code: "notDecision", step, decisionSteps: sop.steps.filter((s) => s.decision) } };
      result = move(sop, step, step.decision[action.decision], now, action.note.trim(), { decision: action.decision });
      break;
    }
    case "archive":
      if (!step.archive) return { ok: false, refusal: { code: "notFinal", step, finalSteps: sop.steps.filter((s) => s.archive) } };
      result = { ok: true, type: "finish", how: "archive", step };
      break;
    case "forward":
      if (!step.forward) return { ok: false, refusal: { code: "noForward", step, forwardSteps: sop.steps.filter((s) => s.forward) } };
      result = { ok: true, type: "finish", how: "forward", step };
      break;
    case "assign":
      result = { ok: true, type: "assign", step, role: action.role, staff: action.staff };
      break;
  }
  const allowed = mayAct(sop, complaint, actor);
  if (!allowed.ok) return { ok: false, refusal: { code: "notAllowed", step, allowed: allowed.allowed, staff: allowed.staff } };
  return result;
}

/** A /tugaskan target: a preset role id (or a Staff.role that stands for exactly one preset role). */
export function assignableRole(sop: SopPreset, word: string): string | undefined {
  const w = word.toLowerCase();
  const direct = sop.roles.find((r) => r.id === w && !r.citizen && !r.external);
  if (direct) return direct.id;
  const via = presetRolesOf(sop, w);
  return via.size === 1 ? [...via][0] : undefined;
}

/** Preset roles that can hold a step (not the citizen, not an outside agency). */
export function staffRoles(sop: SopPreset): string[] {
  return sop.roles.filter((r) => !r.citizen && !r.external).map((r) => r.id);
}

/** A staff member as the lifecycle names them. */
export interface StaffPerson {
  telegramId: string;
  name: string;
  role: string;
}

/** The staff who act in a preset role (see presetRolesOf). */
export function membersOf(sop: SopPreset, roleId: string, people: readonly StaffPerson[]): StaffPerson[] {
  return people.filter((p) => presetRolesOf(sop, p.role).has(roleId));
}
