import type { Database } from "./client.js";
import type { SqlRunner } from "./sql.js";
import { rethrowUnavailable } from "./unavailable.js";

/**
 * Per-client request counters every instance shares: one fixed window per key in the RateLimit
 * table, counted with one INSERT … ON CONFLICT DO UPDATE … RETURNING (SQLite ≥ 3.35 and PostgreSQL
 * alike), so two instances counting the same client at once both see the other's hit.
 */
export function sharedRateCounter(db: Database, clock: () => number = Date.now) {
  return (key: string, windowMs: number): Promise<{ hits: number; resetAtMs: number }> =>
    countRateHit(db.sql, key, windowMs, clock()).catch(rethrowUnavailable);
}

/** One hit on a window, on any runner (also inside a transaction, whose rollback undoes it). */
export async function countRateHit(
  sql: SqlRunner,
  key: string,
  windowMs: number,
  now: number,
): Promise<{ hits: number; resetAtMs: number }> {
  const rows = await sql.query<{ hits: number | bigint; resetAt: number | bigint | string }>(
    `INSERT INTO "RateLimit" ("key", "hits", "resetAt") VALUES (?, 1, ?)
     ON CONFLICT ("key") DO UPDATE SET
       "hits" = CASE WHEN "RateLimit"."resetAt" <= ? THEN 1 ELSE "RateLimit"."hits" + 1 END,
       "resetAt" = CASE WHEN "RateLimit"."resetAt" <= ? THEN ? ELSE "RateLimit"."resetAt" END
     RETURNING "hits", "resetAt"`,
    [key, now + windowMs, now, now, now + windowMs],
  );
  const row = rows[0];
  if (!row) throw new Error("rate limit: the counter row was not returned");
  return { hits: Number(row.hits), resetAtMs: Number(row.resetAt) };
}

/** The hits of the windows still running, without counting one: keys with no running window are left out. */
export async function readRateHits(
  sql: SqlRunner,
  keys: readonly string[],
  now: number,
): Promise<Map<string, { hits: number; resetAtMs: number }>> {
  const found = new Map<string, { hits: number; resetAtMs: number }>();
  for (const key of keys) {
    const rows = await sql.query<{ hits: number | bigint; resetAt: number | bigint | string }>(
      `SELECT "hits", "resetAt" FROM "RateLimit" WHERE "key" = ? AND "resetAt" > ?`,
      [key, now],
    );
    const row = rows[0];
    if (row) found.set(key, { hits: Number(row.hits), resetAtMs: Number(row.resetAt) });
  }
  return found;
}

/** Drops the windows that ended before `now` (a leader duty runs it; a stale row only costs space). */
export async function forgetEndedRateWindows(db: Database, now: number = Date.now()): Promise<number> {
  return db.sql.execute(`DELETE FROM "RateLimit" WHERE "resetAt" < ?`, [now]);
}
