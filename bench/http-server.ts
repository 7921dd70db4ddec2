/**
 * The server side of the HTTP benchmark, in its own process so the load generator does not share
 * its CPU: `app` is Kanal Aduan itself as `npm start` runs it (the compiled dist/, which bench/run.ts
 * builds first; fresh SQLite database); `bare` is node:http answering a
 * fixed JSON; `prisma` is a Fastify route doing one Prisma transaction of two inserts (the floor).
 * Prints "READY <url>", and when it gets SIGTERM its peak RSS, CPU and main-thread busy share as JSON
 * (the last two since SIGUSR2, when it got one).
 */
import { BENCH_IDENTITY_KEY } from "./identity-key.js";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Fastify from "fastify";
import { loadConfig } from "../src/config/index.js";
import type * as main from "../src/main/index.js";
import { openDatabase } from "../src/db/index.js";

const mode = process.argv[2] ?? "app";
const dir = mkdtempSync(join(tmpdir(), "kanal-bench-http-"));
let close: () => Promise<void> = async () => {};
let url: string;

if (mode === "bare") {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"replies":[{"text":"ok"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
} else if (mode === "prisma") {
  const db = await openDatabase(`file:${join(dir, "floor.db")}`);
  const app = Fastify();
  app.post("/floor", async () => {
    const now = new Date();
    await db.prisma.$transaction([
      db.prisma.channelState.create({ data: { key: randomUUID(), value: "a", updatedAt: now } }),
      db.prisma.channelState.create({ data: { key: randomUUID(), value: "b", updatedAt: now } }),
    ]);
    return { ok: true };
  });
  url = await app.listen({ host: "127.0.0.1", port: 0 });
  close = async () => {
    await app.close();
    await db.close();
  };
} else {
  const config = loadConfig(
    // Every virtual citizen comes from 127.0.0.1: the per-client limits would stop the load at once.
    {
      DATABASE_URL: `file:${join(dir, "bench.db")}`,
      ATTACHMENTS_DIR: join(dir, "files"),
      PORT: "0",
      RATE_LIMIT: "off",
      IDENTITY_KEY: BENCH_IDENTITY_KEY,
    },
    join(dir, "none.env"),
  );
  // The compiled modules, not tsx's on-the-fly ones: what a deployment runs (tsx keeps source maps
  // and its loader hooks in the process).
  const compiled = new URL("../dist/src/main/index.js", import.meta.url).href;
  const { startServer } = (await import(compiled)) as typeof main;
  const server = await startServer(config, () => undefined);
  url = server.url;
  close = () => server.close();
}

// From READY, or from SIGUSR2 (the load generator's warm-up is over), to SIGTERM: how busy the
// main thread was, and the CPU of the whole process (its threads too: fsync, checkpoints).
let busySince = performance.eventLoopUtilization();
let cpuSince = process.cpuUsage();
process.on("SIGUSR2", () => {
  busySince = performance.eventLoopUtilization();
  cpuSince = process.cpuUsage();
});
process.on("SIGTERM", () => {
  const mainThreadBusy = performance.eventLoopUtilization(busySince).utilization;
  const { user, system } = process.cpuUsage(cpuSince);
  void close().finally(() => {
    process.stdout.write(
      JSON.stringify({ peakRssMB: process.resourceUsage().maxRSS / 1024, mainThreadBusy, cpuSeconds: (user + system) / 1e6 }) + "\n",
    );
    process.exit(0);
  });
});
process.stdout.write(`READY ${url}\n`);
