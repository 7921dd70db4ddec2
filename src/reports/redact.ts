/**
 * Redaction of texts shown outside the complaints desk: letters to other agencies, the logbook, the
 * recap's examples, the public tracking page. Every SOP promises "identitas pelapor dijaga
 * kerahasiaannya" and UU 27/2022 (Pelindungan Data Pribadi) binds the office, so two things go:
 *
 * - the complainant's own identity in any spelling: the name (whole, and each word of it), the
 *   e-mail, the phone number compared digit by digit whatever the separators or prefix, and the
 *   address by its parts (street name with its house number, banjar/dusun/lingkungan/perumahan/blok
 *   name, RT and RW numbers);
 * - anyone's NIK (16 digits), Indonesian phone number (+62 / 62 / 0, any separators) and e-mail
 *   address written in the text, even when it is not the complainant's.
 *
 * What is not identity stays: dates, times, ticket numbers (ADU-2026-00042), amounts (Rp 150.000),
 * years, letter numbers, and the coarse places of an address (desa, kelurahan, kecamatan, city,
 * province, postal code) which many thousands share and a complaint often names as its subject.
 *
 * Pure and synchronous (no I/O): the reports, the tracking page and the web console call it alike.
 */

/** What is known about the complainant, only to blank it out of texts. */
export interface KnownIdentity {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
}

/** What a blanked part becomes. */
export const REDACTED = "[dirahasiakan]";

export interface RedactOptions {
  /** The replacement; `[dirahasiakan]` by default. */
  mask?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Separators people put inside a phone number: spaces, dots, dashes, slashes, brackets. */
const SEP = "[ \\t\\u00A0.\\-\\u2013/()]";
/** Not glued to a number before it (a ticket's "2026-00042" is not a phone). */
const NOT_AFTER_NUMBER = "(?<!\\p{N})(?<!\\p{N}[.\\-/])(?<!\\+)";
/** Not followed by more of a number. */
const NOT_BEFORE_NUMBER = "(?!\\p{N})(?![.\\-/,]\\p{N})";

/**
 * A phone number's trunk prefix: +62, 62, 0, optionally bracketed, and "+62 (0)" (the national
 * zero some people keep after the country code).
 */
const TRUNK = `(?:\\([ \\t]?)?(?:(?:\\+[ \\t]?62|62)(?:${SEP}{0,2}\\(0\\))?|0)`;

/**
 * Any Indonesian number: the trunk prefix, then the national number (8–12 digits starting 1–9:
 * mobile 8xx…, landline area code + subscriber) with up to three separators between digits. Its
 * first group has two digits at least (operator or area code): "RT 07 005/12/2026" is no phone.
 */
const PHONE = new RegExp(`${NOT_AFTER_NUMBER}${TRUNK}${SEP}{0,3}[1-9]\\d(?:${SEP}{0,3}\\d){6,10}\\)?${NOT_BEFORE_NUMBER}`, "gu");

/**
 * A NIK (or a Kartu Keluarga number): 16 digits in one piece, or in the groups people write it in
 * with one separator throughout: 4-4-4-4, 6-6-4 (region, birth date, serial), 2-2-2-6-4. Any 16
 * digits with any separators would also take "00.00-00.00 01-01-2000" (a time and a date).
 */
const NIK = new RegExp(
  `${NOT_AFTER_NUMBER}(?:\\d{16}|\\d{4}([ .\\-])\\d{4}\\1\\d{4}\\1\\d{4}|\\d{6}([ .\\-])\\d{6}\\2\\d{4}|\\d{2}([ .\\-])\\d{2}\\3\\d{2}\\3\\d{6}\\3\\d{4})${NOT_BEFORE_NUMBER}`,
  "gu",
);

/** An e-mail address, also written "nama [at] domain.id". */
const EMAIL = /[\p{L}\p{N}._%+-]+(?:@|\s?[[(]at[\])]\s?)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/giu;

/** dd/mm/yyyy, dd-mm-yy, dd.mm.yyyy at the start of a match: a date, not a phone. */
const DATE_START = /^\(?\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?!\d)/;
/** "08.00 - 16.00", "07.30/15.30": office hours, not a phone. */
const TIME_RANGE = /^\(?\d{2}[.:][0-5]\d\s*[-–/s.d]*\s*\d{2}[.:][0-5]\d/;
/** 62.500.000 (thousands in threes): an amount that starts with 62, not +62. An amount never starts with 0: 021.341.428 is Jakarta. */
const THOUSANDS = /^[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$/;
/** What makes the number after it an amount. */
const MONEY_BEFORE = /(?:Rp|IDR|USD|US\$|\$)\.?\s*$/i;

function looksLikeAmountOrTime(match: string, before: string): boolean {
  const m = match.trim();
  return DATE_START.test(m) || TIME_RANGE.test(m) || (!m.startsWith("+") && THOUSANDS.test(m)) || MONEY_BEFORE.test(before);
}

const digitsOf = (s: string) => s.replace(/\D/g, "");

/**
 * The complainant's own number in any spelling: the national digits with any separators, with or
 * without a trunk prefix ("857 3333 4444" is still theirs). A number that is not Indonesian is
 * matched digit for digit with an optional "+".
 */
function ownPhonePattern(phone: string): RegExp | undefined {
  const digits = digitsOf(phone);
  if (digits.length < 6) return undefined;
  // Stored as +62…, 62…, 0… or already without the trunk (8…: a mobile number).
  const national = /^(?:62|0)[1-9]/.test(digits) ? digits.replace(/^(?:62|0)/, "") : /^8\d{8,11}$/.test(digits) ? digits : undefined;
  const indonesian = national !== undefined && !(phone.trim().startsWith("+") && !digits.startsWith("62"));
  const body = [...(indonesian ? national : digits)].join(`${SEP}{0,3}`);
  const prefix = indonesian ? `(?:${TRUNK}${SEP}{0,3})?` : "(?:\\+[ \\t]?)?";
  return new RegExp(`${NOT_AFTER_NUMBER}${prefix}${body}\\)?${NOT_BEFORE_NUMBER}`, "gu");
}

// ----- the address, by its parts -----------------------------------------------------------

/** A word boundary that knows letters beyond ASCII. */
const B = "(?<![\\p{L}\\p{N}])";
const E = "(?![\\p{L}\\p{N}])";

type PlaceKind = "banjar" | "dusun" | "lingkungan" | "kampung" | "perumahan" | "blok";

/** How each kind of place is introduced, in full and abbreviated. */
const PLACE_WORDS: Record<PlaceKind, string> = {
  banjar: "(?:banjar|bjr|br)",
  dusun: "(?:dusun|dsn|dukuh)",
  lingkungan: "(?:lingkungan|lingk|ling)",
  kampung: "(?:kampung|kamp|kp)",
  perumahan: "(?:perumahan|perum|kompleks|komplek|komp)",
  blok: "(?:blok)",
};
const STREET_WORDS = "(?:jalan|jln|jl|gang|gg|lorong|lr)";
/** Places many thousands share: not identity (and often what the complaint is about). */
const COARSE_WORDS = "(?:desa|ds|kelurahan|kel|kecamatan|kec|kota|kabupaten|kab|provinsi|prov|kode\\s*pos)";
const NUMBER_WORDS = "(?:nomor|nomer|no|#)";
const RT = "(?:rt)";
const RW = "(?:rw)";

/** Where an address splits into pieces: commas, line breaks, and before each keyword. */
const PIECE_START = new RegExp(
  `(?=${B}(?:${RT}|${RW}|${Object.values(PLACE_WORDS).join("|")}|${STREET_WORDS}|${COARSE_WORDS}|${NUMBER_WORDS})${E}\\.?)`,
  "iu",
);

interface AddressParts {
  streets: { name: string; number?: string }[];
  places: { kind: PlaceKind; name: string }[];
  rt?: string;
  rw?: string;
}

const HOUSE_NUMBER = "\\d+[a-z]?(?:\\s*/\\s*\\d+[a-z]?)?";
const trimPunct = (s: string) => s.replace(/^[\s.,:;-]+|[\s.,:;-]+$/g, "");
const stripZeros = (n: string) => n.replace(/^0+(?=\d)/, "");

/** Reads an address ("Jl. Gatot Subroto Barat No. 88, RT 03/RW 05, Banjar Tegal, Denpasar") into its parts. */
export function addressParts(address: string): AddressParts {
  const parts: AddressParts = { streets: [], places: [] };
  const rtRw = /(?<![\p{L}])rt\s*\.?\s*\/\s*rw\s*\.?\s*(\d{1,3})\s*\/\s*(\d{1,3})/iu.exec(address);
  const rtThenRw = /(?<![\p{L}])rt\s*\.?\s*(\d{1,3})(?:\s*[/,]?\s*(?:rw\s*\.?\s*)?(\d{1,3}))?/iu.exec(address);
  const rw = /(?<![\p{L}])rw\s*\.?\s*(\d{1,3})/iu.exec(address);
  if (rtRw) {
    parts.rt = stripZeros(rtRw[1]!);
    parts.rw = stripZeros(rtRw[2]!);
  } else {
    if (rtThenRw) parts.rt = stripZeros(rtThenRw[1]!);
    if (rw) parts.rw = stripZeros(rw[1]!);
    else if (rtThenRw?.[2]) parts.rw = stripZeros(rtThenRw[2]);
  }

  const segments = address.split(/[,;\n\r]+/);
  segments.forEach((segment, segmentIndex) => {
    const pieces = segment
      .split(PIECE_START)
      .map((p) => p.trim())
      .filter(Boolean);
    pieces.forEach((piece, pieceIndex) => {
      const lower = piece.toLowerCase();
      const starts = (words: string) => new RegExp(`^${words}${E}\\.?`, "iu").exec(lower);
      const street = starts(STREET_WORDS);
      if (street) {
        const rest = trimPunct(piece.slice(street[0].length));
        const m = new RegExp(`^(.*?)(?:\\s*(?:${NUMBER_WORDS}\\.?)?\\s*(${HOUSE_NUMBER}))?$`, "iu").exec(rest)!;
        const name = trimPunct(m[1]!);
        if (/\p{L}{2,}/u.test(name)) parts.streets.push({ name, ...(m[2] ? { number: m[2] } : {}) });
        return;
      }
      const number = starts(NUMBER_WORDS);
      if (number) {
        const n = new RegExp(`^\\s*(${HOUSE_NUMBER})`, "iu").exec(piece.slice(number[0].length))?.[1];
        const last = parts.streets.at(-1);
        if (n && last && !last.number) last.number = n;
        return;
      }
      for (const kind of Object.keys(PLACE_WORDS) as PlaceKind[]) {
        const place = starts(PLACE_WORDS[kind]);
        if (place) {
          const name = trimPunct(piece.slice(place[0].length));
          if (/[\p{L}\p{N}]/u.test(name)) parts.places.push({ kind, name });
          return;
        }
      }
      if (starts(COARSE_WORDS) || starts(RT) || starts(RW)) return;
      // A first piece without a keyword but with a house number is the street ("Kenanga 7, Denpasar");
      // without a number it is more likely a town ("Denpasar Utara"), which is not identity.
      if (segmentIndex === 0 && pieceIndex === 0) {
        const m = new RegExp(`^(.*?\\p{L}{2,}.*?)\\s*(?:${NUMBER_WORDS}\\.?)?\\s*(${HOUSE_NUMBER})$`, "iu").exec(trimPunct(piece));
        if (m) parts.streets.push({ name: trimPunct(m[1]!), number: m[2]! });
      }
    });
  });
  return parts;
}

/** The words of a name, matched with any spacing. */
const wordsPattern = (name: string) =>
  name
    .split(/[\s.]+/)
    .filter(Boolean)
    .map(escape)
    .join("[\\s.]+");

const numberPattern = (n: string) =>
  n
    .split(/\s*\/\s*/)
    .map((x) => `0*${escape(stripZeros(x))}`)
    .join("\\s*/\\s*");

/** Patterns that find the address's parts in a text, most specific first. */
function addressPatterns(address: string): RegExp[] {
  const parts = addressParts(address);
  const patterns: string[] = [];
  if (parts.rt && parts.rw) {
    const rt = `0*${parts.rt}`;
    const rw = `0*${parts.rw}`;
    patterns.push(
      `${B}rt\\s*\\.?\\s*/\\s*rw\\s*\\.?\\s*${rt}\\s*/\\s*${rw}(?!\\d)`,
      `${B}rt\\s*\\.?\\s*${rt}\\s*[/,]?\\s*(?:rw\\s*\\.?\\s*)?${rw}(?!\\d)`,
    );
  }
  if (parts.rt) patterns.push(`${B}rt\\s*\\.?\\s*0*${parts.rt}(?!\\d)`);
  if (parts.rw) patterns.push(`${B}rw\\s*\\.?\\s*0*${parts.rw}(?!\\d)`);
  for (const street of parts.streets) {
    const name = wordsPattern(street.name);
    if (name === "") continue;
    const prefix = `${STREET_WORDS}\\.?\\s*`;
    const number = street.number ? `(?:\\s*,?\\s*(?:${NUMBER_WORDS}\\.?)?\\s*${numberPattern(street.number)}(?![\\p{N}]))` : "";
    const words = street.name.split(/[\s.]+/).filter(Boolean);
    // One common word ("Jl. Raya", "Jl. Kenanga") is masked only as a street: with "Jl." before it
    // or its house number after it. A longer name ("Gatot Subroto Barat") is masked wherever it is.
    if (words.length > 1) patterns.push(`${B}(?:${prefix})?${name}${number ? `${number}?` : ""}${E}`);
    else {
      patterns.push(`${B}${prefix}${name}${number ? `${number}?` : ""}${E}`);
      if (number) patterns.push(`${B}${name}${number}${E}`);
    }
  }
  for (const place of parts.places) {
    const name = place.kind === "blok" ? place.name.split(/\s+/).map(escape).join("\\s*") : wordsPattern(place.name);
    if (name === "") continue;
    const words = place.name.split(/\s+/).filter(Boolean);
    patterns.push(`${B}${PLACE_WORDS[place.kind]}\\.?\\s*${name}${E}`);
    if (words.length > 1 && place.kind !== "blok") patterns.push(`${B}${name}${E}`);
  }
  return patterns.map((p) => new RegExp(p, "giu"));
}

// ----- the name ----------------------------------------------------------------------------

/**
 * Words of a name that alone say nothing about who it is: honorifics and Balinese birth-order
 * names ("I Made", "Ni Putu") that half of a banjar shares. The whole name is still masked.
 */
const COMMON_NAME_WORDS = new Set(
  `bapak ibu pak bu mas mbak kak bang sdr sdri saudara saudari haji hajjah hj drs dra ir dr
   i ni gede putu wayan made kadek nyoman komang ketut gusti ayu agung anak ida bagus dewa desak
   muhammad mohammad moh muh siti nur abdul`
    .split(/\s+/)
    .filter(Boolean),
);

function namePatterns(name: string): RegExp[] {
  const patterns = [new RegExp(`${B}${wordsPattern(name)}${E}`, "giu")];
  for (const word of name.split(/\s+/)) {
    const clean = word.replace(/[^\p{L}'-]/gu, "");
    if ([...clean].length < 3 || COMMON_NAME_WORDS.has(clean.toLowerCase())) continue;
    patterns.push(new RegExp(`${B}${escape(clean)}${E}`, "giu"));
  }
  return patterns;
}

/**
 * The mask, keeping a bracket the match took without its partner: "(telp 0812 3456 7890)" keeps
 * its closing bracket, "(0812 3456 7890, WA)" its opening one.
 */
function balanced(match: string, mask: string): string {
  const open = (match.match(/\(/g) ?? []).length;
  const close = (match.match(/\)/g) ?? []).length;
  if (open > close && match.startsWith("(")) return `(${mask}`;
  if (close > open && match.endsWith(")")) return `${mask})`;
  return mask;
}

// ----- the one function --------------------------------------------------------------------

/**
 * The text with the complainant's identity (`who`, when known) and every NIK, Indonesian phone
 * number and e-mail address replaced by `[dirahasiakan]`. Idempotent: redacting twice changes
 * nothing more.
 */
export function redact(text: string, who?: KnownIdentity | null, options: RedactOptions = {}): string {
  // A ticket number is never identity, even one whose prefix ends in a digit ("A0-2026-00001").
  return text
    .split(TICKET_TOKEN)
    .map((part, i) => (i % 2 === 1 ? part : redactPart(part, who, options.mask ?? REDACTED)))
    .join("");
}

/** Ticket numbers (TICKET_PREFIX-year-sequence), kept whole by the split in redact(). */
const TICKET_TOKEN = /((?<![\p{L}\p{N}-])[A-Z][A-Z0-9]{0,9}-20\d{2}-\d{5,}(?![\p{L}\p{N}]))/u;

function redactPart(text: string, who: KnownIdentity | null | undefined, mask: string): string {
  let out = text;
  const replace = (pattern: RegExp, keep?: (match: string, before: string) => boolean) => {
    out = out.replace(pattern, (match: string, ...rest: unknown[]) => {
      const offset = rest.find((x): x is number => typeof x === "number") ?? 0;
      return keep?.(match, out.slice(Math.max(0, offset - 8), offset)) ? match : balanced(match, mask);
    });
  };

  const email = who?.email?.trim();
  if (email) replace(new RegExp(`${B}${escape(email)}`, "giu"));
  replace(EMAIL);

  replace(NIK, (_match, before) => MONEY_BEFORE.test(before));
  const own = who?.phone ? ownPhonePattern(who.phone) : undefined;
  if (own) replace(own);
  replace(PHONE, looksLikeAmountOrTime);

  const address = who?.address?.trim();
  if (address) {
    // The whole address as written first, then its parts as they may be written elsewhere.
    if (address.length >= 5) replace(new RegExp(escape(address), "giu"));
    for (const pattern of addressPatterns(address)) replace(pattern);
  }

  const name = who?.name?.trim();
  if (name) for (const pattern of namePatterns(name)) replace(pattern);
  return out;
}
