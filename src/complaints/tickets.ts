import { formatTicket, ticketCounterKey } from "../core/index.js";
import { planStable, type SqlRunner } from "../db/index.js";

/**
 * An upsert of the counter row by its key: plan-stable (src/db/sql.ts).
 * `APART` (PostgreSQL, a statement outside the batch's transaction): its commit does not wait for
 * the WAL to reach the disk, so the row lock is released at once instead of after a flush. Safe: a
 * complaint carrying these numbers commits later, and that commit's flush covers this earlier WAL
 * record; a crash before it loses the numbers together with every use of them.
 */
const reserveFrom = (source: string) =>
  planStable(`INSERT INTO "TicketCounter" ("key", "value") ${source}
     ON CONFLICT ("key") DO UPDATE SET "value" = "TicketCounter"."value" + ?
     RETURNING "value"`);
const RESERVE = reserveFrom(`VALUES (?, ?)`);
const RESERVE_APART = reserveFrom(`SELECT ?, ? FROM (SELECT set_config('synchronous_commit', 'off', true)) AS "local"`);

/**
 * Reserves `count` consecutive ticket numbers for (prefix, year), in the caller's transaction or,
 * given a runner outside one, in a statement that commits by itself. One UPDATE … RETURNING per
 * batch: the row lock (PostgreSQL) or the write lock (SQLite) makes concurrent reservations queue
 * here, so numbers are unique, in order, and never reused.
 */
export async function allocateTickets(
  sql: SqlRunner,
  prefix: string,
  year: number,
  count: number,
  options: { apart?: boolean } = {},
): Promise<string[]> {
  if (count <= 0) return [];
  const rows = await sql.query<{ value: number | bigint }>(options.apart ? RESERVE_APART : RESERVE, [
    ticketCounterKey(prefix, year),
    count,
    count,
  ]);
  const last = Number(rows[0]!.value);
  return Array.from({ length: count }, (_, i) => formatTicket(prefix, year, last - count + 1 + i));
}
