import { join } from "node:path";
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
