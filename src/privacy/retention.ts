import { periodicDuty, type Duty } from "../cluster/index.js";
import type { Database } from "../db/index.js";
import { ERASED_EVENT, eraseComplaint } from "./erase.js";

type Log = (message: string, fields?: Record<string, unknown>) => void;

export interface RetentionOptions {
  /** RETENTION_MONTHS; 0 keeps everything. */
  months: number;
  attachmentsDir: string;
  now: Date;
  /** Most complaints one round erases (the next round goes on). */
  limit?: number;
}

/** The moment a complaint closed at or before has outlived the retention period (calendar months). */
export function retentionCutoff(now: Date, months: number): Date {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  return cutoff;
}

/**
 * One round of the retention duty: every complaint closed more than RETENTION_MONTHS ago and not
 * erased yet is anonymised (src/privacy/erase.ts), each recorded by a "privacy.erased" event.
 */
export async function retentionRound(db: Database, options: RetentionOptions): Promise<{ erased: number }> {
  if (options.months <= 0) return { erased: 0 };
  const due = await db.sql.query<{ id: string }>(
    `SELECT c."id" FROM "Complaint" c
      WHERE c."status" = 'closed' AND c."closedAt" IS NOT NULL AND c."closedAt" < ?
        AND NOT EXISTS (SELECT 1 FROM "ComplaintEvent" e WHERE e."complaintId" = c."id" AND e."type" = ?)
      ORDER BY c."closedAt" LIMIT ${options.limit ?? 200}`,
    [retentionCutoff(options.now, options.months), ERASED_EVENT],
  );
  for (const { id } of due) {
    await eraseComplaint(db, {
      complaintId: id,
      why: "retention",
      actor: "system:retention",
      reason: `RETENTION_MONTHS=${options.months}`,
      now: options.now,
      attachmentsDir: options.attachmentsDir,
    });
  }
  return { erased: due.length };
}

/** The round as the leader's daily duty runs it: logs counts only, never whose data went. */
export async function retentionDutyRound(
  db: Database,
  options: Omit<RetentionOptions, "now">,
  log: Log,
  clock = () => new Date(),
): Promise<void> {
  let total = 0;
  for (;;) {
    const { erased } = await retentionRound(db, { ...options, now: clock() });
    total += erased;
    if (erased < (options.limit ?? 200)) break;
  }
  if (total > 0) log("retention: closed complaints past the retention period erased", { complaints: total, months: options.months });
}

/** Every six hours on the leader (and at once when elected): a closing that crossed the line waits at most that long. */
export function retentionDuty(db: Database, options: Omit<RetentionOptions, "now">, log: Log): Duty {
  return periodicDuty("retention", 6 * 3600_000, () => retentionDutyRound(db, options, log), log);
}
