/** Text for Discord (https://support.discord.com/hc/en-us/articles/210298617-Markdown-Text-101). */

/** A message's content: at most 2000 characters (https://discord.com/developers/docs/resources/message#create-message). */
export const DISCORD_TEXT_LIMIT = 2000;

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

function cutPoint(window: string, fit: number): number {
  for (const separator of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(separator);
    if (at >= fit / 2 && at <= fit) return at;
  }
  return fit;
}

/**
 * Splits text into parts of at most `max` characters at a paragraph, line or word break in the
 * second half of the window; a longer word is cut, never inside a surrogate pair.
 */
export function splitText(text: string, max: number = DISCORD_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const fit = isHighSurrogate(rest.charCodeAt(max - 1)) ? max - 1 : max;
    const cut = Math.max(1, cutPoint(rest.slice(0, fit + 1), fit));
    const part = rest.slice(0, cut).trimEnd();
    if (part !== "") parts.push(part);
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest !== "" || parts.length === 0) parts.push(rest);
  return parts;
}

/**
 * Our templates mark bold WhatsApp's way (`*bold*`); on Discord one star is italic, so it becomes
 * `**bold**`. As in Markdown, bold hugs its text and never spans a line, so "5 * 3 * 2" stays.
 */
export function toDiscordMarkdown(text: string): string {
  return text.replace(/(?<!\*)\*(?=[^\s*])([^*\n]*?[^\s*])\*(?!\*)/g, "**$1**");
}

/**
 * Options as lines under the text, typed back by the citizen. The labels are what the flow accepts
 * verbatim: numbered ones ("1. Buat aduan baru") stay as they are, the others get a bullet ("1" is
 * no answer to "Ya, kirim"); a label the text already shows on a line of its own (the menu) is not
 * repeated.
 */
export function withOptionsListed(text: string, options: readonly string[]): string {
  const lines = new Set(text.split("\n").map((line) => line.trim()));
  const missing = options.filter((option) => !lines.has(option.trim()));
  if (missing.length === 0) return text;
  const list = missing.map((option) => (/^\d{1,2}[.)]\s/.test(option) ? option : `• ${option}`)).join("\n");
  return text.trim() === "" ? list : `${text}\n\n${list}`;
}
