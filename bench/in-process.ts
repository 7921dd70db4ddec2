/**
 * (a) In-process: N virtual citizens, all concurrent, each opening a conversation and completing
 * the anonymous intake through pipeline.receive, on a fresh SQLite database (WAL; each answer waits for the fdatasync of its commit, src/db/durable.ts).
 * `--warmup W` first runs W conversations on a throwaway database, so the measured run is warm;
 * W=0 measures a cold process. `--floor` also measures the floor in the same process: concurrent
 * Prisma transactions of two inserts. Prints one JSON line (bench/run.ts formats it).
 */
import "./identity-key.js";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { newTrackedCode } from "../src/complaints/index.js";
import { openDatabase } from "../src/db/index.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage } from "../test/helpers/pipeline.js";
import { summarize, type RunFigures } from "./stats.js";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "1000" },
    warmup: { type: "string", default: "0" },
    floor: { type: "boolean", default: false },
    // A CPU profile of the measured run alone (no start-up, no warm-up): open it in Chrome DevTools.
    profile: { type: "string" },
  },
});
const users = Number(values.users);
const warmup = Number(values.warmup);

async function intakeRun(n: number): Promise<RunFigures & { cpuUsPerStep: number }> {
  const t = await createTestPipeline();
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      const { chatId } = await t.pipeline.open("webchat", "id");
      for (const text of ANONYMOUS_INTAKE) {
        const s = performance.now();
        const result = await t.pipeline.receive(textMessage(chatId, text));
        latencies.push(performance.now() - s);
        if (result.replies.length === 0) throw new Error("no reply");
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const complaints = await t.db.prisma.complaint.count();
  await t.close();
  if (complaints !== n) throw new Error(`expected ${n} complaints, got ${complaints}`);
  // CPU time per step (the greeting counts as one): what this process spent, however busy the machine.
  return {
    ...summarize(n, n * ANONYMOUS_INTAKE.length, seconds, latencies),
    cpuUsPerStep: (user + system) / (n * (ANONYMOUS_INTAKE.length + 1)),
  };
}

async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!file) return work();
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  await post("Profiler.enable");
  await post("Profiler.start");
  const result = await work();
  const { profile } = (await post("Profiler.stop")) as { profile: object };
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  return result;
}

async function floorRun(n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "kanal-floor-"));
  const db = await openDatabase(`file:${join(dir, "floor.db")}`);
  const now = new Date();
  const once = () =>
    db.prisma.$transaction([
      db.prisma.channelState.create({ data: { key: randomUUID(), value: "a", updatedAt: now } }),
      db.prisma.channelState.create({ data: { key: randomUUID(), value: "b", updatedAt: now } }),
    ]);
  await Promise.all(Array.from({ length: 300 }, once)); // its own warm-up
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, once));
  const perSecond = n / ((performance.now() - started) / 1000);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return perSecond;
}

/**
 * The CPU of sealing one tracking code (each confirmed complaint gets one), spread over a
 * conversation's steps: measured apart so the rest of CPU µs/step reads clearly.
 */
// The keyring is the one the measured run's database installed.
function trackingHashUsPerStep(samples = 2000): number {
  const cpu = process.cpuUsage();
  for (let i = 0; i < samples; i++) newTrackedCode(`ADU-2026-${String(i).padStart(6, "0")}`);
  const { user, system } = process.cpuUsage(cpu);
  return (user + system) / samples / (ANONYMOUS_INTAKE.length + 1);
}

if (warmup > 0) await intakeRun(warmup);
const run = users > 0 ? await profiled(values.profile, () => intakeRun(users)) : undefined;
const floorTxPerSecond = values.floor ? await floorRun(3000) : undefined;
const trackingHashCpuUsPerStep = run ? trackingHashUsPerStep() : undefined;
process.stdout.write(
  JSON.stringify({
    users,
    warm: warmup > 0,
    messagesPerConversation: ANONYMOUS_INTAKE.length,
    ...run,
    floorTxPerSecond,
    trackingHashCpuUsPerStep,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }) + "\n",
);
