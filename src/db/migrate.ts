import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { loadPg } from "./pg-module.js";
import { providerOf, sqlitePath, type DbProvider } from "./provider.js";
import { repoRoot } from "./paths.js";

/**
 * Applies pending migrations from prisma/<provider>/migrations at start-up, without the Prisma CLI
 * (whose start-up costs seconds). It keeps Prisma's own `_prisma_migrations` table, so
 * `prisma migrate status` / `deploy` agree with what was applied here.
 */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(provider: DbProvider): Migration[] {
  const dir = join(repoRoot, "prisma", provider, "migrations");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;

const PG_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

/** Returns the names of the migrations it applied. */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const provider = providerOf(databaseUrl);
  return provider === "sqlite" ? migrateSqlite(databaseUrl) : migratePostgres(databaseUrl);
}

function migrateSqlite(databaseUrl: string): string[] {
  const path = sqlitePath(databaseUrl);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // WAL lives in the file: set once here, every later connection inherits it.
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    db.exec(SQLITE_MIGRATIONS_TABLE);
    const applied = new Set(
      (
        db.prepare(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`).all() as {
          migration_name: string;
        }[]
      ).map((row) => row.migration_name),
    );
    const done: string[] = [];
    for (const migration of listMigrations("sqlite")) {
      if (applied.has(migration.name)) continue;
      // BEGIN IMMEDIATE: two processes starting at once (npm start + npm run chat) must not both apply.
      db.exec("BEGIN IMMEDIATE");
      try {
        const again = db
          .prepare(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ? AND finished_at IS NOT NULL`)
          .get(migration.name);
        if (!again) {
          db.exec(migration.sql);
          db.prepare(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
          ).run(randomUUID(), migration.checksum, Date.now(), migration.name, Date.now());
          done.push(migration.name);
        }
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return done;
  } finally {
    db.close();
  }
}

async function migratePostgres(databaseUrl: string): Promise<string[]> {
  const client = new (await loadPg()).Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // One instance migrates at a time; the others wait here and then find nothing to do.
    await client.query("SELECT pg_advisory_lock(72120003)");
    await client.query(PG_MIGRATIONS_TABLE);
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    const done: string[] = [];
    for (const migration of listMigrations("postgresql")) {
      if (applied.has(migration.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
        done.push(migration.name);
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return done;
  } finally {
    await client.query("SELECT pg_advisory_unlock(72120003)").catch(() => undefined);
    await client.end();
  }
}
