import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project root (templates/ and prisma/ live there), wherever the process was started from and
 * whether this module runs as TypeScript from src/ or compiled from dist/src/: the nearest folder
 * up that holds package.json.
 */
export function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return join(from, "..", ".."); // no package.json at all: the source layout
  }
}

export const repoRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
