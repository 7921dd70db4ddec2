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
