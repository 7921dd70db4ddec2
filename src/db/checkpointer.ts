import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * SQLite's WAL checkpoints off the event loop. By default the connection that commits also
 * checkpoints, inside its COMMIT, once the WAL holds 1000 pages: it copies them into the database
 * file and fsyncs it — better-sqlite3 is synchronous, so every few batches the event loop stood
 * still for that copy and fsync (≈ 15 % of a busy server's main thread, README Benchmark). The
 * app's connection therefore runs with `wal_autocheckpoint=0`, and a worker thread with a
 * connection of its own runs `PRAGMA wal_checkpoint(PASSIVE)` after commits: PASSIVE never blocks
 * a writer or a reader, and once it has copied everything the next commit starts the WAL over, so
 * the file stays as small as before.
 *
 * The worker starts on the first commits after start-up and stops after a minute without any, so an
 * idle server carries no second thread (its memory counts against a small VPS). If it cannot run,
 * `fallback` puts the checkpoints back into the app's COMMIT. Commits nobody awaits durable() for
 * (delivery states, leases) are noticed by the WAL file's modification time, looked at now and then.
 */
export interface Checkpointer {
  /** A transaction was committed: a checkpoint will follow soon (requests are coalesced). */
  committed(): void;
  /** Resolves when the checkpoint asked for so far has run (tests; shutdown). */
  settled(): Promise<void>;
  /** How many checkpoints ran. */
  readonly runs: number;
  close(): Promise<void>;
}

export interface CheckpointerOptions {
  /** How long commits are gathered before a checkpoint runs. */
  delayMs?: number;
  /** A worker with nothing to do for this long ends (it starts again on the next commit). */
  idleMs?: number;
  /** How often the WAL file is looked at for commits nobody reported. */
  watchMs?: number;
  /** Puts the checkpoints back into the app's own COMMIT when the worker cannot run. */
  fallback: () => void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** The worker's whole program: one connection, one checkpoint per request. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000 });
db.pragma("synchronous = NORMAL");
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ ok: true, result });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message || error) });
  }
});
`;

export function walCheckpointer(databaseFile: string, options: CheckpointerOptions): Checkpointer {
  const delayMs = options.delayMs ?? 200;
  const idleMs = options.idleMs ?? 60_000;
  const watchMs = options.watchMs ?? 30_000;
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  let worker: Worker | undefined;
  let broken = false;
  let closed = false;
  let runs = 0;
  let timer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  /** The checkpoint in flight, resolved by the worker's answer. */
  let inFlight: Promise<void> | undefined;
  let wanted = false;

  const giveUp = (why: string) => {
    if (broken) return;
    broken = true;
    options.log?.("database: background checkpoints stopped; the app's commits checkpoint again", { error: why });
    options.fallback();
    void worker?.terminate();
    worker = undefined;
  };

  const start = (): Worker => {
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: databaseFile, driver } });
    // A thread of its own must not keep the process alive at shutdown.
    started.unref();
    started.on("error", (error) => giveUp(error.message));
    started.on("exit", () => {
      if (worker === started) worker = undefined;
    });
    return started;
  };

  const run = (): Promise<void> => {
    wanted = false;
    worker ??= start();
    const current = worker;
    // Someone may await this checkpoint (settled, close): while it runs, the thread keeps the
    // process alive, or a process with nothing else to do would end in the middle of the wait.
    current.ref();
    return new Promise<void>((resolve) => {
      const onMessage = (answer: { ok: boolean; error?: string }) => {
        current.off("exit", onExit);
        current.unref();
        runs++;
        if (!answer.ok) giveUp(answer.error ?? "checkpoint failed");
        resolve();
      };
      const onExit = () => {
        current.off("message", onMessage);
        resolve();
      };
      current.once("message", onMessage);
      current.once("exit", onExit);
      current.postMessage("checkpoint");
    });
  };

  const schedule = () => {
    if (timer || closed || broken) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (inFlight) {
        // One at a time: the commits made meanwhile get the next one.
        schedule();
        return;
      }
      inFlight = run().finally(() => {
        inFlight = undefined;
        if (wanted) schedule();
        else armIdle();
      });
    }, delayMs);
    timer.unref();
  };

  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (inFlight || wanted || !worker) return;
      worker.postMessage("close");
      worker = undefined;
    }, idleMs);
    idleTimer.unref();
  };

  let lastModified = 0;
  const watch = setInterval(() => {
    void stat(`${databaseFile}-wal`).then(
      (wal) => {
        if (wal.mtimeMs !== lastModified && lastModified !== 0) checkpointer.committed();
        lastModified = wal.mtimeMs;
      },
      () => undefined, // no WAL: nothing committed since the last close
    );
  }, watchMs);
  watch.unref();

  const checkpointer: Checkpointer = {
    committed() {
      if (closed || broken) return;
      wanted = true;
      clearTimeout(idleTimer);
      schedule();
    },
    async settled() {
      while (timer || inFlight) {
        if (inFlight) await inFlight;
        else await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    },
    get runs() {
      return runs;
    },
    async close() {
      closed = true;
      clearInterval(watch);
      clearTimeout(timer);
      timer = undefined;
      clearTimeout(idleTimer);
      await inFlight;
      const last = worker;
      worker = undefined;
      if (!last) return;
      const exited = new Promise<void>((resolve) => last.once("exit", () => resolve()));
      last.ref();
      last.postMessage("close");
      await exited;
    },
  };
  return checkpointer;
}
