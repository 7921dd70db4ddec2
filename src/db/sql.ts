import type { DbProvider } from "./provider.js";

/** The two raw-SQL methods of a Prisma client or interactive transaction. */
export interface RawClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export interface StatementOptions {
  /**
   * The transaction's last statement: the runner may send the COMMIT with it, one round trip for
   * both (PostgreSQL's direct transactions, pg-direct.ts), and nothing may run on it afterwards.
   * Elsewhere it is ignored and the transaction commits as usual — so a runner that wraps another
   * and passes only (sql, params) on loses nothing but the round trip.
   */
  last?: boolean;
}

/** db.transaction's options (PostgreSQL's statements are bounded by the pool's statement_timeout instead). */
export interface TransactionOptions {
  /** How long to wait for the connection (default 2 s, Prisma's). */
  maxWait?: number;
  /** How long the whole transaction may take before it is rolled back (default 5 s, Prisma's). */
  timeout?: number;
  /**
   * PostgreSQL: its planner held to index walks for this transaction (pg-direct.ts,
   * BEGIN_WITH_INDEX_WALKS_ONLY), for transactions whose every statement finds its rows through an index.
   * SQLite's planner takes those walks by itself: ignored there.
   */
  indexWalksOnly?: boolean;
}

/**
 * Raw SQL written once with `?` placeholders and double-quoted identifiers, which both SQLite and
 * PostgreSQL accept; PostgreSQL gets `$1, $2, …` instead of `?`. Only our own SQL goes through
 * here (no `?` inside literals), never user text.
 */
export interface SqlRunner {
  readonly provider: DbProvider;
  query<T>(sql: string, params?: readonly unknown[], options?: StatementOptions): Promise<T[]>;
  execute(sql: string, params?: readonly unknown[], options?: StatementOptions): Promise<number>;
  /** The same runner bound to an interactive transaction. */
  within(tx: RawClient): SqlRunner;
  /**
   * One statement run once per parameter row, where that is cheaper than one statement carrying
   * every row (a statement prepared once on a direct connection: sqlite-direct.ts); absent otherwise.
   */
  executeEach?(sql: string, rows: readonly (readonly unknown[])[]): Promise<number>;
}

export function sqlRunner(client: RawClient, provider: DbProvider): SqlRunner {
  const text = provider === "postgresql" ? toNumberedPlaceholders : (sql: string) => sql;
  return {
    provider,
    query: <T>(sql: string, params: readonly unknown[] = []) => client.$queryRawUnsafe<T[]>(text(sql), ...params),
    execute: (sql, params = []) => client.$executeRawUnsafe(text(sql), ...params),
    within: (tx) => sqlRunner(tx, provider),
  };
}

/** The statement texts marked by planStable. */
const planStableTexts = new Set<string>();

/**
 * Marks a statement whose plan cannot go wrong whatever its values and however many rows its tables
 * hold — an INSERT of what a JSON parameter unpacks to, an upsert that finds its conflict through
 * the unique index — so that on PostgreSQL it is prepared once per connection and its plan kept
 * (pg-direct.ts), instead of parsed and planned at every call: for the batch's many-table INSERT
 * that planning was a large part of PostgreSQL's CPU, paid once per batch, and several instances
 * write more, smaller batches.
 * Never for a statement that finds rows by a condition, even by primary key: PostgreSQL switches a
 * prepared statement to a generic plan after five runs and keeps it until the next ANALYZE, and
 * one made while a new deployment's tables were empty goes on scanning them when full. Seen here:
 * the batch's read went from 2.4 to 16 ms; the outbox's UPDATE by id got a generic plan that
 * walks a partial index of every unfinished row for the id (README, Benchmark). The one exception:
 * a statement that finds each row by a full unique key and runs only in transactions that hold the
 * planner to index walks (TransactionOptions.indexWalksOnly), under which the generic plan is the
 * walk (the batch's read, src/pipeline/step-batch.ts). Returns the text.
 */
export function planStable(sql: string): string {
  planStableTexts.add(sql);
  return sql;
}

export function isPlanStable(sql: string): boolean {
  return planStableTexts.has(sql);
}

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
export function toNumberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * `column` is (or with `not`, is none) of the strings of a JSON array passed as one parameter. One
 * parameter however long the list: Prisma's cost is per parameter as well as per statement.
 * PostgreSQL gets `= ANY(ARRAY(…))`, which it looks up in the column's index one value at a time
 * whatever its statistics say; `IN (SELECT json_array_elements_text(…))` made it guess the list
 * at 100 rows and, on a table not yet analysed (a new deployment, a burst), read every row of the
 * channel for each batch instead.
 */
export function inJsonList(provider: DbProvider, column: string, options: { not?: boolean } = {}): string {
  if (provider === "postgresql") {
    return `${column} ${options.not ? "<> ALL" : "= ANY"}(ARRAY(SELECT json_array_elements_text(?::json)))`;
  }
  return `${column} ${options.not ? "NOT IN" : "IN"} (SELECT value FROM json_each(?))`;
}

/** `(?, ?, ?), (?, ?, ?)` for a multi-row VALUES clause. */
export function valuesList(rows: number, columns: number): string {
  const row = `(${new Array(columns).fill("?").join(", ")})`;
  return new Array(rows).fill(row).join(", ");
}
