/** How a provider counts a text's length: UTF-16 units (WhatsApp, Messenger) or UTF-8 bytes (Instagram). */
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
  for (let i = text.length - 1; i > 0; i--) if (/\s/.test(text[i]!)) return i;
  return -1;
}

/** Where to cut `window` (whose first `fit` units fit): a paragraph, a line, then a word break in its second half. */
function cutPoint(window: string, fit: number): number {
  for (const separator of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(separator);
    if (at >= fit / 2 && at <= fit) return at;
  }
  const space = lastWhitespace(window);
  return space > 0 && space <= fit ? space : fit;
}

/**
 * Splits text into parts of at most `max` units, preferring a paragraph break, then a line break,
 * then a space, in the second half of the window; a word longer than the window is cut between
 * characters (never inside a surrogate pair, so an emoji stays whole). Whitespace at a cut is dropped.
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

/**
 * Cuts `text` into a head and a tail of at most `max` units (the tail is what goes with buttons, which
 * allow a shorter body than a text message). The head is empty when the whole text fits.
 */
export function splitTail(text: string, max: number): { head: string; tail: string } {
  if (text.length <= max) return { head: "", tail: text };
  const start = text.length - max;
  // The first break at or after `start` keeps the tail within max and as long as possible.
  for (const separator of ["\n\n", "\n", " "]) {
    const at = text.indexOf(separator, start);
    if (at !== -1 && at < text.length - max / 2) {
      return { head: text.slice(0, at).trimEnd(), tail: text.slice(at).replace(/^\s+/, "") };
    }
  }
  const cut = isHighSurrogate(text.charCodeAt(start - 1)) ? start + 1 : start;
  return { head: text.slice(0, cut), tail: text.slice(cut) };
}

/**
 * Our light markup is WhatsApp's own (`*bold*`, https://faq.whatsapp.com/539178204879377): kept as it is
 * there. Messenger and Instagram show it literally, so there the stars go; as in Markdown, bold hugs its
 * text and never spans a line, so "5 * 3 * 2" keeps its stars.
 */
export function stripBold(text: string): string {
  return text.replace(/\*(?=\S)([^*\n]*?\S)\*/g, "$1");
}

/** Options that cannot be buttons, listed under the text so they can be typed back. */
export function withOptionsListed(text: string, options: readonly string[]): string {
  if (options.length === 0) return text;
  const list = options.map((o) => `• ${o}`).join("\n");
  return text.trim() === "" ? list : `${text}\n\n${list}`;
}
