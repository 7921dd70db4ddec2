/**
 * Tracking codes: the short secret a citizen gets with the ticket, which proves a status query from
 * any channel or conversation (`status ADU-2026-00042 K7QX9M2P`, the /lacak page). Only the format
 * lives here (the flow parses it); making and checking codes is src/complaints/tracking-code.ts.
 */

/**
 * Digits and capitals without the look-alikes 0/O, 1/I/L: a code read aloud over the phone or
 * copied from a screenshot is typed back right.
 */
export const TRACKING_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const TRACKING_CODE_LENGTH = 8;

const WELL_FORMED = new RegExp(`^[${TRACKING_CODE_ALPHABET}]{${TRACKING_CODE_LENGTH}}$`);

/** A code as typed ("k7qx-9m2p", "K7QX 9M2P") in its stored form, or undefined when it cannot be one. */
export function normalizeTrackingCode(raw: string): string | undefined {
  const code = raw.replace(/[\s-]/g, "").toUpperCase();
  return WELL_FORMED.test(code) ? code : undefined;
}

/** The word people may put before the code, as the receipt introduces it ("kode: K7QX9M2P"). */
const CODE_WORD = /^(?:kode(?:\s+pelacakan)?|code|tracking\s+code)\s*:?\s*/i;

/**
 * What follows the ticket in a status query ("status ADU-2026-00042 kode K7QX9M2P"): the code,
 * normalised, when it is one well-formed code; undefined otherwise ("status ADU-2026-00042
 * please" is a query without a code, answered as such).
 */
export function codeAfterTicket(text: string, ticket: string): string | undefined {
  const at = text.toUpperCase().indexOf(ticket.toUpperCase());
  if (at < 0) return undefined;
  const rest = text
    .slice(at + ticket.length)
    .trim()
    .replace(CODE_WORD, "")
    .replace(/[.!?]+$/, "")
    .trim();
  if (rest === "") return undefined;
  return normalizeTrackingCode(rest);
}
