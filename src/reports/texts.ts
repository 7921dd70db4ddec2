import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { KanalError, LOCALES, type Locale } from "../core/index.js";
import { DEFAULT_TEMPLATE_DIR } from "../i18n/index.js";

/** The layout texts of the reports (templates/reports/<locale>.json), with `{var}` placeholders. */
export interface ReportTexts {
  readonly locale: Locale;
  has(key: string): boolean;
  t(key: string, vars?: Readonly<Record<string, string | number>>): string;
}

export const DEFAULT_REPORT_TEXTS_DIR = join(DEFAULT_TEMPLATE_DIR, "reports");

const TextsFile = z.record(z.string().min(1), z.string());
const cache = new Map<string, ReportTexts>();

function readTexts(dir: string, locale: Locale): Record<string, string> {
  const path = join(dir, `${locale}.json`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new KanalError("KA_CONFIG", `cannot read report texts ${path}: ${(error as Error).message}; fix or restore the file`);
  }
  const parsed = TextsFile.safeParse(json);
  if (!parsed.success) throw new KanalError("KA_CONFIG", `report texts ${path} must be a flat object of strings`);
  return parsed.data;
}

/**
 * Loads one locale's texts and checks that every locale has the same keys: a key missing in one
 * would only show when someone prints that report in that language.
 */
export function loadReportTexts(locale: Locale, dir: string = DEFAULT_REPORT_TEXTS_DIR): ReportTexts {
  const cacheKey = `${dir}\0${locale}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const all = Object.fromEntries(LOCALES.map((l) => [l, readTexts(dir, l)])) as Record<Locale, Record<string, string>>;
  for (const l of LOCALES) {
    const missing = LOCALES.flatMap((other) => Object.keys(all[other])).filter((key) => !(key in all[l]));
    if (missing.length > 0)
      throw new KanalError("KA_CONFIG", `report texts ${join(dir, `${l}.json`)} lack ${[...new Set(missing)].sort().join(", ")}`);
  }
  const texts = all[locale];
  const result: ReportTexts = {
    locale,
    has: (key) => Object.hasOwn(texts, key),
    t(key, vars = {}) {
      const text = texts[key];
      if (text === undefined) throw new Error(`unknown report text "${key}": add it to ${join(dir, `${locale}.json`)}`);
      return text.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (match, name: string) =>
        Object.hasOwn(vars, name) ? String(vars[name]) : match,
      );
    },
  };
  cache.set(cacheKey, result);
  return result;
}
