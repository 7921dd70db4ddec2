/**
 * npm run bench -- --pg [--instances 3] [--users 3000] [--clients 100] [--whatsapp-share 0.33] [--loads 2] [--quick] [--only N|sqlite [--kill]] [--pairs K] [--profile dir]
 *
 * The scale-out load test: `npm start` run as 1…N processes on one fresh PostgreSQL database,
 * citizens spread over them round-robin through the web-chat API and the Meta webhook route
 * (WhatsApp Cloud, signed as Meta signs, replies sent to a fake Graph API), twice (or `--loads N` times):
 * a cold load (the processes' first traffic) and warm ones of as many new citizens each, the last
 * measured as warm, and in the last run the
 * leader killed with SIGKILL when 40 % of the warm load's conversations are done. A request that meets a dead
 * or busy instance (connection refused or reset, 503) goes to the next one with the same message
 * id, as Meta and the web page do. Afterwards the database is checked: every conversation has
 * its one complaint, tickets are unique (gaps counted: on PostgreSQL a batch rolled back after taking
 * its numbers leaves one), every outbox row was sent, and what
 * the fake Graph API received twice is counted. The same load on one SQLite process, and the
 * floors (a Prisma transaction of two inserts on each database), are measured in the same run.
 */
import { BENCH_IDENTITY_KEY } from "./identity-key.js";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { Pool } from "undici";
import { openDatabase, repoRoot, type Database } from "../src/db/index.js";
import { metaJson, signatureOf, startFakeGraph, whatsappTextWebhook } from "../test/fakes/meta-graph.js";
import { startCommand } from "./startup.js";
import { median, percentile } from "./stats.js";

const { values } = parseArgs({
  options: {
    pg: { type: "boolean", default: true },
    instances: { type: "string", default: "3" },
    users: { type: "string", default: "3000" },
    clients: { type: "string", default: "100" },
    "whatsapp-share": { type: "string", default: "0.33" },
    /** Loads per configuration, each of `users` new citizens: the first is cold, the last is the warm figure. */
    loads: { type: "string", default: "2" },
    quick: { type: "boolean", default: false },
    /** Just one run: PostgreSQL with this many instances, or `sqlite`, no kill (for looking into one figure). */
    only: { type: "string" },
    /** With --only N: SIGKILL the leader at 40 % of the warm load, as the full run's last configuration does. */
    kill: { type: "boolean", default: false },
    /**
     * K alternated pairs of runs, PostgreSQL with 1 instance and with `--instances`, no kill, and the
     * ratio of each pair. The same run here costs up to 40 % more CPU from one minute to the next
     * (README, Benchmark), so one pair says little; the median of several, alternated so that a
     * slow phase of the machine falls on both sides, says whether the instances add up.
     */
    pairs: { type: "string" },
    /** Each instance writes a CPU profile (node --cpu-prof) into this folder when it stops. */
    profile: { type: "string" },
  },
  strict: false,
});
const quick = values.quick === true;
const maxInstances = Number(values.instances);
const users = quick ? 300 : Number(values.users);
const clients = Number(values.clients);
const whatsappShare = Number(values["whatsapp-share"]);
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const APP_SECRET = "bench-app-secret";
const WEB_INTAKE = ["1", "anonim", "2", "Petugas loket meminta biaya tambahan untuk mempercepat KTP", "lewati", "ya"];
const WA_INTAKE = ["halo", ...WEB_INTAKE];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const work = mkdtempSync(join(tmpdir(), "kanal-bench-cluster-"));

// --- databases -------------------------------------------------------------------------------

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let databases = 0;
async function freshDatabase(kind: "sqlite" | "postgresql"): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kanal_bench_${process.pid}_${++databases}`;
  if (kind === "sqlite") return { url: `file:${join(work, `${name}.db`)}`, drop: async () => undefined };
  await adminQuery(`CREATE DATABASE ${name}`);
  return { url: ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** The floor: a Prisma transaction of two inserts, 50 at a time, warm. */
async function floor(kind: "sqlite" | "postgresql"): Promise<number> {
  const database = await freshDatabase(kind);
  const db = await openDatabase(database.url);
  try {
    const once = () => {
      const now = new Date();
      return db.prisma.$transaction([
        db.prisma.channelState.create({ data: { key: randomUUID(), value: "a", updatedAt: now } }),
        db.prisma.channelState.create({ data: { key: randomUUID(), value: "b", updatedAt: now } }),
      ]);
    };
    const run = async (n: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next++ < n) await once();
        }),
      );
    };
    await run(300);
    const total = quick ? 1000 : 4000;
    const started = performance.now();
    await run(total);
    return total / ((performance.now() - started) / 1000);
  } finally {
    await db.close();
    await database.drop();
  }
}

// --- instances -------------------------------------------------------------------------------

interface Instance {
  index: number;
  url: string;
  child: ChildProcess;
  /**
   * The load generator's connections to it. undici's pool rather than node:http's agent: the load
   * generator shares the machine's 2 cores with what it measures, and undici spends about a third
   * of node:http's CPU on a request (README, Benchmark).
   */
  connections: Pool;
  tail: string[];
  alive: boolean;
  exited: Promise<void>;
}

function startInstance(index: number, env: Record<string, string>): Promise<Instance> {
  // The compiled npm start (built below from the source under test), as deployed.
  const { env: startEnvironment, flags, entry } = startCommand();
  const profiling = typeof values.profile === "string" ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : [];
  const child = spawn(process.execPath, [...flags, ...profiling, entry], {
    cwd: repoRoot,
    env: { ...process.env, ...startEnvironment, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim()) tail.push(line);
    tail.splice(0, Math.max(0, tail.length - 40));
  };
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${index} did not start:\n${tail.join("\n")}`)), 120_000);
    child.stdout.on("data", (chunk: Buffer) => {
      keep(chunk);
      const line = chunk
        .toString()
        .split("\n")
        .find((l) => l.includes('"Kanal Aduan is running"'));
      if (!line) return;
      clearTimeout(timer);
      const url = (JSON.parse(line) as { url: string }).url;
      resolve({
        index,
        url,
        child,
        connections: new Pool(url, { connections: clients, headersTimeout: 30_000, bodyTimeout: 30_000 }),
        tail,
        alive: true,
        exited,
      });
    });
    void exited.then(() => reject(new Error(`instance ${index} exited before starting:\n${tail.join("\n")}`)));
  });
}

async function health(instance: Instance): Promise<{ cluster?: { isLeader: boolean } } | undefined> {
  try {
    const response = await fetch(`${instance.url}/health`, { signal: AbortSignal.timeout(2000) });
    return (await response.json()) as { cluster?: { isLeader: boolean } };
  } catch {
    return undefined;
  }
}

// --- the citizens ------------------------------------------------------------------------------

async function post(
  instance: Instance,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await instance.connections.request({
    path,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

interface LoadResult {
  seconds: number;
  conversations: number;
  messages: number;
  latencies: number[];
  retries: number;
  killed?: { instance: number; atSeconds: number; takeoverMs?: number };
}

/** `users` citizens numbered from `first` (so a second load on the same database brings new citizens). */
async function load(instances: Instance[], options: { first: number; killLeaderAt?: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  let retries = 0;
  let rr = 0;
  let done = 0;
  let killed: LoadResult["killed"];
  const started = performance.now();

  /** Round-robin over the live instances; a refused or reset connection, or a 503, goes to the next. */
  async function send(path: string, body: string, headers?: Record<string, string>): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const alive = instances.filter((i) => i.alive);
      const instance = alive[rr++ % alive.length]!;
      const began = performance.now();
      try {
        const { status, text } = await post(instance, path, body, headers);
        if (status < 300) {
          latencies.push(performance.now() - began);
          return text;
        }
        if (status !== 503 && status !== 502) throw new Error(`${path} → ${status} ${text.slice(0, 200)}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(path)) throw error;
      }
      retries++;
      if (attempt > 300) throw new Error(`${path} failed on every instance`);
      await sleep(50);
    }
  }

  async function webCitizen(n: number) {
    const { sessionId } = JSON.parse(await send("/api/webchat/sessions", "{}")) as { sessionId: string };
    for (const [i, text] of WEB_INTAKE.entries()) {
      await send(`/api/webchat/sessions/${sessionId}/messages`, JSON.stringify({ text, clientMessageId: `bench-${n}-${i}` }));
    }
  }

  async function whatsappCitizen(n: number) {
    const phone = `62812${String(n).padStart(8, "0")}`;
    for (const [i, text] of WA_INTAKE.entries()) {
      const payload = whatsappTextWebhook(graph.phoneNumberId, [
        { from: phone, id: `wamid.BENCH${databases}x${n}x${i}`, text, name: `Warga ${n}` },
      ]);
      const body = metaJson(payload);
      await send("/webhooks/meta", body, { "x-hub-signature-256": signatureOf(APP_SECRET, body) });
    }
  }

  async function killLeader() {
    const states = await Promise.all(instances.map(async (i) => ({ i, h: await health(i) })));
    const victim = states.find((s) => s.h?.cluster?.isLeader)?.i ?? instances[0]!;
    victim.child.kill("SIGKILL");
    victim.alive = false;
    const at = performance.now();
    killed = { instance: victim.index, atSeconds: (at - started) / 1000 };
    for (;;) {
      const survivors = await Promise.all(instances.filter((i) => i.alive).map(health));
      if (survivors.some((h) => h?.cluster?.isLeader)) {
        killed.takeoverMs = performance.now() - at;
        return;
      }
      if (performance.now() - at > 60_000) return;
      await sleep(200);
    }
  }

  // Interleaved, so both routes are busy through the whole run.
  const every = whatsappShare > 0 ? Math.round(1 / whatsappShare) : Infinity;
  const whatsappUsers = Math.round(users * whatsappShare);
  const isWhatsApp = (n: number) => (n - options.first) % every === 0 && (n - options.first) / every < whatsappUsers;
  const end = options.first + users;
  let next = options.first;
  let takeover: Promise<void> | undefined;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let n = next++; n < end; n = next++) {
        await (isWhatsApp(n) ? whatsappCitizen(n) : webCitizen(n));
        done++;
        if (options.killLeaderAt !== undefined && !takeover && done >= users * options.killLeaderAt) takeover = killLeader();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await takeover;
  return { seconds, conversations: done, messages: latencies.length, latencies, retries, killed };
}

// --- the checks --------------------------------------------------------------------------------

interface Checks {
  complaints: number;
  /** Unique and increasing; on PostgreSQL a batch that rolled back after taking its numbers leaves a gap. */
  ticketsOk: boolean;
  ticketGaps: number;
  /** Conversations with a citizen's message but no complaint, or with more than one: each one a defect. */
  conversationsWithoutOneComplaint: number;
  /**
   * Web-chat sessions opened but never written to: an instance killed after opening one and before
   * its answer left, so the citizen's page opened another elsewhere (opening a session has no
   * idempotency key: CONTRACT.md). Only the run with a kill may leave these.
   */
  emptySessions: number;
  inbound: number;
  expectedInbound: number;
  outbox?: { rows: number; unsent: number; failed: number; drainedSeconds: number; sentTwice: number };
}

async function check(db: Database, expected: { web: number; whatsapp: number }, drain: boolean, sentBefore: number): Promise<Checks> {
  const complaints = await db.prisma.complaint.findMany({ select: { ticket: true } });
  const numbers = complaints.map((c) => Number(c.ticket.split("-").at(-1))).sort((a, b) => a - b);
  const ticketsOk = new Set(complaints.map((c) => c.ticket)).size === complaints.length;
  const ticketGaps = numbers.length === 0 ? 0 : numbers.at(-1)! - numbers.length;
  const [{ unmatched, empty }] = (await db.sql.query<{ unmatched: number | bigint | null; empty: number | bigint | null }>(
    `SELECT SUM(CASE WHEN "complaints" <> 1 AND ("complaints" > 0 OR "inbound" > 0) THEN 1 ELSE 0 END) AS "unmatched",
            SUM(CASE WHEN "complaints" = 0 AND "inbound" = 0 THEN 1 ELSE 0 END) AS "empty"
     FROM (SELECT (SELECT COUNT(*) FROM "Complaint" k WHERE k."conversationId" = c."id") AS "complaints",
                  (SELECT COUNT(*) FROM "Message" m WHERE m."conversationId" = c."id" AND m."direction" = 'in') AS "inbound"
           FROM "Conversation" c) AS "counts"`,
  )) as [{ unmatched: number | bigint | null; empty: number | bigint | null }];
  const inbound = await db.prisma.message.count({ where: { direction: "in" } });
  const result: Checks = {
    complaints: complaints.length,
    ticketsOk,
    ticketGaps,
    conversationsWithoutOneComplaint: Number(unmatched ?? 0),
    emptySessions: Number(empty ?? 0),
    inbound,
    expectedInbound: expected.web * WEB_INTAKE.length + expected.whatsapp * WA_INTAKE.length,
  };
  if (!drain) return result;
  const started = performance.now();
  const unfinished = () => db.prisma.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } });
  while ((await unfinished()) > 0 && performance.now() - started < 20 * 60_000) await sleep(500);
  const drainedSeconds = (performance.now() - started) / 1000;
  const rows = await db.prisma.outboxMessage.findMany({
    where: { channel: "whatsapp-cloud" },
    select: { status: true, providerMessageId: true },
  });
  const recorded = new Set(rows.map((r) => r.providerMessageId));
  const sends = graph
    .sent()
    .slice(sentBefore)
    .filter((m) => m.product === "whatsapp");
  result.outbox = {
    rows: rows.length,
    unsent: rows.filter((r) => r.status === "pending" || r.status === "sending").length,
    failed: rows.filter((r) => r.status === "failed").length,
    drainedSeconds,
    // A send the provider accepted whose id no row recorded: the attempt cut off by the SIGKILL.
    sentTwice: sends.filter((m) => !recorded.has(m.id)).length,
  };
  return result;
}

// --- runs --------------------------------------------------------------------------------------

/**
 * Each configuration's loads, each of `users` new citizens: cold, then warm ones. With several
 * instances each process sees a share of the traffic, so its code gets hot that much later: more
 * loads (`--loads 4`) show where they settle.
 */
const LOADS = Math.max(2, Number(values.loads));

/**
 * Every conversation of both loads read back with its one complaint and every citizen message stored
 * once; after a kill (`killed`), also a session or two opened on the killed instance (Checks.emptySessions).
 */
const readBackOk = (c: Checks, killed = false) =>
  c.complaints === LOADS * users &&
  c.ticketsOk &&
  c.conversationsWithoutOneComplaint === 0 &&
  (killed || c.emptySessions === 0) &&
  c.inbound === c.expectedInbound;

/**
 * One configuration: a cold load (the processes' first traffic: JIT compiling, first queries, each
 * instance paying it once) and then a warm one of as many new citizens on the same processes and
 * database, the steady state a deployment runs in. Both are printed; capacity is the warm figure.
 */
interface Run {
  label: string;
  cold: LoadResult;
  result: LoadResult;
  checks: Checks;
  cpu: CpuSeconds;
}

/** CPU time spent during the load, by who spent it: where the 2 cores went. */
interface CpuSeconds {
  instances: number;
  loadGenerator: number;
  postgres: number;
}

const TICKS_PER_SECOND = 100;

/** utime + stime (+ the reaped children's, which is where PostgreSQL's ended backends are counted) from /proc. */
function processCpuSeconds(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    // fields[0] is the state (field 3 of proc(5)): utime is field 14, stime 15, cutime 16, cstime 17.
    const own = fields[11]! + fields[12]!;
    return (withChildren ? own + fields[13]! + fields[14]! : own) / TICKS_PER_SECOND;
  } catch {
    return 0; // it ended between the listing and the read
  }
}

function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (comm === "postgres" || comm === "postmaster") total += processCpuSeconds(Number(entry), true);
  }
  return total;
}

function cpuSecondsOfThisProcess(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function cpuMeter(instances: readonly Instance[]): () => CpuSeconds {
  const pids = instances.map((i) => i.child.pid!);
  const instancesBefore = pids.map((pid) => processCpuSeconds(pid));
  const loadGeneratorBefore = cpuSecondsOfThisProcess();
  const postgresBefore = postgresCpuSeconds();
  return () => ({
    // An instance killed meanwhile has no /proc entry left (it reads 0): its share is unknown and
    // counts as none, rather than as minus what it had spent before.
    instances: pids.reduce((sum, pid, i) => sum + Math.max(0, processCpuSeconds(pid) - instancesBefore[i]!), 0),
    loadGenerator: cpuSecondsOfThisProcess() - loadGeneratorBefore,
    postgres: postgresCpuSeconds() - postgresBefore,
  });
}

async function run(label: string, kind: "sqlite" | "postgresql", count: number, options: { kill?: boolean } = {}): Promise<Run> {
  const database = await freshDatabase(kind);
  const env = {
    DATABASE_URL: database.url,
    HOST: "127.0.0.1",
    PORT: "0",
    ATTACHMENTS_DIR: join(work, "attachments"),
    META_APP_SECRET: APP_SECRET,
    META_VERIFY_TOKEN: "bench-verify",
    META_GRAPH_API_BASE: graph.url,
    WHATSAPP_CLOUD_TOKEN: graph.whatsappToken,
    WHATSAPP_PHONE_NUMBER_ID: graph.phoneNumberId,
    LEADER_LEASE_SECONDS: "6",
    // 3000 citizens from one address: the per-client limits would refuse them (a load test).
    RATE_LIMIT: "off",
    IDENTITY_KEY: BENCH_IDENTITY_KEY,
  };
  // The first instance migrates the empty database; the others start together against it.
  const instances = [await startInstance(0, env)];
  instances.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => startInstance(i + 1, env)))));
  const sentBefore = graph.sent().length;
  try {
    const cold = await load(instances, { first: 0 });
    for (let k = 1; k < LOADS - 1; k++) await load(instances, { first: k * users });
    const meter = cpuMeter(instances);
    const result = await load(instances, { first: (LOADS - 1) * users, killLeaderAt: options.kill ? 0.4 : undefined });
    const cpu = meter();
    const db = await openDatabase(database.url, { migrate: false });
    try {
      const whatsapp = Math.round(users * whatsappShare);
      const checks = await check(db, { web: LOADS * (users - whatsapp), whatsapp: LOADS * whatsapp }, options.kill === true, sentBefore);
      return { label, cold, result, checks, cpu };
    } finally {
      await db.close();
    }
  } catch (error) {
    for (const instance of instances) process.stderr.write(`--- instance ${instance.index}\n${instance.tail.join("\n")}\n`);
    throw error;
  } finally {
    for (const instance of instances) {
      if (instance.alive) instance.child.kill("SIGTERM");
      void instance.connections.destroy();
    }
    await Promise.all(instances.map((i) => i.exited));
    await database.drop();
  }
}

/** A load's conversations per second. */
const convPerSecond = (load: LoadResult) => load.conversations / load.seconds;
const f = (n: number | undefined, d = 0) => (n === undefined || Number.isNaN(n) ? "-" : n.toFixed(d));
const cpuCells = (cpu: CpuSeconds) => [f(cpu.instances, 1), f(cpu.loadGenerator, 1), f(cpu.postgres, 1)];
const row = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(58) : c.padStart(12))).join(""));

// The fake Graph API every run's WhatsApp sends go to (read by run() and check() above).
execFileSync(process.execPath, [join(repoRoot, "scripts/build.mjs")], { cwd: repoRoot, stdio: "inherit" });
const graph = await startFakeGraph();
try {
  console.log(
    `Kanal Aduan scale-out benchmark — ${new Date().toISOString()}, node ${process.version}, ${quick ? "QUICK (small N)" : "full"}`,
  );
  console.log(
    `${users} citizens, ${clients} at a time, spread round-robin over the instances: ${Math.round(users * whatsappShare)} on WhatsApp through`,
  );
  console.log(`POST /webhooks/meta (7 signed messages each), the rest on the web chat (a session and 6 messages). Each configuration`);
  console.log(
    `is a fresh database and fresh processes loaded ${LOADS === 2 ? "twice" : `${LOADS} times`}: cold (their first traffic), then warm (as many new citizens each, the last measured);`,
  );
  console.log(`the load generator and the fake Graph API share this machine's 2 cores with the instances and PostgreSQL.\n`);

  if (values.only !== undefined) {
    const kill = values.kill === true;
    const label = `PostgreSQL, ${values.only} instance(s)${kill ? ", leader SIGKILLed at 40 %" : ""}`;
    const one =
      values.only === "sqlite"
        ? await run("SQLite, 1 instance", "sqlite", 1)
        : await run(label, "postgresql", Number(values.only), { kill });
    const sorted = [...one.result.latencies].sort((a, b) => a - b);
    console.log(
      `${one.label}: warm ${f(convPerSecond(one.result))} conv/s (cold ${f(convPerSecond(one.cold))}), p50 ${f(percentile(sorted, 50), 1)} ms, p99 ${f(percentile(sorted, 99), 1)} ms, ` +
        `CPU s ${cpuCells(one.cpu).join(" / ")} (instances / load generator / PostgreSQL), checks ${JSON.stringify(one.checks)}`,
    );
    process.exit(readBackOk(one.checks, kill) ? 0 : 1);
  }
  if (values.pairs !== undefined) {
    const ratios: number[] = [];
    let allOk = true;
    const warm = (r: Run) => convPerSecond(r.result);
    for (let k = 0; k < Number(values.pairs); k++) {
      // Alternated order: the second run of one pair and the first of the next are the same configuration.
      const order = k % 2 === 0 ? [1, maxInstances] : [maxInstances, 1];
      const pair = new Map<number, Run>();
      for (const n of order) pair.set(n, await run(`PostgreSQL, ${n} instance(s)`, "postgresql", n));
      const one = pair.get(1)!;
      const many = pair.get(maxInstances)!;
      allOk &&= readBackOk(one.checks) && readBackOk(many.checks);
      ratios.push(warm(many) / warm(one));
      console.log(
        `pair ${k + 1}: 1 instance ${f(warm(one))} conv/s (CPU s ${cpuCells(one.cpu).join(" / ")}), ${maxInstances} instances ${f(warm(many))} conv/s ` +
          `(CPU s ${cpuCells(many.cpu).join(" / ")}): ${f(ratios.at(-1), 2)}×`,
      );
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(
      `${maxInstances} instances against 1, warm, ${ratios.length} alternated pairs: median ${f(median(ratios), 2)}×, ` +
        `mean ${f(ratios.reduce((a, b) => a + b, 0) / ratios.length, 2)}×, from ${f(sorted[0], 2)} to ${f(sorted.at(-1), 2)}× ` +
        `(CPU s: instances / load generator / PostgreSQL); read back ${allOk ? "OK" : "FAILED"}`,
    );
    process.exit(allOk ? 0 : 1);
  }
  const sqliteFloor = await floor("sqlite");
  const pgFloor = await floor("postgresql");
  const runs: Run[] = [await run("SQLite, 1 instance", "sqlite", 1)];
  for (let n = 1; n <= maxInstances; n++) runs.push(await run(`PostgreSQL, ${n} instance${n > 1 ? "s" : ""}`, "postgresql", n));
  const faults = await run(`PostgreSQL, ${maxInstances} instances, leader SIGKILLed at 40 %`, "postgresql", maxInstances, { kill: true });

  console.log(`warm: load ${LOADS} of ${LOADS} of each configuration (its first, cold, in the last column); CPU s during the warm load`);
  row(["", "conv/s", "msg/s", "p50 ms", "p99 ms", "retries", "CPU s app", "load gen", "PostgreSQL", "cold conv/s"]);
  for (const r of [...runs, faults]) {
    const sorted = [...r.result.latencies].sort((a, b) => a - b);
    row([
      r.label,
      f(convPerSecond(r.result)),
      f(r.result.messages / r.result.seconds),
      f(percentile(sorted, 50), 1),
      f(percentile(sorted, 99), 1),
      String(r.result.retries),
      ...cpuCells(r.cpu),
      f(convPerSecond(r.cold)),
    ]);
  }
  row(["floor: Prisma $transaction([create, create]), SQLite", `${f(sqliteFloor)} tx/s`]);
  row(["floor: the same on PostgreSQL", `${f(pgFloor)} tx/s`]);

  console.log("\nChecks after each run (database read back):");
  for (const r of [...runs, faults]) {
    const c = r.checks;
    const ok = readBackOk(c, r === faults);
    console.log(
      `  ${r.label}: ${ok ? "OK" : "FAILED"} — ${c.complaints}/${LOADS * users} complaints, tickets ${c.ticketsOk ? "unique" : "NOT unique"} with ${c.ticketGaps} gap(s), ` +
        `${c.conversationsWithoutOneComplaint} conversations without exactly one complaint, ${c.inbound}/${c.expectedInbound} citizen messages stored once` +
        (c.emptySessions > 0
          ? `; ${c.emptySessions} web-chat session(s) opened on the killed instance whose answer never left (the page opened another)`
          : ""),
    );
  }
  const k = faults.result.killed;
  const o = faults.checks.outbox;
  if (k)
    console.log(
      `  SIGKILL: instance ${k.instance} (the leader) at ${k.atSeconds.toFixed(1)} s; a survivor led ${k.takeoverMs !== undefined ? `${(k.takeoverMs / 1000).toFixed(1)} s later` : "NOT within 60 s"}`,
    );
  if (o) {
    console.log(
      `  outbox (WhatsApp replies, paced at WhatsApp's 80 messages/s): ${o.rows} rows, ${o.rows - o.unsent - o.failed} sent, ${o.failed} failed, ${o.unsent} unsent; ` +
        `drained ${o.drainedSeconds.toFixed(0)} s after the load; ${o.sentTwice} accepted twice by the Graph API (sends cut off by the kill between the provider's yes and the row's update)`,
    );
  }
  const failed = [...runs, faults].some((r) => !readBackOk(r.checks, r === faults)) || (o !== undefined && (o.unsent > 0 || o.failed > 0));
  if (failed) process.exitCode = 1;
} finally {
  await graph.close();
  rmSync(work, { recursive: true, force: true });
}
