/**
 * `npm start` under a process manager (systemd, docker, pm2 signal the process they started: npm).
 * SIGTERM to npm must stop the whole tree cleanly — the server finishes the messages in flight,
 * closes the database, and only then does npm exit — whatever runs under npm (tsx today, compiled
 * JavaScript later): the test looks at the process tree, not at what is in it. And should npm die
 * without passing anything on (SIGKILL), the server notices it was orphaned and stops the same way.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/db/index.js";
import { dropTestDatabases, testDatabaseUrl } from "../helpers/database.js";
import { freePort } from "../helpers/process.js";

/** Every process under `root`, from /proc (Linux), children before grandchildren. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parents.set(Number(entry), stat.ppid);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function readStat(pid: number): { state: string; ppid: number; comm: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
    const close = text.lastIndexOf(")");
    const [state, ppid] = text.slice(close + 2).split(" ");
    return { state: state!, ppid: Number(ppid), comm: text.slice(text.indexOf("(") + 1, close) };
  } catch {
    return undefined;
  }
}

/** Running, sleeping or stopped: not gone and not a zombie (an orphan's zombie may wait for a PID 1 that never reaps). */
const running = (pid: number) => {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== "Z" && stat.state !== "X";
};

interface NpmStart {
  npm: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stillRunning: number[] }>;
  tree: number[];
}

// npm start runs the compiled dist/ that npm install builds: build it from the source under test.
beforeAll(() => {
  execFileSync(process.execPath, [join(repoRoot, "scripts/build.mjs")], { cwd: repoRoot, stdio: "ignore" });
});

let started: NpmStart | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (started) for (const pid of [started.npm.pid!, ...started.tree]) if (running(pid)) process.kill(pid, "SIGKILL");
  await dropTestDatabases();
  if (dir) rmSync(dir, { recursive: true, force: true });
  started = dir = undefined;
});

async function npmStart(env: Record<string, string>): Promise<NpmStart> {
  const port = await freePort();
  const npm = spawn("npm", ["start"], {
    cwd: repoRoot,
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), RATE_LIMIT: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  npm.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  npm.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  let tree: number[] = [];
  // What was still running the moment npm exited: a manager that waits for npm must find nothing left.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stillRunning: number[] }>((resolve) =>
    npm.on("exit", (code, signal) => resolve({ code, signal, stillRunning: tree.filter(running) })),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  tree = descendants(npm.pid!);
  return { npm, url, output: () => out, exited, tree };
}

async function post(url: string, path: string, body: unknown) {
  const response = await fetch(url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as { sessionId?: string } };
}

/** The database was closed: SQLite checkpointed and removed its WAL; PostgreSQL holds no connection of ours. */
async function expectDatabaseClosed(databaseUrl: string) {
  if (databaseUrl.startsWith("file:")) {
    const file = databaseUrl.slice("file:".length);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
    return;
  }
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: databaseUrl.replace(/\/[^/]*$/, "/postgres") });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1`, [name]);
    expect(Number(rows[0]!.n)).toBe(0);
  } finally {
    await admin.end();
  }
}

async function storedCitizenMessages(databaseUrl: string): Promise<number> {
  const { openDatabase } = await import("../../src/db/index.js");
  const db = await openDatabase(databaseUrl, { migrate: false });
  try {
    return await db.prisma.message.count({ where: { direction: "in" } });
  } finally {
    await db.close();
  }
}

describe("npm start under a process manager", () => {
  it("stops the whole tree on SIGTERM to npm: messages in flight finished, database closed, npm last", async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-npm-start-"));
    const databaseUrl = await testDatabaseUrl(dir);
    started = await npmStart({ DATABASE_URL: databaseUrl, ATTACHMENTS_DIR: join(dir, "files") });
    const { npm, url, tree } = started;
    // The server runs under npm, not beside it.
    expect(tree.length).toBeGreaterThan(0);
    expect(tree.some((pid) => readStat(pid)?.comm === "node")).toBe(true);

    const sessions: string[] = [];
    for (let i = 0; i < 10; i++) sessions.push((await post(url, "/api/webchat/sessions", {})).json.sessionId!);
    const inFlight = sessions.map((s) => post(url, `/api/webchat/sessions/${s}/messages`, { text: "1" }).catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 5));
    npm.kill("SIGTERM");

    const answers = await Promise.all(inFlight);
    const { code, stillRunning } = await started.exited;
    expect(stillRunning).toEqual([]);
    expect(code).toBe(0);
    for (const pid of tree) expect(running(pid)).toBe(false);
    expect(started.output()).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
    expect(started.output()).not.toMatch(/shutdown failed/);

    // Every request was answered whole or refused at the door; what was answered is stored.
    const answered = answers.filter((a) => a !== undefined);
    expect(answered.every((a) => a.status === 200 || a.status === 503)).toBe(true);
    await expectDatabaseClosed(databaseUrl);
    expect(await storedCitizenMessages(databaseUrl)).toBe(answered.filter((a) => a.status === 200).length);
  }, 150_000);

  it("stops by itself, cleanly, when npm is killed without passing anything on", async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-npm-start-"));
    const databaseUrl = await testDatabaseUrl(dir);
    started = await npmStart({ DATABASE_URL: databaseUrl, ATTACHMENTS_DIR: join(dir, "files") });
    const { npm, url, tree } = started;
    npm.kill("SIGKILL");
    await started.exited;
    await expect.poll(() => tree.filter(running), { timeout: 20_000, interval: 200 }).toEqual([]);
    expect(
      await fetch(`${url}/health`).then(
        () => "answered",
        () => "refused",
      ),
    ).toBe("refused");
    await expectDatabaseClosed(databaseUrl);
  }, 150_000);
});
