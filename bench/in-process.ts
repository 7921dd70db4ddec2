/**
 * (a) In-process: N virtual citizens, all concurrent, each completing the anonymous intake through
 * pipeline.receive on a fresh SQLite database. Run twice in one process: the first run is cold
 * (JIT not warmed), the second warm. The floor: concurrent Prisma transactions of two inserts.
 * Prints one JSON line; bench/run.ts formats it.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestPipeline, textMessage, ANONYMOUS_INTAKE } from "../test/helpers/pipeline.js";
import { openDatabase } from "../src/db/index.js";
import { summarize, type RunFigures } from "./stats.js";

const users = Number(process.argv[2] ?? 1000);

async function intakeRun(n: number): Promise<RunFigures> {
  const t = await createTestPipeline();
  const latencies: number[] = [];
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
  const complaints = await t.db.prisma.complaint.count();
  await t.close();
  if (complaints !== n) throw new Error(`expected ${n} complaints, got ${complaints}`);
  return summarize(n, n * ANONYMOUS_INTAKE.length, seconds, latencies);
}

/** The floor: what Prisma alone does for one transaction of two inserts, as many at once as citizens. */
async function floorRun(n: number): Promise<{ txPerSecond: number }> {
  const dir = mkdtempSync(join(tmpdir(), "kanal-floor-"));
  const db = await openDatabase(`file:${join(dir, "floor.db")}`);
  const now = new Date();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: n }, () =>
      db.prisma.$transaction([
        db.prisma.channelState.create({ data: { key: randomUUID(), value: "a", updatedAt: now } }),
        db.prisma.channelState.create({ data: { key: randomUUID(), value: "b", updatedAt: now } }),
      ]),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return { txPerSecond: n / seconds };
}

const cold = await intakeRun(users);
await floorRun(500); // warm the floor's code path too
const warm = await intakeRun(users);
const floor = await floorRun(users * ANONYMOUS_INTAKE.length > 6000 ? 6000 : users * ANONYMOUS_INTAKE.length);
process.stdout.write(
  JSON.stringify({ users, messagesPerConversation: ANONYMOUS_INTAKE.length, cold, warm, floor, peakRssMB: process.resourceUsage().maxRSS / 1024 }) + "\n",
);
