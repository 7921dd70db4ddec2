import { randomUUID } from "node:crypto";
import type { ComplaintRecord, Database, PrismaDb, PrismaTx } from "../db/index.js";
import type { LifecycleComplaint, StaffPerson, Transition } from "./lifecycle.js";

/** A complaint row as the lifecycle reads it. */
export type LifecycleRow = Pick<ComplaintRecord, "id" | "ticket"> & LifecycleComplaint;

/** Who did it, as the audit trail records it (ComplaintEvent.actor, and data.by and data.via). */
export interface EventActor {
  actor: string;
  by: string;
  /** The front end the staff member acted from (the Telegram group, the web console). */
  via?: string;
}

/** An event as written: its type and data, for the caller to report (a web action is shown in the staff group). */
export interface WrittenEvent {
  type: string;
  data: Record<string, unknown>;
}

type Move = Extract<Transition, { type: "move" }>;

const byOf = (who: EventActor) => ({ by: who.by, ...(who.via ? { via: who.via } : {}) });

/** The event a move records: "sop.advance", or "sop.decided" for a decision. */
export function moveEvent(complaint: LifecycleRow, move: Move, who: EventActor, now: Date): WrittenEvent {
  return {
    type: move.decision ? "sop.decided" : "sop.advance",
    data: {
      ...byOf(who),
      ...(move.decision ? { decision: move.decision } : {}),
      ...(move.branch ? { branch: move.branch.id } : {}),
      from: move.from.id,
      to: move.to.id,
      note: move.note,
      // The step just left, for time-standard compliance (reports read these).
      stepStartedAt: complaint.stepStartedAt.toISOString(),
      stepDueAt: complaint.stepDueAt?.toISOString() ?? null,
      onTime: complaint.stepDueAt ? now.getTime() <= complaint.stepDueAt.getTime() : null,
      dueAt: move.dueAt.toISOString(),
    },
  };
}

/** An assignment's target: a preset role, or a staff member (Telegram id) and their name. */
export interface AssignTarget {
  role: string | null;
  staff: string | null;
  staffName?: string;
}

/** The event an assignment records ("sop.assign"). */
export function assignEvent(complaint: LifecycleRow, target: AssignTarget, who: EventActor): WrittenEvent {
  return {
    type: "sop.assign",
    data: { ...byOf(who), step: complaint.sopStep, role: target.role, staff: target.staff, staffName: target.staffName ?? null },
  };
}

/** A transaction of its own on the database, or the caller's (a staff action writing more with it). */
function inTransaction<T>(client: Database | PrismaTx, work: (tx: PrismaTx) => Promise<T>): Promise<T> {
  return "prisma" in client ? client.prisma.$transaction(work) : work(client);
}

/**
 * Moves a complaint to the transition's step and records its event (moveEvent), in one
 * transaction (the caller's, when given one). The update only applies while the complaint is still open and on the step the
 * transition was computed from: two staff acting at once move it once, and the second is told (false).
 */
export async function applyMove(
  client: Database | PrismaTx,
  complaint: LifecycleRow,
  move: Move,
  who: EventActor,
  now: Date,
): Promise<boolean> {
  const event = moveEvent(complaint, move, who, now);
  return inTransaction(client, async (tx) => {
    const updated = await tx.complaint.updateMany({
      where: { id: complaint.id, status: { not: "closed" }, sopStep: complaint.sopStep },
      data: {
        sopStep: move.to.id,
        stepStartedAt: move.startedAt,
        stepDueAt: move.dueAt,
        holderRole: null,
        holderStaff: null,
        updatedAt: now,
      },
    });
    if (updated.count !== 1) return false;
    await recordEvent(tx, complaint.id, event, who, now);
    return true;
  });
}

/** Hands the current step to a role or a person (assignEvent), under the same rule as applyMove. */
export async function applyAssign(
  client: Database | PrismaTx,
  complaint: LifecycleRow,
  target: AssignTarget,
  who: EventActor,
  now: Date,
): Promise<boolean> {
  const event = assignEvent(complaint, target, who);
  return inTransaction(client, async (tx) => {
    const updated = await tx.complaint.updateMany({
      where: { id: complaint.id, status: { not: "closed" }, sopStep: complaint.sopStep },
      data: { holderRole: target.role, holderStaff: target.staff, updatedAt: now },
    });
    if (updated.count !== 1) return false;
    await recordEvent(tx, complaint.id, event, who, now);
    return true;
  });
}

/** The event a move or hand-over writes, in the transaction that made it. */
async function recordEvent(tx: PrismaTx, complaintId: string, event: WrittenEvent, who: EventActor, now: Date): Promise<void> {
  await tx.complaintEvent.create({
    data: { id: randomUUID(), complaintId, type: event.type, actor: who.actor, data: JSON.stringify(event.data), createdAt: now },
  });
}

/** Open complaints whose step is past due at `now`, most overdue first. */
export async function findOverdue(db: Database, now: Date): Promise<LifecycleRow[]> {
  const open = await db.prisma.complaint.findMany({
    where: { status: { not: "closed" }, stepDueAt: { not: null } },
    select: {
      id: true,
      ticket: true,
      status: true,
      sopStep: true,
      stepStartedAt: true,
      stepDueAt: true,
      holderRole: true,
      holderStaff: true,
    },
  });
  // Compared here rather than in SQL: rows written by the pipeline's raw SQL and by Prisma must
  // compare the same on SQLite and PostgreSQL, and an office has few open complaints.
  return open
    .filter((c) => c.stepDueAt !== null && c.stepDueAt.getTime() < now.getTime())
    .sort((a, b) => a.stepDueAt!.getTime() - b.stepDueAt!.getTime());
}

/**
 * Everyone who counts as staff: active Staff rows, and STAFF_TELEGRAM_IDS without a row (role
 * "staf"); a row wins where both name someone, as in findStaff.
 */
export async function staffPeople(client: Pick<PrismaDb, "staff">, envIds: readonly string[]): Promise<StaffPerson[]> {
  const rows = await client.staff.findMany({ orderBy: { name: "asc" } });
  const listed = new Set(rows.map((r) => r.telegramId));
  return [
    ...rows.filter((r) => r.active).map((r) => ({ telegramId: r.telegramId, name: r.name, role: r.role })),
    ...envIds.filter((id) => !listed.has(id)).map((id) => ({ telegramId: id, name: `staf ${id}`, role: "staf" })),
  ];
}
