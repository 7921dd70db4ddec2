import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it, type TestContext } from "vitest";
import { createLeaderElection, repoRoot } from "../../src/db/index.js";
import { onPostgres, testDatabase } from "../helpers/database.js";
import { createPostgresDatabase } from "../helpers/postgres.js";

interface Event {
  event: string;
  pid: number;
  reason?: string;
  message?: string;
}

/** A campaigning process (test/helpers/leader-child.ts) and the transitions it printed. */
interface Candidate {
  child: ChildProcess;
  events: Event[];
  /** Resolves with the first event of that kind from now on (or already seen after `from`). */
  next(kind: string, timeoutMs: number, from?: number): Promise<{ event: Event; at: number }>;
  exited: Promise<void>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  }
});
afterAll(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function candidate(databaseUrl: string, leaseMs: number, retryMs: number): Candidate {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "test/helpers/leader-child.ts"), databaseUrl, String(leaseMs), String(retryMs)],
    {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  const events: Event[] = [];
  const waiters: (() => void)[] = [];
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push({ ...(JSON.parse(line) as Event), at: Date.now() } as Event & { at: number });
    waiters.splice(0).forEach((w) => w());
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    child,
    events,
    exited,
    next(kind, timeoutMs, from = events.length) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${kind}" from ${child.pid} within ${timeoutMs} ms; saw ${JSON.stringify(events)}`)),
          timeoutMs,
        );
        const look = () => {
          const found = events.slice(from).find((e) => e.event === kind) as (Event & { at: number }) | undefined;
          if (found) {
            clearTimeout(timer);
            resolve({ event: found, at: found.at });
          } else waiters.push(look);
        };
        look();
      });
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const elected = (c: Candidate) => c.events.filter((e) => e.event === "elected").length;

/** On the suite's database: `a` elected, then `b` campaigning. */
async function leaderAndFollower() {
  const dir = mkdtempSync(join(tmpdir(), "kanal-leader-"));
  dirs.push(dir);
  const db = await testDatabase(dir);
  const a = candidate(db.url, 3000, 300);
  await a.next("elected", 20_000, 0);
  const b = candidate(db.url, 3000, 300);
  await b.next("started", 20_000, 0);
  return { db, a, b };
}

describe("leader election", () => {
  it("elects exactly one of two instances, and the other takes over within the retry time when the leader is killed", async () => {
    const { db, a, b } = await leaderAndFollower();
    try {
      await sleep(1500); // five of b's tries
      expect(elected(b)).toBe(0);

      const killedAt = Date.now();
      a.child.kill("SIGKILL");
      const { at } = await b.next("elected", 10_000, 0);
      // A dead process frees the lock at once (its connection or its pid is gone): a retry later.
      expect(at - killedAt).toBeLessThan(3000);
    } finally {
      await db.drop();
    }
  });

  it("hands over on a clean stop, and the stopping leader stops its work before giving the lock back", async () => {
    const { db, a, b } = await leaderAndFollower();
    try {
      a.child.kill("SIGTERM");
      const deposed = await a.next("deposed", 5000, 0);
      const took = await b.next("elected", 5000, 0);
      expect(deposed.event.reason).toBe("shutting down");
      expect(took.at).toBeGreaterThanOrEqual(deposed.at);
      await a.exited;
    } finally {
      await db.drop();
    }
  });
});

describe("leader election on PostgreSQL", () => {
  /** A fresh PostgreSQL database; without one the test is reported as skipped, saying why (test:pg fails instead). */
  async function database(ctx: TestContext) {
    const db = await createPostgresDatabase();
    if ("skip" in db) {
      if (onPostgres) throw new Error(`npm run test:pg needs PostgreSQL: ${db.skip}`);
      ctx.skip(`needs PostgreSQL: ${db.skip}`);
    }
    return db;
  }

  it("a leader that stalls longer than its lease loses leadership to another, and steps down when it wakes", async (ctx) => {
    const db = await database(ctx);
    try {
      const leaseMs = 2000;
      const a = candidate(db.url, leaseMs, 300);
      await a.next("elected", 20_000, 0);
      const b = candidate(db.url, leaseMs, 300);
      await b.next("started", 20_000, 0);

      const stalledAt = Date.now();
      a.child.kill("SIGSTOP"); // alive, connection open, saying nothing
      const { at } = await b.next("elected", 15_000, 0);
      // PostgreSQL ends the session a lease after its last renewal (at most a third of a lease
      // before the stop); b's next try wins.
      expect(at - stalledAt).toBeGreaterThanOrEqual(leaseMs - leaseMs / 3 - 200);
      expect(at - stalledAt).toBeLessThan(leaseMs + 3000);

      a.child.kill("SIGCONT");
      const { event } = await a.next("deposed", 10_000, 0);
      expect(event.reason).toMatch(/no renewal|lost the lease/);
      // The woken one does not win it back while b leads.
      await sleep(1500);
      expect(elected(a)).toBe(1);
    } finally {
      await db.drop();
    }
  });

  it("survives its connection being cut (PostgreSQL restarted): steps down, then leads again", async (ctx) => {
    const db = await database(ctx);
    try {
      const a = candidate(db.url, 2000, 300);
      await a.next("elected", 20_000, 0);
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kanal-aduan leader' AND datname = current_database()`,
      );
      await admin.end();
      await a.next("deposed", 10_000, 0);
      const again = a.events.length;
      await a.next("elected", 10_000, again);
      expect(elected(a)).toBe(2);
      expect(a.child.exitCode).toBeNull();
    } finally {
      await db.drop();
    }
  });

  it("in one process: isLeader follows the transitions, and stop() waits for onDeposed", async (ctx) => {
    const db = await database(ctx);
    try {
      const order: string[] = [];
      const election = createLeaderElection({
        databaseUrl: db.url,
        leaseMs: 1500,
        retryMs: 200,
        log: () => undefined,
        onElected: async () => void order.push("elected"),
        onDeposed: async () => {
          await sleep(200);
          order.push("deposed");
        },
      });
      expect(election.isLeader()).toBe(false);
      election.start();
      for (let i = 0; i < 100 && !election.isLeader(); i++) await sleep(50);
      expect(election.isLeader()).toBe(true);
      await sleep(2000); // renewals keep it past its lease
      expect(election.isLeader()).toBe(true);
      await election.stop();
      expect(election.isLeader()).toBe(false);
      expect(order).toEqual(["elected", "deposed"]);
    } finally {
      await db.drop();
    }
  });
});
