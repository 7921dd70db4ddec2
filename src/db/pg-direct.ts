import type pg from "pg";
import { toNumberedPlaceholders, type SqlRunner } from "./sql.js";

/** PostgreSQL's type ids whose text the default node-postgres parsers read differently from Prisma. */
const TIMESTAMP = 1114;
const INT8 = 20;

/**
 * A transaction of raw statements run straight on a pool client, for the pipeline's batches on
 * PostgreSQL: through Prisma each statement pays its query layer (parameters serialised into and
 * out of the WebAssembly query compiler), which made a batch several times dearer on PostgreSQL
 * than on SQLite, where the same statements already run on the connection directly
 * (sqlite-direct.ts). Values go in and come out as Prisma's raw queries give them:
 * - `timestamp(3)` columns (without a time zone) hold UTC: a Date goes in as its UTC ISO text and
 *   comes out as that instant — node-postgres would otherwise use the process's time zone both ways
 *   (an office runs with TZ=Asia/Jakarta);
 * - `bigint` comes out as a bigint, not a string.
 */
export function pgDirectTransaction(pool: pg.Pool, types: typeof pg.types): <T>(work: (sql: SqlRunner) => Promise<T>) => Promise<T> {
  const parsers: pg.CustomTypesConfig = {
    getTypeParser: ((oid: number, format?: "text" | "binary"): ((text: string) => unknown) => {
      if (oid === TIMESTAMP) return (text: string) => new Date(`${text.replace(" ", "T")}Z`);
      if (oid === INT8) return (text: string) => BigInt(text);
      return types.getTypeParser(oid, format ?? "text") as (text: string) => unknown;
    }) as pg.CustomTypesConfig["getTypeParser"],
  };

  const runnerOn = (client: pg.PoolClient): SqlRunner => {
    const run = (sql: string, params: readonly unknown[]) =>
      client.query({ text: toNumberedPlaceholders(sql), values: params.map(toPostgres), types: parsers });
    const runner: SqlRunner = {
      provider: "postgresql",
      query: async <T>(sql: string, params: readonly unknown[] = []) => (await run(sql, params)).rows as T[],
      execute: async (sql, params = []) => (await run(sql, params)).rowCount ?? 0,
      // Everything inside is already this transaction's.
      within: () => runner,
    };
    return runner;
  };

  return async <T>(work: (sql: SqlRunner) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(runnerOn(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollback: unknown) => {
        // A connection that cannot even roll back is not given back to the pool.
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };
}

function toPostgres(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value === undefined ? null : value;
}
