/**
 * The citizen's own words in an e-mail: quoted history and signatures removed. Replies carry the
 * whole conversation below (or around) the new text; a complaint must not grow by a copy of itself
 * and of our receipt with every reply.
 */

/** "On Mon, 5 Jan 2026 at 10:15, Budi <b@x.id> wrote:" (Gmail, Apple Mail, Thunderbird), in the languages citizens use. */
const ATTRIBUTION = /^(?:on|pada|am|le|el)\b.*\b(?:wrote|menulis|schrieb|a écrit|escribió)\s*:\s*$/i;
/** Outlook and others: a separator line that starts the quoted original. */
const ORIGINAL_SEPARATOR = /^-{2,}\s*(?:original message|pesan asli|pesan asal|forwarded message|pesan terusan)\s*-{2,}\s*$/i;
/** Outlook's header block of the quoted mail: "From: …" followed closely by "Sent:"/"To:"/"Subject:". */
const HEADER_FROM = /^\*?(?:from|dari)\s*:\*?\s/i;
const HEADER_NEXT = /^\*?(?:sent|date|to|cc|subject|dikirim|tanggal|kepada|subjek|perihal)\s*:\*?/i;
const UNDERSCORES = /^_{8,}\s*$/;
/** RFC 3676 signature separator "-- " (many clients trim its space). */
const SIGNATURE = /^--\s?$/;
/** The one-line footers phones and webmail add. */
const MOBILE_FOOTER =
  /^(?:sent from my .+|dikirim dari .+|get outlook for .+|dapatkan outlook untuk .+|sent from (?:outlook|mail|yahoo mail) .+|sent via .+)$/i;

/** Where the quoted original starts in a reply (a line index), or -1. */
function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (ORIGINAL_SEPARATOR.test(line)) return i;
    // An attribution line may be wrapped over two or three lines.
    for (let span = 1; span <= 3 && i + span <= lines.length; span++) {
      const joined = lines
        .slice(i, i + span)
        .map((l) => l.trim())
        .join(" ");
      if (/^(?:on|pada|am|le|el)\b/i.test(joined) && ATTRIBUTION.test(joined)) return i;
    }
    if (HEADER_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => HEADER_NEXT.test(l.trim()))) {
      return i > 0 && UNDERSCORES.test(lines[i - 1]!.trim()) ? i - 1 : i;
    }
  }
  return -1;
}

/**
 * The new text of a message. For a reply (`reply: true`) the quoted history goes: everything from
 * an attribution line ("On … wrote:", "Pada … menulis:"), an "-----Original Message-----" line or
 * an Outlook "From:/Sent:/To:" block on, and every line starting with ">" (answers written between
 * quoted lines are kept). A new e-mail keeps them: there, a quote or a forwarded message is part of
 * what the citizen sends. In both, the signature ("-- " and below) and a phone's "Sent from my …"
 * footer go.
 */
export function ownText(text: string, reply: boolean): string {
  let lines = text.replace(/\r\n?/g, "\n").split("\n");
  if (reply) {
    const start = quoteStart(lines);
    if (start >= 0) lines = lines.slice(0, start);
    lines = lines.filter((line) => !line.trimStart().startsWith(">"));
  }
  const signature = lines.findIndex((line) => SIGNATURE.test(line.trimEnd()));
  if (signature >= 0) lines = lines.slice(0, signature);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  if (lines.length > 0 && MOBILE_FOOTER.test(lines[lines.length - 1]!.trim())) lines.pop();
  return lines
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
