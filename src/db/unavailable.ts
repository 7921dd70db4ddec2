import { KanalError } from "../core/index.js";

/**
 * Prisma's codes for "could not talk to the database" (P1001 unreachable, P1002 timed out, P1008
 * operation timed out, P1017 connection closed, P2024 no connection from the pool in time, P2028 a
 * transaction that its connection took down with it).
 */
const UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);

/**
 * What the driver says when the server went away, is restarting, or is busy: PostgreSQL's
 * admin_shutdown / crash_shutdown / cannot_connect_now (57P01–57P03), a database refusing
 * connections (55000), sockets cut, a pooled pg client whose connection broke ("not queryable");
 * SQLite's lock held past the busy timeout; node-postgres's pool finding no connection within its
 * connect timeout, and a statement cut by the pool's statement_timeout (57014: the database is
 * too busy to answer in time).
 */
const UNAVAILABLE_TEXT =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|connection terminated|terminating connection|server closed the connection|57P0[123]|not currently accepting connections|the database system is (starting up|shutting down)|Can't reach database server|Server has closed the connection|has encountered a connection error and is not queryable|SQLITE_BUSY|database is locked|timeout exceeded when trying to connect|canceling statement due to statement timeout/;

/** True when an error means the database is not answering right now — worth a retry, not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== "object") return typeof e === "string" && UNAVAILABLE_TEXT.test(e);
    const { code, message, cause, meta } = e as { code?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
    if (
      typeof code === "string" &&
      (UNAVAILABLE_CODES.has(code) || /^57P0[123]$|^57014$|^55000$|^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT)$/.test(code))
    )
      return true;
    if (typeof message === "string" && UNAVAILABLE_TEXT.test(message)) return true;
    if (meta && typeof meta === "object" && UNAVAILABLE_TEXT.test(JSON.stringify(meta))) return true;
    e = cause;
  }
  return false;
}

/** Rethrows a database outage as KA_DATABASE (HTTP 503: the client or provider tries again), anything else as it is. */
export function rethrowUnavailable(error: unknown): never {
  if (isDatabaseUnavailable(error)) throw new KanalError("KA_DATABASE", "the database is not answering; please try again in a moment");
  throw error;
}
