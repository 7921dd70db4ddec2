import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrate, repoRoot } from "../../src/db/index.js";
import { createPostgresDatabase } from "../helpers/postgres.js";

const models = (provider: string) => {
  const schema = readFileSync(join(repoRoot, "prisma", provider, "schema.prisma"), "utf8");
  return schema.slice(schema.indexOf("/// "));
};

describe("SQLite and PostgreSQL stay in step", () => {
  it("both schemas carry the same models (written from prisma/models.prisma.part)", () => {
    expect(models("sqlite")).toBe(models("postgresql"));
    expect(models("sqlite")).toBe(
      readFileSync(join(repoRoot, "prisma", "models.prisma.part"), "utf8").slice(
        readFileSync(join(repoRoot, "prisma", "models.prisma.part"), "utf8").indexOf("/// "),
      ),
    );
  });

  it("both migration folders build the same tables and columns", async (ctx) => {
    const database = await createPostgresDatabase();
    if ("skip" in database) {
      // CI starts PostgreSQL, so there this check must run; a developer's machine may have none.
      if (process.env.CI) throw new Error(database.skip);
      return ctx.skip(`needs PostgreSQL to compare the two migration folders: ${database.skip}`);
    }
    const dir = mkdtempSync(join(tmpdir(), "kanal-schemas-"));
    try {
      await migrate(`file:${join(dir, "s.db")}`);
      await migrate(database.url);
      const sqlite = new Database(join(dir, "s.db"), { readonly: true });
      const tables = (
        sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]
      ).map((t) => t.name);
      const sqliteColumns = tables
        .flatMap((t) => (sqlite.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => `${t}.${c.name}`))
        .sort();
      sqlite.close();
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ c: string }>(
        `SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_schema = 'public'`,
      );
      await client.end();
      expect(rows.map((r) => r.c).sort()).toEqual(sqliteColumns);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    }
  });
});

describe("one SQLite library in the process", () => {
  it("Prisma's adapter and the migration runner load the same better-sqlite3", () => {
    // Two copies are two SQLite libraries: closing a connection of one drops the POSIX locks the
    // other holds on the same file (https://www.sqlite.org/howtocorrupt.html, 2.2.1), which showed
    // up here as "disk I/O error". package.json's range must stay within the adapter's.
    expect(existsSync(join(repoRoot, "node_modules/@prisma/adapter-better-sqlite3/node_modules/better-sqlite3"))).toBe(false);
  });
});
