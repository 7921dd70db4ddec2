import type { Locale } from "../core/index.js";
import { render, type Templates } from "../i18n/index.js";

type Reply = Parameters<typeof render>[2];
export type TextVars = NonNullable<Reply["vars"]>;

/** The console's texts (templates/<locale>/console.json, and the staff texts it shares) in one locale. */
export type Texts = ((key: string, vars?: TextVars) => string) & { locale: Locale };

export function textsFor(templates: Templates, locale: Locale, officeName: string): Texts {
  const t = (key: string, vars?: TextVars) => render(templates, locale, { key, ...(vars ? { vars } : {}) }, { office: officeName }).text;
  return Object.assign(t, { locale });
}
