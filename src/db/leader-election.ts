import { hostname } from "node:os";
import { dirname, join } from "node:path";
import type pg from "pg";
import { loadPg } from "./pg-module.js";
import { describeError } from "../core/index.js";
import { providerOf, sqlitePath } from "./provider.js";
import { fileLock } from "./session-lock.js";

/**
 * One leader per office for what must run once (Telegram long polling, the IMAP watcher, the
 * WhatsApp Web session, the Discord gateway, the SOP scheduler), among the instances on one database.
 */
export interface LeaderElection {
  /** This instance's name in logs and on /health (`host:pid`). */
  readonly instance: string;
  isLeader(): boolean;
  /** Starts campaigning: tries at once, then every `retryMs` while another instance leads. */
  start(): void;
  /** Resolves once the first try is over (and, when it won, once `onElected` has run). */
  ready(): Promise<void>;
  /** Steps down (waiting for `onDeposed`) and stops campaigning. */
  stop(): Promise<void>;
}

export interface LeaderElectionOptions {
  databaseUrl: string;
  /** Called when this instance becomes the leader; the next transition waits for it. */
  onElected(): Promise<void>;
  /** Called when it stops being the leader (lost the database, stalled, or stop()); the reason is for the log. */
  onDeposed(reason: string): Promise<void>;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * How long a silent leader stays leader (default 15 s). PostgreSQL ends the leader's session once
   * it has said nothing for this long, which frees the lock for another instance; the leader renews
   * every third of it and steps down itself when it could not for two thirds.
   */
  leaseMs?: number;
  /** How often a follower tries again (default 5 s). Leader gone → a new one within leaseMs + retryMs. */
  retryMs?: number;
  /** The lock's name: instances of one office share it (default "kanal-aduan:leader"). */
  name?: string;
}

/** What holds the leadership: a PostgreSQL advisory lock, or (SQLite, one machine) a lock file. */
interface Lease {
  acquire(): Promise<boolean>;
  /** Proves the lease is still ours; rejects when it is not. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

export function createLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const leaseMs = options.leaseMs ?? 15_000;
  const retryMs = options.retryMs ?? 5_000;
  const name = options.name ?? "kanal-aduan:leader";
  const instance = `${hostname()}:${process.pid}`;
  const log = options.log;
  const lease: Lease =
    providerOf(options.databaseUrl) === "postgresql"
      ? advisoryLease(options.databaseUrl, name, leaseMs, log)
      : fileLease(join(dirname(sqlitePath(options.databaseUrl)), `${name.replace(/[^a-z0-9.-]+/gi, "-")}.lock`));

  let campaigning = false;
  let leader = false;
  let timer: NodeJS.Timeout | undefined;
  /** performance.now() of the last renewal that succeeded. */
  let renewedAt = 0;
  /** Transitions run one after another: a deposition waits for the election it follows. */
  let transitions: Promise<void> = Promise.resolve();
  let firstRound: Promise<void> = Promise.resolve();

  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (campaigning) timer = setTimeout(() => void round(), ms);
  };

  const renewEvery = Math.max(1, Math.floor(leaseMs / 3));
  // Two thirds of the lease without a renewal: step down before PostgreSQL ends the session and
  // another instance takes over, so that two leaders overlap as little as possible.
  const stepDownAfter = Math.floor((leaseMs * 2) / 3);

  async function round(): Promise<void> {
    if (!campaigning) return;
    if (!leader) {
      // A deposition still giving the lease back must finish before we ask for it again.
      await transitions;
      if (!campaigning) return;
      let won = false;
      try {
        won = await lease.acquire();
      } catch (error) {
        log("leader election: the database did not answer; trying again", { error: describeError(error), retryMs });
      }
      if (!campaigning) {
        if (won) await lease.release().catch(() => undefined);
        return;
      }
      if (!won) return schedule(retryMs);
      leader = true;
      renewedAt = performance.now();
      log("leader election: this instance is the leader", { instance });
      transition(() => options.onElected());
      return schedule(renewEvery);
    }
    // A leader that was stalled (event loop blocked, process stopped) finds out here, first thing.
    if (performance.now() - renewedAt > stepDownAfter) return depose(`no renewal for ${Math.round(performance.now() - renewedAt)} ms`);
    try {
      await lease.renew();
      renewedAt = performance.now();
    } catch (error) {
      return depose(`lost the lease: ${describeError(error)}`);
    }
    schedule(renewEvery);
  }

  function depose(reason: string): void {
    if (!leader) return;
    leader = false;
    log("leader election: this instance is no longer the leader", { instance, reason });
    // The connections stop before the lease is given back, so that the next leader never runs
    // them side by side with ours on purpose.
    transition(async () => {
      await options.onDeposed(reason);
      await lease.release().catch(() => undefined);
    });
    schedule(retryMs);
  }

  function transition(step: () => Promise<void>): void {
    transitions = transitions.then(step).catch((error) => log("leader election: a transition failed", { error: describeError(error) }));
  }

  return {
    instance,
    isLeader: () => leader,
    start() {
      if (campaigning) return;
      campaigning = true;
      firstRound = round().then(() => transitions);
    },
    ready: () => firstRound,
    async stop() {
      campaigning = false;
      clearTimeout(timer);
      depose("shutting down");
      await transitions;
    },
  };
}

/**
 * A transaction-level advisory lock held on a connection of its own, in a transaction kept open on
 * purpose with `idle_in_transaction_session_timeout = leaseMs`: PostgreSQL itself ends the session
 * of a leader that went quiet (dead machine, stalled process, lost network), which frees the lock.
 * A process that dies outright frees it at once (its connection closes). Between statements a READ
 * COMMITTED transaction holds no snapshot, so the open transaction does not hold back VACUUM.
 */
function advisoryLease(databaseUrl: string, name: string, leaseMs: number, log: LeaderElectionOptions["log"]): Lease {
  let client: pg.Client | undefined;
  const close = async () => {
    const held = client;
    client = undefined;
    await held?.end().catch(() => undefined);
  };
  return {
    async acquire() {
      const candidate = new (await loadPg()).Client({
        connectionString: databaseUrl,
        application_name: "kanal-aduan leader",
        keepAlive: true,
        connectionTimeoutMillis: leaseMs,
        query_timeout: Math.max(1000, Math.floor(leaseMs / 3)),
      });
      // A connection that dies (PostgreSQL restarted, our session ended) emits "error": without a
      // listener that would crash the process. The next renewal finds out and steps down.
      candidate.on("error", (error) => log("leader election: connection error", { error: error.message }));
      try {
        await candidate.connect();
        await candidate.query(`SET idle_in_transaction_session_timeout = ${Math.max(1000, Math.floor(leaseMs))}`);
        await candidate.query("BEGIN");
        const { rows } = await candidate.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked", [name]);
        if (rows[0]?.locked) {
          client = candidate;
          return true;
        }
      } catch (error) {
        await candidate.end().catch(() => undefined);
        throw error;
      }
      await candidate.end().catch(() => undefined);
      return false;
    },
    async renew() {
      if (!client) throw new Error("no connection");
      try {
        await client.query("SELECT 1");
      } catch (error) {
        await close();
        throw error;
      }
    },
    release: close,
  };
}

/** SQLite serves one machine: the lock file of src/db/session-lock.ts, whose holder's pid is checked. */
function fileLease(path: string): Lease {
  const lock = fileLock(path);
  return {
    acquire: () => lock.acquire(),
    async renew() {
      if (!(await lock.stillHeld())) throw new Error(`the lock file ${path} is no longer ours`);
    },
    release: () => lock.release(),
  };
}
