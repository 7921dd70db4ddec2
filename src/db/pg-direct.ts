import type pg from "pg";
import { isPlanStable, toNumberedPlaceholders, type RawClient, type SqlRunner, type StatementOptions } from "./sql.js";
import type { TransactionOptions } from "./sql.js";
import { isoTimestamp } from "./timestamp.js";

/** PostgreSQL's type ids whose text the default node-postgres parsers read differently from Prisma. */
const TIMESTAMP = 1114;
const INT8 = 20;

/** A pool, or one client checked out of it: either runs a statement. */
type Queryable = Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">;

/**
 * Raw statements run straight on node-postgres, outside Prisma's query layer: through Prisma each
 * statement pays that layer (parameters serialised into and out of the WebAssembly query
 * compiler), which made the hot statements several times dearer on PostgreSQL than on SQLite,
 * where they already run on the connection directly (sqlite-direct.ts). Values go in and come out
 * as Prisma's raw queries give them:
 * - `timestamp(3)` columns (without a time zone) hold UTC: a Date goes in as its UTC ISO text and
 *   comes out as that instant — node-postgres would otherwise use the process's time zone both ways
 *   (an office runs with TZ=Asia/Jakarta);
 * - `bigint` comes out as a bigint, not a string.
 */
export function pgDirect(
  pool: pg.Pool,
  types: typeof pg.types,
  viaPrisma: (tx: RawClient) => SqlRunner,
): {
  /** Each statement on its own (autocommit), on whichever pool client is free; `within(tx)` joins a Prisma transaction. */
  sql: SqlRunner;
  /** A transaction of raw statements on one pool client (of the options, only indexWalksOnly applies). */
  transaction: <T>(work: (sql: SqlRunner) => Promise<T>, options?: TransactionOptions) => Promise<T>;
} {
  const parsers: pg.CustomTypesConfig = {
    getTypeParser: ((oid: number, format?: "text" | "binary"): ((text: string) => unknown) => {
      if (oid === TIMESTAMP) return (text: string) => new Date(`${text.replace(" ", "T")}Z`);
      if (oid === INT8) return (text: string) => BigInt(text);
      return types.getTypeParser(oid, format ?? "text") as (text: string) => unknown;
    }) as pg.CustomTypesConfig["getTypeParser"],
  };

  const statementOf = preparedStatements();
  const runnerOn = (target: Queryable, within: (tx: RawClient) => SqlRunner): SqlRunner => {
    const run = (sql: string, params: readonly unknown[]) =>
      target.query({ ...statementOf(sql), values: params.map(toPostgres), types: parsers });
    return {
      provider: "postgresql",
      query: async <T>(sql: string, params: readonly unknown[] = []) => (await run(sql, params)).rows as T[],
      execute: async (sql, params = []) => (await run(sql, params)).rowCount ?? 0,
      within,
    };
  };

  const transaction = async <T>(work: (sql: SqlRunner) => Promise<T>, options: TransactionOptions = {}): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    // Not awaited: the pool's clients pipeline (pg-pool.ts), so BEGIN goes out with the
    // transaction's first statement and both are answered in one round trip instead of two. It
    // waits in the socket's buffer until that statement is issued, and leaves with it in one write.
    const sendBegin = holdWrites(client);
    let begin: Promise<unknown> | undefined = client.query(options.indexWalksOnly ? BEGIN_WITH_INDEX_WALKS_ONLY : "BEGIN");
    /** A statement's answer, and BEGIN's too if this is the transaction's first statement (issued just before: it goes out now). */
    const begun = async <R>(statement: Promise<R>): Promise<R> => {
      const pending = begin;
      begin = undefined;
      if (pending === undefined) return statement;
      sendBegin();
      return (await Promise.all([pending, statement]))[1];
    };
    try {
      // Everything inside is already this transaction's.
      const inner = runnerOn(client, () => runner);
      let committed = false;
      /**
       * A statement's answer; for the last one (StatementOptions.last), the COMMIT pipelined behind
       * it. Should that statement fail, PostgreSQL answers the COMMIT by rolling back: the
       * statement's error is what the work sees.
       */
      const answer = async <R>(issue: () => Promise<R>, options: StatementOptions | undefined): Promise<R> => {
        if (committed) throw new Error("a statement after the transaction's last one (StatementOptions.last)");
        if (!options?.last) return begun(issue());
        committed = true;
        const send = holdWrites(client);
        const statement = begun(issue());
        const commit = client.query("COMMIT");
        send();
        return (await Promise.all([statement, commit]))[0];
      };
      const runner: SqlRunner = {
        ...inner,
        query: (sql, params, options) => answer(() => inner.query(sql, params), options),
        execute: (sql, params, options) => answer(() => inner.execute(sql, params), options),
      };
      const result = await work(runner);
      if (!committed) await begun(client.query("COMMIT"));
      return result;
    } catch (error) {
      // A BEGIN still unanswered (the work failed before its first statement) is answered first.
      await begun(client.query("ROLLBACK")).catch((rollback: unknown) => {
        // A connection that cannot even roll back is not given back to the pool.
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };

  return { sql: runnerOn(pool, viaPrisma), transaction };
}

/**
 * Holds a client's writes in its socket's buffer until the returned function is called, so that
 * statements issued together leave in one write. Each write wakes the PostgreSQL process serving
 * the connection: with BEGIN, the statement and COMMIT each written on its own, a transaction woke
 * it up to four times, and on a machine whose cores every instance and PostgreSQL share, each
 * wake-up is a switch between processes (README, Benchmark). Holds nest; the last release writes.
 */
function holdWrites(client: pg.PoolClient): () => void {
  const socket = client.connection.stream;
  // node-postgres checks for them too: a stream given in the connection's options may lack them.
  if (typeof socket.cork !== "function" || typeof socket.uncork !== "function") return () => undefined;
  socket.cork();
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    socket.uncork();
  };
}

/**
 * The planner's settings of a transaction whose statements must keep their cheap plan — walk an
 * index to the few rows wanted — whatever the tables' statistics say. PostgreSQL picks those walks
 * by itself only with fresh statistics; without them (a new deployment, a burst before
 * autovacuum's next ANALYZE) it read, hashed and sorted whole tables instead: the outbox's poll took
 * 45–200 ms instead of 1 ms under a backlog (src/outbox/store.ts), and a prepared statement's
 * generic plan, made once and kept, looked a batch's conversations up by their channel alone
 * (README, Benchmark). The settings forbid no plan, they price the others out, and they are the
 * transaction's own (SET LOCAL): the connection goes back to the pool as it came. Sent with BEGIN
 * as one simple-protocol message, so they cost no round trip of their own.
 */
const BEGIN_WITH_INDEX_WALKS_ONLY = [
  "BEGIN",
  ...["enable_sort", "enable_bitmapscan", "enable_seqscan", "enable_material", "enable_hashjoin", "enable_mergejoin"].map(
    (setting) => `SET LOCAL ${setting} = off`,
  ),
].join("; ");

/** How many statements a process prepares by name; a plan-stable one beyond runs unnamed. */
const PREPARED_LIMIT = 100;

/**
 * The statements marked plan-stable (sql.ts, planStable) are prepared by name: node-postgres
 * parses a named statement once per connection and then only binds and runs it. Every other
 * statement runs unnamed, parsed and planned with its values at each call. The names are bounded,
 * so texts built at run time cannot fill every connection with plans.
 */
function preparedStatements(): (sql: string) => { text: string; name?: string } {
  const named = new Map<string, { text: string; name: string }>();
  return (sql) => {
    const known = named.get(sql);
    if (known) return known;
    const text = toNumberedPlaceholders(sql);
    if (!isPlanStable(sql) || named.size >= PREPARED_LIMIT) return { text };
    const statement = { text, name: `kanal_${named.size}` };
    named.set(sql, statement);
    return statement;
  };
}

function toPostgres(value: unknown): unknown {
  if (value instanceof Date) return isoTimestamp(value);
  return value === undefined ? null : value;
}
