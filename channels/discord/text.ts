/** Text for Discord (https://support.discord.com/hc/en-us/articles/210298617-Markdown-Text-101). */

/** A message's content: at most 2000 characters (https://discord.com/developers/docs/resources/message#create-message). */
export const DISCORD_TEXT_LIMIT = 2000;

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
