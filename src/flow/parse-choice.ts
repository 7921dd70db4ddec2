import { normalize } from "./keywords.js";

/**
 * A numbered answer: "2", "2.", "2)", "2 - Pelayanan", "2. Cek status". Buttons send their whole
 * label, so the number at the front is what counts; `rest` lets a parser check the words after it.
 */
export function parseNumbered(text: string, max: number): { n: number; rest: string } | undefined {
  const match = /^\s*(\d{1,2})(?:\s*[.):\-–]\s*|\s+|$)(.*)$/su.exec(text);
  if (!match) return undefined;
  const n = Number(match[1]);
  if (n < 1 || n > max) return undefined;
  return { n, rest: normalize(match[2] ?? "") };
}

/** Words that pick an option; the first option whose words appear wins, so order means priority. */
function pickByWords<T>(text: string, table: ReadonlyArray<readonly [T, ReadonlySet<string>]>): T | undefined {
  const n = normalize(text);
  const ws = new Set(n.split(" "));
  for (const [value, vocabulary] of table) {
    for (const phrase of vocabulary) {
      if (phrase.includes(" ") ? ` ${n} `.includes(` ${phrase} `) : ws.has(phrase)) return value;
    }
  }
  return undefined;
}

export type MenuChoice = 1 | 2 | 3;

// Status before information before complaint: "cek status aduan" is a status query, and
// "tanya soal aduan" is a question, though both mention "aduan".
const MENU_WORDS: ReadonlyArray<readonly [MenuChoice, ReadonlySet<string>]> = [
  [2, new Set(["status", "cek", "check", "lacak", "track"])],
  [3, new Set(["info", "informasi", "information", "tanya", "bertanya", "pertanyaan", "question", "ask", "minta informasi"])],
  [1, new Set(["aduan", "pengaduan", "adu", "lapor", "laporan", "melapor", "complaint", "complain", "komplain", "keluhan", "report"])],
];

/** Menu answers are short; a long message is a complaint text or chatter, never a menu pick. */
const MENU_MAX_WORDS = 6;

export function parseMenuChoice(text: string): MenuChoice | undefined {
  const numbered = parseNumbered(text, 3);
  if (numbered) return numbered.n as MenuChoice;
  if (normalize(text).split(" ").length > MENU_MAX_WORDS) return undefined;
  return pickByWords(text, MENU_WORDS);
}

export type EditField = "name" | "contact" | "address" | "category" | "text" | "evidence";
export const EDIT_FIELDS: readonly EditField[] = ["name", "contact", "address", "category", "text", "evidence"];

const EDIT_WORDS: ReadonlyArray<readonly [EditField, ReadonlySet<string>]> = [
  ["name", new Set(["nama", "name"])],
  ["contact", new Set(["kontak", "contact", "email", "e mail", "telepon", "telp", "phone", "hp", "wa", "whatsapp", "nomor"])],
  ["address", new Set(["alamat", "address"])],
  ["category", new Set(["kategori", "category"])],
  ["evidence", new Set(["bukti", "evidence", "lampiran", "berkas", "file", "files", "foto", "photo", "attachment", "attachments"])],
  ["text", new Set(["isi", "teks", "text", "uraian", "aduan", "complaint", "cerita", "keterangan"])],
];

export function parseEditChoice(text: string): EditField | undefined {
  const numbered = parseNumbered(text, EDIT_FIELDS.length);
  if (numbered) return EDIT_FIELDS[numbered.n - 1];
  if (normalize(text).split(" ").length > MENU_MAX_WORDS) return undefined;
  return pickByWords(text, EDIT_WORDS);
}

const NUMBER_WORDS: Record<string, number> = {
  satu: 1,
  dua: 2,
  tiga: 3,
  empat: 4,
  lima: 5,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
};

const RATING = new RegExp(
  "^(?:(?:nilai|skor|score|rating|rate|bintang)\\s*:?\\s*)?" + // "nilai 4", "score: 4"
    "([1-5]|satu|dua|tiga|empat|lima|one|two|three|four|five)" +
    "(?:\\s*(?:/|dari|of|out of)\\s*5)?" + // "4/5", "4 dari 5"
    "(?:\\s*(?:bintang|stars?|⭐+))?\\s*[.!]?$",
  "u",
);

/** A 1–5 rating: "4", "5/5", "nilai 4", "4 bintang", "empat", or a row of stars. */
export function parseRating(text: string): number | undefined {
  const raw = text
    .trim()
    .toLowerCase()
    .replace(/\uFE0F/g, "");
  const stars = /^(?:⭐|★){1,5}$/u.exec(raw);
  if (stars) return [...raw].length;
  const match = RATING.exec(raw);
  if (!match) return undefined;
  const value = match[1]!;
  return NUMBER_WORDS[value] ?? Number(value);
}
