import { findTicket } from "../core/index.js";
import { parseGlobal } from "./keywords.js";

export const TEXT_MIN_CHARS = 10;
export const TEXT_MIN_WORDS = 3;
/** The web chat's own message limit (CONTRACT: 1..4000 chars), so one message always fits. */
export const TEXT_MAX_CHARS = 4000;

const NAME_MAX_CHARS = 80;
const ADDRESS_MIN_CHARS = 5;
const ADDRESS_MAX_CHARS = 500;

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;
const collapse = (text: string): string => text.replace(/\s+/g, " ").trim();

export type TextCheck = "ok" | "tooShort" | "tooLong";

export function checkText(text: string): TextCheck {
  const trimmed = text.trim();
  if (trimmed.length > TEXT_MAX_CHARS) return "tooLong";
  if (trimmed.length < TEXT_MIN_CHARS || wordCount(trimmed) < TEXT_MIN_WORDS) return "tooShort";
  return "ok";
}

/**
 * A first message that already tells the story ("Pelayanan di loket 3 sangat lambat, saya menunggu
 * tiga jam…") rather than a greeting or a keyword. Thresholds from the brief: 8 words and 40 chars.
 */
export function looksLikeComplaint(text: string): boolean {
  const trimmed = text.trim();
  return (
    wordCount(trimmed) >= 8 &&
    trimmed.length >= 40 &&
    trimmed.length <= TEXT_MAX_CHARS &&
    parseGlobal(trimmed) === undefined &&
    findTicket(trimmed) === undefined
  );
}

/** "Nama saya Budi" is Budi: people answer in sentences. */
const NAME_PREFIX = /^(?:nama\s+saya|namaku|nama|saya|my\s+name\s+is|my\s+name's|i\s+am|i'm|name)\s*(?:adalah|is|:|-)?\s+/i;

export function parseName(text: string): string | undefined {
  const name = collapse(text)
    .replace(NAME_PREFIX, "")
    .replace(/[.!]+$/, "");
  if (name.length < 2 || name.length > NAME_MAX_CHARS) return undefined;
  if (!/\p{L}/u.test(name) || name.includes("@")) return undefined;
  // A name is a few words with few digits; anything else is an answer to another question.
  if (wordCount(name) > 6 || (name.match(/\d/g)?.length ?? 0) > 2) return undefined;
  return name;
}

export function parseAddress(text: string): string | undefined {
  const address = text.trim();
  if (address.length < ADDRESS_MIN_CHARS || address.length > ADDRESS_MAX_CHARS) return undefined;
  return /\p{L}/u.test(address) ? address : undefined;
}
