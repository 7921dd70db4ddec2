import { mkdir, open, readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { hostname } from "node:os";
import type pg from "pg";
import { loadPg } from "./pg-module.js";
import { providerOf } from "./provider.js";

export interface SessionLock {
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Only one process may drive a WhatsApp Web session (two browsers on one session log each other
 * out). PostgreSQL: a session-level advisory lock on a connection kept open, so instances on
 * several machines agree and a dead instance's lock goes with its connection. SQLite (one
 * machine): a lock file holding the owner's pid; a file whose process is gone is taken over.
 */
export function sessionLock(databaseUrl: string, name: string, lockFile: string): SessionLock {
  return providerOf(databaseUrl) === "postgresql" ? advisoryLock(databaseUrl, name) : fileLock(lockFile);
}

function advisoryLock(databaseUrl: string, name: string): SessionLock {
  let client: pg.Client | undefined;
  return {
    async acquire() {
      client = new (await loadPg()).Client({ connectionString: databaseUrl });
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [name]);
      if (rows[0]?.locked) return true;
      await client.end();
      client = undefined;
      return false;
    },
    async release() {
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}

/** A lock file holding `host:pid`; `stillHeld` tells whether the file still names us. */
export function fileLock(path: string): SessionLock & { stillHeld(): Promise<boolean> } {
  let held = false;
  const me = `${hostname()}:${process.pid}`;
  const alive = (owner: string) => {
    const [host, pid] = owner.split(":");
    if (host !== hostname() || !pid) return true; // another machine's: cannot tell, so respect it
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch {
      return false;
    }
  };
  const tryCreate = async () => {
    await mkdir(dirname(path), { recursive: true });
    try {
      const file = await open(path, "wx");
      await file.writeFile(me);
      await file.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  };
  return {
    async acquire() {
      if (await tryCreate()) return (held = true);
      const owner = (await readFile(path, "utf8").catch(() => "")).trim();
      if (owner === me) return (held = true);
      if (owner !== "" && alive(owner)) return false;
      await rm(path, { force: true });
      return (held = await tryCreate());
    },
    async release() {
      if (held) await rm(path, { force: true });
      held = false;
    },
    async stillHeld() {
      return held && (await readFile(path, "utf8").catch(() => "")).trim() === me;
    },
  };
}
