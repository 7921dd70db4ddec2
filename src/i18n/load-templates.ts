import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { KanalError, LOCALES, type Locale } from "../core/index.js";

/** Every user-facing text, per locale, as flat `{ "key": "text with {var}" }`. */
export type Templates = Readonly<Record<Locale, Readonly<Record<string, string>>>>;

const TemplateFile = z.record(z.string().min(1), z.string());

/** templates/ at the project root: the nearest folder up holding package.json, from src/i18n or compiled dist/src/i18n. */
function projectRoot(from: string): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(join(dir, "package.json"))) return dir;
  return join(from, "..", "..");
}

export const DEFAULT_TEMPLATE_DIR = join(projectRoot(dirname(fileURLToPath(import.meta.url))), "templates");

/**
 * The texts the bot renders are every `*.json` in templates/<locale>/ (messages.json for the citizen,
 * staff.json for staff, one file per further part), but the clients' own texts: the web pages and the
 * terminal read those themselves. A key may live in only one file.
 */
const CLIENT_FILES = new Set(["webchat.json", "terminal.json", "lacak.json"]);

function templateFiles(dir: string, locale: Locale): string[] {
  const found = existsSync(join(dir, locale)) ? readdirSync(join(dir, locale)) : [];
  const files = found.filter((f) => f.endsWith(".json") && !CLIENT_FILES.has(f) && f !== "messages.json").sort();
  // Only the citizen's texts are required; an office without staff texts still runs the web chat.
  return ["messages.json", ...files];
}

function readLocale(dir: string, locale: Locale): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const file of templateFiles(dir, locale)) {
    for (const [key, text] of Object.entries(readFile(dir, locale, file))) {
      if (key in merged) throw new KanalError("KA_CONFIG", `template key "${key}" is defined twice in ${join(dir, locale)}`);
      merged[key] = text;
    }
  }
  return merged;
}

function readFile(dir: string, locale: Locale, file: string): Record<string, string> {
  const path = join(dir, locale, file);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new KanalError("KA_CONFIG", `cannot read templates ${path}: ${(error as Error).message}; fix or restore the file`);
  }
  const parsed = TemplateFile.safeParse(json);
  if (!parsed.success) {
    throw new KanalError("KA_CONFIG", `templates ${path} must be a flat object of strings: ${parsed.error.message}`);
  }
  return parsed.data;
}

/**
 * Loads and checks both locales. A key missing in one locale would only show up when a citizen
 * reaches that message, so the sets must match here, at start-up.
 */
export function loadTemplates(dir: string = DEFAULT_TEMPLATE_DIR): Templates {
  const byLocale = Object.fromEntries(LOCALES.map((l) => [l, readLocale(dir, l)])) as Record<Locale, Record<string, string>>;
  const all = new Set(LOCALES.flatMap((l) => Object.keys(byLocale[l])));
  const problems = LOCALES.flatMap((l) => {
    const missing = [...all].filter((key) => !(key in byLocale[l])).sort();
    return missing.length > 0 ? [`${l}/*.json lacks ${missing.join(", ")}`] : [];
  });
  if (problems.length > 0) {
    throw new KanalError("KA_CONFIG", `templates in ${dir} differ between locales: ${problems.join("; ")}`);
  }
  return byLocale;
}
