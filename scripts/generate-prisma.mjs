// Runs on `npm install`: writes the two provider schemas from the one model file, then generates
// both Prisma clients. Prisma needs one provider per schema; keeping the models in one file is what
// keeps SQLite and PostgreSQL in step.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const models = readFileSync(join(root, "prisma/models.prisma.part"), "utf8");
const prismaBin = join(root, "node_modules/.bin/prisma");

for (const provider of ["sqlite", "postgresql"]) {
  const schema = `// Written by scripts/generate-prisma.mjs from prisma/models.prisma.part: edit that file, then run
// \`node scripts/generate-prisma.mjs\` and add a migration for both providers.
generator client {
  provider     = "prisma-client"
  output       = "../../src/db/generated/${provider}"
  engineType   = "client"
  moduleFormat = "esm"
}

datasource db {
  provider = "${provider}"
  // Ignored at run time: the driver adapter built from DATABASE_URL decides (src/db/client.ts).
  // A literal keeps the CLI working when DATABASE_URL is unset or names the other provider.
  url      = "${provider === "sqlite" ? "file:../../data/kanal-aduan.db" : "postgresql://postgres@127.0.0.1:5432/postgres"}"
}

${models}`;
  const path = join(root, "prisma", provider, "schema.prisma");
  writeFileSync(path, schema);
  execFileSync(prismaBin, ["generate", "--schema", path], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}
