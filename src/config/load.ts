import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { KanalError } from "../core/index.js";
import { configSchema, type Config } from "./schema.js";

/**
 * Parses the environment once. An optional `.env` in the working directory fills what the
 * environment does not set (the environment wins, as with every dotenv tool).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, envFile = ".env"): Config {
  // An empty variable means "not set" (as in .env.example), so its default applies.
  const merged = Object.fromEntries(
    Object.entries({ ...readEnvFile(envFile), ...env }).filter(([, value]) => value !== undefined && value.trim() !== ""),
  ) as Record<string, string>;
  const result = configSchema.safeParse(merged);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? "configuration");
  const raw = merged[name];
  // Never echo a secret into a log.
  const secret = /TOKEN|SECRET|PASSWORD|_KEY$/.test(name);
  const shown = raw === undefined || secret ? "" : ` (got ${JSON.stringify(raw.length > 60 ? raw.slice(0, 60) + "…" : raw)})`;
  throw new KanalError("KA_CONFIG", `${name} ${issue.message}${shown}`);
}

function readEnvFile(path: string): NodeJS.ProcessEnv {
  return existsSync(path) ? parseEnv(readFileSync(path, "utf8")) : {};
}
