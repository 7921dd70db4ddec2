import { randomUUID } from "node:crypto";
import type { Database, PrismaDb, RawClient } from "../db/index.js";
import { headRole, roleById, stepById, warnAt, type SopPreset, type SopRole, type SopStep } from "./sop.js";

/** What the scheduler tells staff about: a step nearly due (to its holder), or overdue (to the head). */
export interface SopNotice {
  kind: "warn" | "escalate";
  complaintId: string;
  ticket: string;
  step: SopStep;
  startedAt: Date;
  dueAt: Date;
  now: Date;
  /** The role holding the step (the step's own, or the one it was assigned to). */
  holderRole: SopRole;
  /** The staff member it was assigned to (Telegram id), if any. */
  holderStaff: string | null;
  head: SopRole;
}

/** The part of a transaction a notifier may write to (an OutboxMessage row for the staff group). */
export type SopTx = Pick<PrismaDb, "outboxMessage" | "complaintEvent" | "staff"> & RawClient;

export interface SopSchedulerDeps {
  db: Database;
  sop: SopPreset;
  /**
   * Posts the notice, inside the transaction that records it: if it throws, nothing is recorded and
   * the next round tries again; once it returns, the notice is never sent again.
   */
  notify(notice: SopNotice, tx: SopTx): Promise<void>;
  clock?: () => Date;
  /** How often to look (default one minute). */
  intervalMs?: number;
  /** false: no timer, rounds run only through tick() (tests drive it with a fake clock). */
  timer?: boolean;
  onError?: (error: Error) => void;
}

export interface SopScheduler {
  /** One round now (also what the timer runs); resolves to the number of notices sent. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/** The durable once-only key of a notice: one per visit of a step (a step revisited after a rejection starts anew). */
export function noticeKey(kind: SopNotice["kind"], complaintId: string, stepId: string, startedAt: Date): string {
  return `sop:${kind}:${complaintId}:${stepId}:${startedAt.getTime()}`;
}

/**
 * Time standards: every interval, open complaints whose step has used `warnAtPercent` of its time
 * get a warning to the holder, and overdue ones an escalation to the head role.
 *
 * Each notice is sent at most once per (complaint, step visit, kind), and survives restarts: its
 * key goes into ProcessedUpdate (INSERT … ON CONFLICT DO NOTHING, so two schedulers on one
 * database cannot both claim it) in the same transaction as a "sop.warned"/"sop.escalated"
 * ComplaintEvent and the notifier's outbox row. Nothing depends on when the scheduler last ran,
 * so a restart or the clock jumping back neither repeats a notice nor skips an escalation; a warning
 * whose moment was missed entirely (down until after the due time) gives way to the escalation.
 */
export function startSopScheduler(deps: SopSchedulerDeps): SopScheduler {
  const clock = deps.clock ?? (() => new Date());
  const interval = deps.intervalMs ?? 60_000;
  const onError = deps.onError ?? ((error: Error) => void process.stderr.write(`[sop-scheduler] ${error.message}\n`));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  async function claim(notice: SopNotice): Promise<boolean> {
    const key = noticeKey(notice.kind, notice.complaintId, notice.step.id, notice.startedAt);
    return deps.db.prisma.$transaction(async (tx) => {
      const sql = deps.db.sql.within(tx);
      const claimed = await sql.execute(`INSERT INTO "ProcessedUpdate" ("key", "createdAt") VALUES (?, ?) ON CONFLICT ("key") DO NOTHING`, [
        key,
        notice.now,
      ]);
      if (claimed !== 1) return false;
      await tx.complaintEvent.create({
        data: {
          id: randomUUID(),
          complaintId: notice.complaintId,
          type: notice.kind === "warn" ? "sop.warned" : "sop.escalated",
          actor: "system:sop",
          data: JSON.stringify({
            step: notice.step.id,
            stepStartedAt: notice.startedAt.toISOString(),
            dueAt: notice.dueAt.toISOString(),
            holderRole: notice.holderRole.id,
            holderStaff: notice.holderStaff,
            ...(notice.kind === "escalate" ? { head: notice.head.id } : {}),
          }),
          createdAt: notice.now,
        },
      });
      await deps.notify(notice, tx);
      return true;
    });
  }

  async function round(): Promise<number> {
    const now = clock();
    const open = await deps.db.prisma.complaint.findMany({
      where: { status: { not: "closed" }, stepDueAt: { not: null } },
      select: { id: true, ticket: true, sopStep: true, stepStartedAt: true, stepDueAt: true, holderRole: true, holderStaff: true },
      orderBy: { receivedAt: "asc" },
    });
    const head = headRole(deps.sop);
    const due: SopNotice[] = [];
    for (const c of open) {
      const step = stepById(deps.sop, c.sopStep);
      if (!step || !c.stepDueAt) continue;
      const kind =
        now.getTime() >= c.stepDueAt.getTime()
          ? "escalate"
          : now.getTime() >= warnAt(step, c.stepStartedAt, c.stepDueAt, deps.sop.warnAtPercent).getTime()
            ? "warn"
            : undefined;
      if (!kind) continue;
      const holderRole = roleById(deps.sop, c.holderRole ?? step.role) ?? roleById(deps.sop, step.role)!;
      due.push({
        kind,
        complaintId: c.id,
        ticket: c.ticket,
        step,
        startedAt: c.stepStartedAt,
        dueAt: c.stepDueAt,
        now,
        holderRole,
        holderStaff: c.holderStaff,
        head,
      });
    }
    if (due.length === 0) return 0;
    // Cheap pre-check; the claim inside the transaction is what guarantees once.
    const keys = due.flatMap((n) => [
      noticeKey("warn", n.complaintId, n.step.id, n.startedAt),
      noticeKey("escalate", n.complaintId, n.step.id, n.startedAt),
    ]);
    const done = new Set(
      (await deps.db.prisma.processedUpdate.findMany({ where: { key: { in: keys } }, select: { key: true } })).map((r) => r.key),
    );
    let sent = 0;
    for (const notice of due) {
      if (done.has(noticeKey("escalate", notice.complaintId, notice.step.id, notice.startedAt))) continue;
      if (notice.kind === "warn" && done.has(noticeKey("warn", notice.complaintId, notice.step.id, notice.startedAt))) continue;
      try {
        if (await claim(notice)) sent++;
      } catch (error) {
        onError(error as Error);
      }
    }
    return sent;
  }

  function tick(): Promise<number> {
    // One round at a time: a slow round is not overtaken by the next.
    running ??= round().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((error: Error) => onError(error))
        .finally(() => schedule(interval));
    }, delay);
    timer.unref();
  }
  // The first round at once: after a restart, what fell due meanwhile is sent without waiting.
  if (deps.timer !== false) schedule(0);

  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
