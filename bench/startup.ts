/**
 * Footprint: the compiled `npm start` (node dist/…, web chat only, fresh SQLite database)
 * from spawn to its first 200 on /health, and its resident memory once idle; beside it the floor,
 * a bare `node -e` http server, measured the same way in the same run. Optionally pinned to one CPU
 * (`taskset -c 0`), as on a 1 vCPU VPS.
 */
import { BENCH_IDENTITY_KEY } from "./identity-key.js";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../src/db/index.js";

export interface Footprint {
  startMs: number;
  idleRssMB: number;
}

const BARE = `require("node:http").createServer((q, s) => { s.writeHead(200, { "content-type": "application/json" }); s.end('{"status":"ok"}'); }).listen(Number(process.env.PORT), "127.0.0.1")`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get({ host: "127.0.0.1", port, path: "/health", agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on("error", () => resolve(false));
  });
}

/**
 * What `npm start` runs (package.json's "VAR=value exec node <flags> <entry>"): its environment
 * settings, node flags, and entry as an absolute path, so the figures are npm start's without npm
 * in between, wherever the entry moves.
 */
export function startCommand(): { env: Record<string, string>; flags: string[]; entry: string } {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: { start: string } };
  const words = scripts.start.trim().split(/\s+/);
  const args = words.slice(words.indexOf("node") + 1);
  const env = Object.fromEntries(
    words
      .slice(0, words.indexOf("node"))
      .filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w))
      .map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]),
  );
  return {
    env,
    flags: args.filter((a) => a.startsWith("-")),
    entry: join(
      repoRoot,
      args.find((a) => !a.startsWith("-"))!,
    ),
  };
}

export const startFlags = (): string[] => startCommand().flags;
export const startEnv = (): Record<string, string> => startCommand().env;

const rssMB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

export interface Started {
  startMs: number;
  /** Resident memory now. */
  rssMB(): number;
  stop(): Promise<void>;
}

/** Spawns the app (or the floor) on a fresh database and resolves at its first 200 on /health. */
export async function startMeasured(what: "app" | "bare", pinned: boolean): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), "kanal-bench-start-"));
  const port = await freePort();
  const { env: startEnvironment, flags, entry } = startCommand();
  const command = what === "app" ? [process.execPath, ...flags, entry] : [process.execPath, "-e", BARE];
  if (what === "app" && !existsSync(command.at(-1)!)) throw new Error("dist/ is missing: npm run build");
  const argv = pinned ? ["taskset", "-c", "0", ...command] : command;
  const env = {
    ...process.env,
    ...(what === "app" ? startEnvironment : {}),
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${join(dir, "start.db")}`,
    ATTACHMENTS_DIR: join(dir, "files"),
    IDENTITY_KEY: BENCH_IDENTITY_KEY,
  };
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, env, stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    while (!(await healthy(port))) {
      if (child.exitCode !== null) throw new Error(`${argv.join(" ")} exited ${child.exitCode} before /health answered`);
      if (performance.now() - started > 60_000) throw new Error("no /health within 60 s");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { startMs: performance.now() - started, rssMB: () => rssMB(child.pid!), stop };
}

/**
 * Start time, RSS just after start, and RSS once settled: V8 gives back the start-up's garbage
 * (module sources, the query compiler's decoding) only after some seconds of idleness, and a
 * server idles for hours, so the settled figure is the idle one. Both processes settle side by side.
 */
export async function footprints(pinned: boolean, settleMs: number): Promise<Record<"bare" | "app", Footprint & { settledRssMB: number }>> {
  const bare = await startMeasured("bare", pinned);
  const app = await startMeasured("app", pinned).catch(async (error: unknown) => {
    await bare.stop();
    throw error;
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const early = { bare: bare.rssMB(), app: app.rssMB() };
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return {
      bare: { startMs: bare.startMs, idleRssMB: early.bare, settledRssMB: bare.rssMB() },
      app: { startMs: app.startMs, idleRssMB: early.app, settledRssMB: app.rssMB() },
    };
  } finally {
    await Promise.all([bare.stop(), app.stop()]);
  }
}
