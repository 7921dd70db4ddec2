import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sessionLock } from "../../src/db/index.js";
import { onPostgres } from "../helpers/database.js";
import { createPostgresDatabase } from "../helpers/postgres.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the WhatsApp Web session lock", () => {
  it("lets one holder in at a time and takes over a lock whose process is gone (SQLite: a lock file)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-lock-"));
    dirs.push(dir);
    const path = join(dir, "wa", "session.lock");
    const url = `file:${join(dir, "x.db")}`;
    const first = sessionLock(url, "wa", path);
    expect(await first.acquire()).toBe(true);
    // Another process of this machine, still alive, holds it.
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    writeFileSync(path, `${hostname()}:${other.pid}`);
    expect(await sessionLock(url, "wa", path).acquire()).toBe(false);
    other.kill("SIGKILL");
    await new Promise((r) => other.on("exit", r));
    // Its process is gone: the lock is taken over.
    const second = sessionLock(url, "wa", path);
    expect(await second.acquire()).toBe(true);
    await second.release();
    expect(existsSync(path)).toBe(false);
  });

  it("uses a PostgreSQL advisory lock when the database is PostgreSQL", async (ctx) => {
    const db = await createPostgresDatabase();
    if ("skip" in db) {
      if (onPostgres) throw new Error(`npm run test:pg needs PostgreSQL: ${db.skip}`);
      return ctx.skip(`needs PostgreSQL: ${db.skip}`);
    }
    try {
      const a = sessionLock(db.url, "kanal:wa", "/unused");
      const b = sessionLock(db.url, "kanal:wa", "/unused");
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
      await a.release();
      expect(await b.acquire()).toBe(true);
      await b.release();
    } finally {
      await db.drop();
    }
  });
});
