/** What is known about the complainant, only to blank it out of texts shown in reports. */
export interface KnownIdentity {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Blanks the complainant's own name, e-mail, phone number and address where a text repeats them
 * (a citizen who signs "Salam, Budi Santoso 0812…", a staff reply "Terima kasih Pak Budi"). The SOPs
 * promise the reporter's identity stays confidential; the logbook, the recap and letters to other
 * agencies are read outside the complaints desk.
 */
export function redactIdentity(text: string, who: KnownIdentity, mask = "[dirahasiakan]"): string {
  let out = text;
  const replaceAll = (pattern: RegExp) => {
    out = out.replace(pattern, mask);
  };
  if (who.email) replaceAll(new RegExp(escape(who.email.trim()), "giu"));
  if (who.address && who.address.trim().length >= 5) replaceAll(new RegExp(escape(who.address.trim()), "giu"));
  const digits = (who.phone ?? "").replace(/\D/g, "");
  if (digits.length >= 6) {
    // The same number written +62 812…, 0812-…, 62812…: match the national part with any separators.
    const national = digits.replace(/^(62|0)/, "");
    const spaced = [...national].map(escape).join("[\\s.-]*");
    replaceAll(new RegExp(`(?:\\+?62|0)?[\\s.-]*${spaced}`, "g"));
  }
  const name = (who.name ?? "").trim();
  if (name) {
    replaceAll(new RegExp(`(?<![\\p{L}\\p{N}])${escape(name)}(?![\\p{L}\\p{N}])`, "giu"));
    for (const word of name.split(/\s+/)) {
      const clean = word.replace(/[^\p{L}'-]/gu, "");
      if ([...clean].length < 3) continue;
      replaceAll(new RegExp(`(?<![\\p{L}\\p{N}])${escape(clean)}(?![\\p{L}\\p{N}])`, "giu"));
    }
  }
  return out;
}
