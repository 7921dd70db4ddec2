/**
 * Text helpers for WhatsApp Web. Channels import only src/core, so the splitter lives here too
 * (channels/meta/text.ts has the same rules for the Cloud API).
 */

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Where to cut `window` (whose first `fit` characters fit): a paragraph, a line, then a word break in its second half. */
function cutPoint(window: string, fit: number): number {
  for (const separator of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(separator);
    if (at >= fit / 2 && at <= fit) return at;
  }
  return fit;
}

/**
 * Splits text into parts of at most `max` UTF-16 units, preferring a paragraph break, then a line
 * break, then a space in the second half of the window; a longer word is cut between characters,
 * never inside a surrogate pair. Whitespace at a cut is dropped.
 */
export function splitText(text: string, max: number): string[] {
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
 * Options as lines under the text, to be typed back (whatsapp-web.js cannot send buttons: WhatsApp
 * only renders them for the Business API). The labels are what the step accepts verbatim
 * (test/flow/options.test.ts): menu, category and edit labels already start with their number
 * ("1. Buat aduan baru"), the others ("Ya, kirim", "Lewati") must not get one — "1" is no answer
 * there. So a label is listed as it is, with a bullet when it has no number, and a label the text
 * already shows on a line of its own (the menu lists its choices) is not repeated.
 */
export function withOptionsListed(text: string, options: readonly string[]): string {
  const lines = new Set(text.split("\n").map((line) => line.trim()));
  const missing = options.filter((option) => !lines.has(option.trim()));
  if (missing.length === 0) return text;
  const list = missing.map((option) => (/^\d{1,2}[.)]\s/.test(option) ? option : `• ${option}`)).join("\n");
  return text.trim() === "" ? list : `${text}\n\n${list}`;
}
