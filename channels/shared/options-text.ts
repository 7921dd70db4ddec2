/**
 * Options as lines under the text, to be typed back, on a channel (or in a case) where they cannot be
 * buttons: WhatsApp Web (whatsapp-web.js cannot send buttons: WhatsApp only renders them for the
 * Business API), Discord, and the Meta channels when the options fit neither buttons nor a list. The
 * labels are what the step accepts verbatim (test/flow/options.test.ts): menu, category and edit
 * labels already start with their number ("1. Buat aduan baru"), the others ("Ya, kirim", "Lewati")
 * must not get one — "1" is no answer there. So a label is listed as it is, with a bullet when it has
 * no number, and a label the text already shows on a line of its own (the menu lists its choices) is
 * not repeated.
 */
export function withOptionsListed(text: string, options: readonly string[]): string {
  const lines = new Set(text.split("\n").map((line) => line.trim()));
  const missing = options.filter((option) => !lines.has(option.trim()));
  if (missing.length === 0) return text;
  const list = missing.map((option) => (/^\d{1,2}[.)]\s/.test(option) ? option : `• ${option}`)).join("\n");
  return text.trim() === "" ? list : `${text}\n\n${list}`;
}
