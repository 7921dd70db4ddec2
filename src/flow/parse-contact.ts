/** Contact details from one free-text answer: "budi@x.id 0812-3456-7890" gives both. */
export interface ContactParse {
  email?: string;
  /** Normalised +62… */
  phone?: string;
  /** What looked like an e-mail address or a phone number but is not usable, as written. */
  badEmail?: string;
  badPhone?: string;
}

const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$/i;

export function parseEmail(raw: string): string | undefined {
  const candidate = raw.trim().replace(/^mailto:/i, "");
  return EMAIL.test(candidate) ? candidate.toLowerCase() : undefined;
}

/**
 * An Indonesian number as people write it: 0812-3456-7890, +62 812 3456 7890, 62812…, (021) 555-1234,
 * even "+62 (0)812…". Landlines are accepted too: an office can call them back. After the trunk 0
 * there are 9 to 13 digits (a national number never starts with 0 again).
 */
export function parsePhone(raw: string): string | undefined {
  const text = raw.trim();
  if (!/^\+?[\d\s\-.()]+$/.test(text)) return undefined;
  const digits = text.replace(/\D/g, "");
  let national: string;
  if (digits.startsWith("62")) {
    // "+62 (0)812…": the trunk 0 written after the country code by habit.
    national = digits.slice(2).replace(/^0/, "");
  } else if (digits.startsWith("0") && !text.startsWith("+")) {
    national = digits.slice(1);
  } else {
    return undefined;
  }
  return /^[1-9]\d{8,12}$/.test(national) ? `+62${national}` : undefined;
}

/** Runs of digits with the separators people use; four digits or a leading "+" make it a try. */
const PHONE_RUN = /\+?[\d(][\d\s\-.()]*\d/g;

function phoneCandidates(text: string): string[] {
  return [...text.matchAll(PHONE_RUN)].map((m) => m[0].trim()).filter((c) => c.startsWith("+") || c.replace(/\D/g, "").length >= 4);
}

export function parseContact(text: string): ContactParse {
  const result: ContactParse = {};
  let rest = text;
  for (const token of text.split(/[\s,;]+/)) {
    if (!token.includes("@")) continue;
    const cleaned = token.replace(/^[<("'[]+|[>)"'\].:!?]+$/g, "");
    const email = parseEmail(cleaned);
    if (email) result.email ??= email;
    else result.badEmail ??= cleaned;
    rest = rest.replace(token, " ");
  }
  for (const candidate of phoneCandidates(rest)) {
    const phone = parsePhone(candidate);
    if (phone) {
      result.phone ??= phone;
      continue;
    }
    // "08123456789 0217654321": two numbers that the run above glued together.
    const pieces = candidate.split(/\s+/).map(parsePhone);
    const first = pieces.find((p) => p !== undefined);
    if (pieces.length > 1 && first && pieces.every((p) => p !== undefined)) result.phone ??= first;
    else result.badPhone ??= candidate;
  }
  return result;
}
