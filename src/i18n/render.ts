import type { Locale, OutboundMessage, Reply, TemplateValue } from "../core/index.js";
import type { Templates } from "./load-templates.js";

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Nested templates only go a few levels deep; a cycle between keys must fail, not hang. */
const MAX_DEPTH = 4;

/**
 * Numbers are written as each language writes them: "0,1 MB" in Indonesian, "0.1 MB" in English.
 * No digit grouping: some numbers in texts are codes (an IMAP uid, a Telegram id) that a "." or ","
 * would corrupt, and the counts the bot reports stay far below where grouping helps reading.
 */
const NUMBER_FORMATS: Readonly<Record<Locale, Intl.NumberFormat>> = {
  id: new Intl.NumberFormat("id-ID", { useGrouping: false, maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat("en-GB", { useGrouping: false, maximumFractionDigits: 2 }),
};

/** A number in a text, in the reader's language. */
function formatNumber(locale: Locale, value: number): string {
  return NUMBER_FORMATS[locale].format(value);
}

/** The `{var}` names a template uses, for checks that both locales ask for the same values. */
export function templateVars(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

function lookup(templates: Templates, locale: Locale, key: string): string {
  const text = templates[locale][key];
  if (text === undefined) throw new Error(`unknown template key "${key}" (locale ${locale}): add it to templates/*/messages.json`);
  return text;
}

function fill(
  templates: Templates,
  locale: Locale,
  key: string,
  vars: Readonly<Record<string, TemplateValue>>,
  globals: Readonly<Record<string, string>>,
  depth: number,
): string {
  if (depth > MAX_DEPTH) throw new Error(`template "${key}" nests too deep (a cycle?)`);
  // One pass over the template: a value is inserted as is, so a citizen's "{name}" stays literal.
  return lookup(templates, locale, key).replace(PLACEHOLDER, (_match, name: string) => {
    const value = Object.hasOwn(vars, name) ? vars[name] : globals[name];
    if (value === undefined) throw new Error(`template "${key}" needs {${name}}, which the reply does not give`);
    if (typeof value === "object") return fill(templates, locale, value.key, vars, globals, depth + 1);
    return typeof value === "number" ? formatNumber(locale, value) : value;
  });
}

/**
 * Whether a reply rendered with these values holds only the office's own words: every value is a
 * reference to another template, none a text or number the conversation gave (a name, a ticket, a
 * complaint). The globals (`{office}`) are the office's too.
 */
export function onlyTemplateValues(vars: Readonly<Record<string, TemplateValue>> | undefined): boolean {
  for (const name in vars) if (typeof vars[name] !== "object") return false;
  return true;
}

/** One reply in the conversation's locale: `{var}` from the reply, then from the globals (`{office}`). */
export function render(templates: Templates, locale: Locale, reply: Reply, globals: Readonly<Record<string, string>>): OutboundMessage {
  const vars = reply.vars ?? {};
  const text = fill(templates, locale, reply.key, vars, globals, 0);
  if (!reply.options || reply.options.length === 0) return { text };
  return { text, options: reply.options.map((key) => fill(templates, locale, key, vars, globals, 0)) };
}
