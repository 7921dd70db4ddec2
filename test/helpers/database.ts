import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../../src/db/index.js";
import { createPostgresDatabase } from "./postgres.js";

/**
 * Which database the suite runs on: SQLite (`npm test`, the default) or PostgreSQL
 * (`npm run test:pg`, which sets KANAL_TEST_DB=postgresql).
 */
export const TEST_DB: "sqlite" | "postgresql" = process.env.KANAL_TEST_DB === "postgresql" ? "postgresql" : "sqlite";
export const onPostgres = TEST_DB === "postgresql";

export interface TestDatabase {
  url: string;
  /** Drops the PostgreSQL database; nothing for SQLite (the caller removes its temp dir). */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test: `file:<dir>/<file>` on SQLite, a new PostgreSQL database
 * under `npm run test:pg`. On PostgreSQL a server that does not answer fails the test: test:pg
 * must never pass without having touched PostgreSQL.
 */
export async function testDatabase(dir: string, file = "test.db"): Promise<TestDatabase> {
  if (!onPostgres) return { url: `file:${join(dir, file)}`, drop: async () => undefined };
  const database = await createPostgresDatabase();
  if ("skip" in database) throw new Error(`KANAL_TEST_DB=postgresql but ${database.skip}`);
  return database;
}

const leftovers: TestDatabase[] = [];

/**
 * The URL of a fresh database (see testDatabase). On PostgreSQL the database is dropped by
 * dropTestDatabases() (call it in afterAll) or, at the latest, by the run's global teardown.
 */
export async function testDatabaseUrl(dir: string, file = "test.db"): Promise<string> {
  const database = await testDatabase(dir, file);
  if (onPostgres) leftovers.push(database);
  return database.url;
}

export async function dropTestDatabases(): Promise<void> {
  await Promise.all(leftovers.splice(0).map((d) => d.drop()));
}

/**
 * Fresh databases opened one per test (see testDatabase): `open()` in the test, `closeAll()` in
 * afterEach closes each, drops it (PostgreSQL) and removes its temp dir.
 */
export function openedTestDatabases(tempPrefix: string): { open(): Promise<Database>; closeAll(): Promise<void> } {
  const opened: { db?: Database; database: TestDatabase; dir: string }[] = [];
  return {
    async open() {
      const dir = mkdtempSync(join(tmpdir(), tempPrefix));
      const entry: { db?: Database; database: TestDatabase; dir: string } = { dir, database: await testDatabase(dir) };
      opened.push(entry);
      entry.db = await openDatabase(entry.database.url);
      return entry.db;
    },
    async closeAll() {
      for (const { db, database, dir } of opened.splice(0)) {
        await db?.close();
        await database.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
