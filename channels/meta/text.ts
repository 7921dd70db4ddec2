const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

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
