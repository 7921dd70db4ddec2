// Prisma CLI configuration for the JS engine: no native engine download (Prisma 7's CLI fetches one and fails offline).
// The CLI is only used by developers (generate, migrate diff); `npm start` applies migrations itself
// through src/db/migrate.ts. PRISMA_PROVIDER=postgresql points the CLI at the PostgreSQL schema.
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

const provider = process.env.PRISMA_PROVIDER === "postgresql" ? "postgresql" : "sqlite";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
  async adapter() {
    if (provider === "postgresql") {
      return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" });
    }
    return new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? "file:./data/kanal-aduan.db" });
  },
});
