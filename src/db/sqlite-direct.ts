import type BetterSqlite3 from "better-sqlite3";
import type { SqlRunner } from "./sql.js";
import { isoTimestamp } from "./timestamp.js";

/**
 * Raw SQL inside a transaction on SQLite — a raw one (sqlite-transactions.ts) or a Prisma
 * interactive one — run straight on the connection, with each statement prepared once. Prisma's
 * driver adapter keeps ONE better-sqlite3 connection and runs BEGIN … COMMIT on it, so a statement
 * run on that connection while the transaction is open is part of it — the same statement through
 * Prisma costs its query layer (parameters serialised into and out of the WebAssembly query
 * compiler, the statement prepared anew every time), several times what SQLite itself spends on
 * the hot path's few multi-row statements (README, Benchmark). Values go in and come out as
 * Prisma's raw queries give them: booleans as 0/1, dates as ISO text in, DATETIME/BOOLEAN/BIGINT
 * columns as Date, boolean and bigint out.
 */
export function directSqliteRunner(connection: BetterSqlite3.Database): SqlRunner {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = connection.prepare(sql);
      // The hot statements are few and fixed; anything else built per call is not kept.
      if (statements.size < 200) statements.set(sql, statement);
    }
    return statement;
  };
  // Only inside a transaction: one Prisma ended (its timeout) would otherwise see these statements
  // run outside any. (Prisma runs one interactive transaction at a time on the connection.)
  const open = () => {
    if (!connection.inTransaction) throw new Error("direct SQLite statement outside its transaction");
  };
  const runner: SqlRunner = {
    provider: "sqlite",
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      open();
      const statement = prepare(sql);
      if (!statement.reader) {
        statement.run(...params.map(toSqlite));
        return [];
      }
      const converters = statement.columns().map((c) => fromSqlite(c.type));
      const names = statement.columns().map((c) => c.name);
      return (statement.raw(true).all(...params.map(toSqlite)) as unknown[][]).map((row) => {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) out[names[i]!] = converters[i]!(row[i]);
        return out as T;
      });
    },
    async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
      open();
      return prepare(sql).run(...params.map(toSqlite)).changes;
    },
    async executeEach(sql: string, rows: readonly (readonly unknown[])[]): Promise<number> {
      open();
      const statement = prepare(sql);
      let changes = 0;
      for (const row of rows) changes += statement.run(...row.map(toSqlite)).changes;
      return changes;
    },
    // Every transaction on this connection is the connection's: the same runner serves them all.
    within: () => runner,
  };
  return runner;
}

function toSqlite(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return isoTimestamp(value, "+00:00");
  return value === undefined ? null : value;
}

const same = (v: unknown) => v;

function fromSqlite(declared: string | null): (value: unknown) => unknown {
  switch (declared?.toUpperCase()) {
    case "DATETIME":
    case "TIMESTAMP":
      return (v) => (v === null ? null : new Date(typeof v === "bigint" ? Number(v) : (v as string | number)));
    case "BOOLEAN":
      return (v) => (v === null ? null : Boolean(v));
    case "BIGINT":
    case "INT8":
      return (v) => (v === null ? null : BigInt(v as number | bigint));
    default:
      return same;
  }
}
