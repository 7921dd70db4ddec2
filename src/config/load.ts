import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { KanalError } from "../core/index.js";
import { configSchema, type Config } from "./schema.js";

/**
 * Parses the environment once. An optional `.env` in the working directory fills what the
 * environment does not set (the environment wins, as with every dotenv tool).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = ".env"): Config {
  const merged = { ...readEnvFile(envFile), ...env };
  const result = configSchema.safeParse(merged);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? "configuration");
  const raw = merged[name];
  const shown = raw === undefined ? "" : ` (got ${JSON.stringify(raw.length > 60 ? raw.slice(0, 60) + "…" : raw)})`;
  throw new KanalError("KA_CONFIG", `${name} ${issue.message}${shown}`);
}

function readEnvFile(path: string): Record<string, string> {
  return existsSync(path) ? parseEnv(readFileSync(path, "utf8")) : {};
}
