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
  readWasmAsText(join(root, "src/db/generated", provider, "internal/class.ts"), provider);
}

/**
 * The generated client imports its query compiler as a JavaScript module holding the WebAssembly
 * as one 2.4 MB base64 string; a module's source and its constants live as long as the process,
 * so every instance kept ~5 MB of heap it used once (README, Benchmark: idle memory). Read the same
 * file as text instead: once compiled, the string is garbage. The generated code is checked, so a
 * Prisma upgrade that changes it stops the install here instead of quietly growing the heap again.
 */
function readWasmAsText(classFile, provider) {
  const generated = readFileSync(classFile, "utf8");
  const runtime = `@prisma/client/runtime/query_compiler_bg.${provider}.wasm-base64.mjs`;
  const imported = `    const { wasm } = await import("${runtime}")\n`;
  if (!generated.includes(imported)) throw new Error(`${classFile}: the query compiler import changed; update scripts/generate-prisma.mjs`);
  const read = [
    `    // Read as text, not imported (scripts/generate-prisma.mjs says why).`,
    `    const { readFile } = await import("node:fs/promises")`,
    `    const { createRequire } = await import("node:module")`,
    `    const source = await readFile(createRequire(import.meta.url).resolve("${runtime}"), "utf8")`,
    `    const wasm = source.slice(source.indexOf('"') + 1, source.lastIndexOf('"'))`,
    ``,
  ].join("\n");
  writeFileSync(classFile, generated.replace(imported, read));
}
