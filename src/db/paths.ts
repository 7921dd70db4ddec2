import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, wherever the process was started from (templates/ and prisma/ live there). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
