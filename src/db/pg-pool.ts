import pg from "pg";

/** How long a checked-out client whose connection died may stay checked out before we take it back. */
const DEAD_CLIENT_GRACE_MS = 5000;

/** The longest a statement may run, or a transaction sit idle, before PostgreSQL ends it. */
const STATEMENT_TIMEOUT_MS = 60_000;

/**
 * The PostgreSQL pool under Prisma, made here rather than by the adapter so that a restart of the
 * server is survived:
 * - connecting gives up after 5 s (a request then fails with 503 instead of hanging);
 * - a client whose connection died while checked out — a transaction cut by a restart — is taken
 *   back from the pool after a grace period: Prisma 6.19's adapter does not always release it when
 *   its ROLLBACK fails, and each such client would otherwise shrink the pool for good (and make
 *   pool.end() wait forever at shutdown);
 * - a statement, or a transaction left idle, is cut after a minute: the direct transactions
 *   (pg-direct.ts) have no Prisma transaction timeout, and a stuck one would hold its rows' locks.
 */
export function createPgPool(
  connectionString: string,
  log: (message: string, fields?: Record<string, unknown>) => void = () => undefined,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 10_000,
    keepAlive: true,
    // A statement is written as soon as it is issued, not after the answer to the one before: a
    // transaction's BEGIN travels with its first statement (pg-direct.ts). Nothing here reads
    // through a cursor, which pipelining would refuse.
    pipeline: true,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS,
  });
  /** The clients checked out now, each with the number of its checkout. */
  const checkedOut = new Map<pg.PoolClient, number>();
  let checkouts = 0;
  pool.on("acquire", (client) => checkedOut.set(client, ++checkouts));
  pool.on("release", (_error, client) => checkedOut.delete(client));
  pool.on("connect", (client) => {
    // An error on a checked-out client has no other listener once the adapter let go of it.
    client.on("error", () => undefined);
    client.once("end", () => {
      const checkout = checkedOut.get(client);
      if (checkout === undefined) return;
      setTimeout(() => {
        if (checkedOut.get(client) !== checkout) return;
        log("database: taking back a connection that died while in use", {});
        checkedOut.delete(client);
        try {
          client.release(new Error("the connection ended while checked out"));
        } catch {
          // Released meanwhile: nothing to take back.
        }
      }, DEAD_CLIENT_GRACE_MS).unref();
    });
  });
  // Idle clients whose connection dies emit here; the pool drops them and connects anew.
  pool.on("error", (error) => log("database: an idle connection failed", { error: error.message }));
  return pool;
}
