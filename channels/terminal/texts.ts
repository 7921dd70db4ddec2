import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { LOCALES, type Locale } from "../../src/core/index.js";

const TerminalTextsSchema = z.object({
  banner: z.string().min(1),
  resumed: z.string().min(1),
  you: z.string().min(1),
  bot: z.string().min(1),
  staff: z.string().min(1),
  options: z.string().min(1),
  fileMissing: z.string().min(1),
  bye: z.string().min(1),
});

export type TerminalTexts = z.infer<typeof TerminalTextsSchema>;

/** The terminal's own words in every locale: the conversation may switch language mid-way. */
export function loadTerminalTexts(templatesDir: string): Record<Locale, TerminalTexts> {
  const entries = LOCALES.map((locale) => {
    const raw: unknown = JSON.parse(readFileSync(join(templatesDir, locale, "terminal.json"), "utf8"));
    return [locale, TerminalTextsSchema.parse(raw)] as const;
  });
  return Object.fromEntries(entries) as Record<Locale, TerminalTexts>;
}
