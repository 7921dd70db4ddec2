import { statSync, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { basename, dirname } from "node:path";

/**
 * Durability on SQLite without blocking the event loop. The connection runs in WAL mode with
 * `synchronous=NORMAL`: a COMMIT writes the transaction's frames to the `-wal` file but does not
 * wait for the disk. `durable()` then fdatasyncs that file on libuv's thread pool, and whoever
 * answers a person (the pipeline's steps, a staff action) awaits it first — the guarantee of
 * `synchronous=FULL` (the answer is sent only once the write survives a power loss), while the
 * event loop serves other requests and steps the next batch during the fsync, which took ~16 % of a
 * busy server's main thread (README, Benchmark).
 *
 * One fsync covers every transaction committed before it began, so concurrent callers share one:
 * a caller arriving while a sync is running may have committed after it began, so it waits for the
 * next one, which all such callers share. Writes nobody waits for (delivery states, leases,
 * counters) ride on the next sync or checkpoint; SQLite keeps the file consistent either way.
 */
export interface Durability {
  /** Resolves once everything committed before the call is on disk. */
  durable(): Promise<void>;
  /** How many syncs ran (the tests check that callers share them). */
  readonly syncs: number;
  close(): Promise<void>;
}

/** For a database whose COMMIT is durable by itself (PostgreSQL), or one that is not on disk. */
export const ALREADY_DURABLE: Durability = { durable: () => Promise.resolve(), syncs: 0, close: () => Promise.resolve() };

/** The disk flush and its handle's release. */
export interface FileSync {
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** `file` flushes the WAL (fdatasync); injectable so the sharing can be tested. */
export function walDurability(databaseFile: string, file: FileSync = walSync(`${databaseFile}-wal`)): Durability {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let syncs = 0;

  const start = (): Promise<void> => {
    syncs++;
    const run = file.sync().finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };

  const durable = (): Promise<void> => {
    if (!running) return start();
    // This caller's commit may postdate the running sync's start: the one after it covers it.
    // Whether the running one failed or not: its callers hear of it, these get a fresh sync.
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };

  return {
    durable,
    get syncs() {
      return syncs;
    },
    async close() {
      await durable().catch(() => undefined);
      await file.close();
    },
  };
}

/**
 * fdatasync of the WAL file through a handle of our own (any handle flushes the file's pages). The
 * handle is reopened when the path names another file than the one held (the WAL was deleted and
 * made again), and the directory is synced once after an open, so a new WAL's name is durable too.
 */
function walSync(walFile: string): FileSync {
  let handle: FileHandle | undefined;
  let inode: number | undefined;
  const reopen = async () => {
    await handle?.close().catch(() => undefined);
    handle = await open(walFile, "r");
    inode = (await handle.stat()).ino;
    const directory = await open(dirname(walFile) || ".", "r");
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  };
  // On the event loop: one stat is a microsecond or two, where a trip through libuv's pool costs
  // the main thread a thread's wake-up and the answer's callback, at every batch.
  const look = (): Stats | undefined => {
    try {
      return statSync(walFile);
    } catch (error) {
      // No WAL yet: nothing was committed through it, so nothing waits on the disk.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new Error(`cannot reach ${basename(walFile)} to make the commit durable: ${(error as Error).message}`, { cause: error });
    }
  };
  const sync = async () => {
    // The path is looked at before the flush: the held handle is flushed when the path still
    // names its file, else the file there now is opened and flushed.
    const now = look();
    if (!now) return;
    if (!handle || now.ino !== inode) await reopen();
    await handle!.datasync();
  };
  return {
    sync,
    async close() {
      await handle?.close().catch(() => undefined);
      handle = undefined;
    },
  };
}
