import type BetterSqlite3 from "better-sqlite3";
import type { SqlRunner, TransactionOptions } from "./sql.js";

/**
 * Raw-SQL transactions on SQLite's one connection without Prisma's interactive-transaction
 * machinery: BEGIN IMMEDIATE … COMMIT run on the connection itself. Through Prisma each transaction
 * cost its query layer twice (BEGIN and COMMIT through the WebAssembly compiler, the transaction
 * registry, its timers), ≈ 14 % of a busy web-chat server's main thread (README, Benchmark).
 *
 * Prisma's adapter keeps one connection and lets one of its transactions open on it at a time; our
 * transactions must take the same turns, or one would BEGIN inside another. `TransactionTurns` is
 * that one queue: the adapter's `startTransaction` is wrapped to wait in it (`shareTurns`), and a
 * raw transaction waits in it too. Statements Prisma runs outside any transaction never waited
 * for Prisma's own lock either; nothing changes for them.
 */
export interface TransactionTurns {
  /** Resolves with the release once it is the caller's turn; rejects after `maxWaitMs`. */
  take(maxWaitMs: number): Promise<() => void>;
}

export function transactionTurns(): TransactionTurns {
  let busy = false;
  const waiting: Array<{ start: (release: () => void) => void }> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next.start(once());
    else busy = false;
  };
  // A release called twice (a rollback after a failed commit) must not hand out two turns.
  const once = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };
  return {
    take(maxWaitMs) {
      if (!busy) {
        busy = true;
        return Promise.resolve(once());
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          start: (turn: () => void) => {
            clearTimeout(timer);
            resolve(turn);
          },
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(transactionError(`could not start a SQLite transaction within ${maxWaitMs} ms: the connection stayed busy`));
        }, maxWaitMs);
        waiting.push(waiter);
      });
    },
  };
}

/** The part of Prisma's driver adapter (and its transactions) whose turns are shared. */
interface TransactionalAdapter {
  startTransaction(isolationLevel?: string): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }>;
}

/** Prisma's transactions on `adapter` wait for their turn with ours (and give it back when they end). */
export function shareTurns(adapter: TransactionalAdapter, turns: TransactionTurns): void {
  const start = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    // Prisma applies its own maxWait around this call; ours only needs to never give up first.
    const release = await turns.take(2 ** 31 - 1);
    try {
      const transaction = await start(isolationLevel);
      const commit = transaction.commit.bind(transaction);
      const rollback = transaction.rollback.bind(transaction);
      transaction.commit = () => commit().finally(release);
      transaction.rollback = () => rollback().finally(release);
      return transaction;
    } catch (error) {
      release();
      throw error;
    }
  };
}

/**
 * `transaction(work)`: BEGIN IMMEDIATE (every raw transaction here writes, and taking the write lock
 * at once makes another process wait for it under the busy timeout instead of failing on the first
 * write), `work` with a runner valid only while the transaction is open, COMMIT — or ROLLBACK when
 * `work` throws or outlives `timeout`. A statement `work` issues after its transaction ended throws
 * rather than run outside it, or inside the next one.
 */
export function rawSqliteTransactions(connection: BetterSqlite3.Database, direct: SqlRunner, turns: TransactionTurns) {
  const begin = connection.prepare("BEGIN IMMEDIATE");
  const commit = connection.prepare("COMMIT");
  const rollback = connection.prepare("ROLLBACK");
  const end = (statement: BetterSqlite3.Statement) => {
    if (connection.inTransaction) statement.run();
  };

  return async function transaction<T>(work: (sql: SqlRunner) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const release = await turns.take(options.maxWait ?? 2000);
    let open = false;
    let timer: NodeJS.Timeout | undefined;
    try {
      begin.run();
      open = true;
      const timeoutMs = options.timeout ?? 5000;
      const expired = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          if (!open) return;
          open = false;
          end(rollback);
          reject(transactionError(`a SQLite transaction took longer than ${timeoutMs} ms and was rolled back`));
        }, timeoutMs);
      });
      const result = await Promise.race([work(scoped(direct, () => open)), expired]);
      open = false;
      commit.run();
      return result;
    } catch (error) {
      // The work failed, or COMMIT itself did (SQLITE_BUSY, a full disk: SQLite may leave the
      // transaction open); after a timeout the timer has already rolled back.
      open = false;
      end(rollback);
      throw error;
    } finally {
      clearTimeout(timer);
      release();
    }
  };
}

/** `runner`, refusing every statement once `live()` is false. */
function scoped(runner: SqlRunner, live: () => boolean): SqlRunner {
  const check = () => {
    if (!live()) throw transactionError("a statement after its SQLite transaction ended (timed out or rolled back)");
  };
  const executeEach = runner.executeEach?.bind(runner);
  const view: SqlRunner = {
    provider: runner.provider,
    query: async (sql, params) => {
      check();
      return runner.query(sql, params);
    },
    execute: async (sql, params) => {
      check();
      return runner.execute(sql, params);
    },
    ...(executeEach
      ? {
          executeEach: async (sql: string, rows: readonly (readonly unknown[])[]) => {
            check();
            return executeEach(sql, rows);
          },
        }
      : {}),
    within: () => view,
  };
  return view;
}

/**
 * P2028 is Prisma's code for the same two failures (no turn in time, a transaction past its
 * limit), so callers and isDatabaseUnavailable (a 503, retried) treat both kinds alike.
 */
function transactionError(message: string): Error {
  return Object.assign(new Error(message), { code: "P2028" });
}
