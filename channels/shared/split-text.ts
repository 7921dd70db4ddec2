/**
 * Splitting a text that is over a provider's limit into messages, the same way on every channel;
 * each channel passes its own limit, and how its provider counts it.
 */

/** How a provider counts a text's length: UTF-16 units (Telegram, Discord, WhatsApp, Messenger) or UTF-8 bytes (Instagram). */
export type TextUnit = "chars" | "utf8";

export const sizeOf = (text: string, unit: TextUnit): number => (unit === "utf8" ? Buffer.byteLength(text, "utf8") : text.length);

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** How many UTF-16 units of `text`, from its start, fit in `max` units; never ends inside a surrogate pair. */
function fitLength(text: string, max: number, unit: TextUnit): number {
  if (unit === "chars") {
    if (text.length <= max) return text.length;
    return isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  }
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + width > max) break;
    bytes += width;
    i += code >= 0x10000 ? 2 : 1;
  }
  return i;
}

function lastWhitespace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (/\s/.test(text[i]!)) return i;
  return -1;
}

/**
 * Where to cut `window` (whose first `fit` units fit): a paragraph, a line, then a word break in its
 * second half, so parts stay of a readable size; failing that any whitespace, so a word is only cut
 * when one alone is longer than the window.
 */
function cutPoint(window: string, fit: number): number {
  for (const separator of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(separator);
    if (at >= fit / 2 && at <= fit) return at;
  }
  // A cut at 0 (the text starts with whitespace) sends nothing and drops that whitespace.
  const space = lastWhitespace(window);
  return space >= 0 && space <= fit ? space : fit;
}

/**
 * Splits text into parts of at most `max` units, preferring a paragraph break, then a line break,
 * then a space, in the second half of the window; a word longer than the window is cut between
 * characters, never inside a surrogate pair (an emoji stays whole). Whitespace at a cut is dropped;
 * every other character is kept, in order. Text within the limit comes back as it is.
 */
export function splitText(text: string, max: number, unit: TextUnit = "chars"): string[] {
  const parts: string[] = [];
  let rest = text;
  while (sizeOf(rest, unit) > max) {
    const fit = Math.max(1, fitLength(rest, max, unit));
    const cut = cutPoint(rest.slice(0, fit + 1), fit);
    const part = rest.slice(0, cut).trimEnd();
    if (part !== "") parts.push(part);
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest !== "" || parts.length === 0) parts.push(rest);
  return parts;
}
