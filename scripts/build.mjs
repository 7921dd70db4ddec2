// Runs on `npm install` (after generate-prisma.mjs) and as `npm run build`: transpiles src/ and
// channels/ file by file into dist/ so `npm start` runs plain JavaScript instead of compiling
// TypeScript at every start (tsx costs seconds and ~100 MB on a 1 vCPU box). No bundling: each
// module stays its own file, so the dynamic imports that keep unconfigured channels' libraries
// unloaded still work. Files the modules read beside themselves (public/) are copied; templates/
// and prisma/ are read from the project root (src/db/paths.ts), where operators edit them.
import { build } from "esbuild";
import { cpSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist");

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const sources = [];
const assets = [];
for (const top of ["src", "channels"]) {
  for (const path of walk(join(root, top))) {
    if (path.endsWith(".d.ts")) continue;
    if (path.endsWith(".ts")) sources.push(path);
    else if (relative(root, path).split(/[\\/]/).includes("public")) assets.push(path);
  }
}

const started = performance.now();
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: sources,
  outdir: out,
  outbase: root,
  bundle: false,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});
for (const path of assets) cpSync(path, join(out, relative(root, path)));
process.stdout.write(
  `build: ${sources.length} modules and ${assets.length} public files into dist/ in ${Math.round(performance.now() - started)} ms\n`,
);
