import { codeAfterTicket, findTicket, type Locale } from "../core/index.js";

/**
 * Lower case, accents and punctuation gone, single spaces. Every keyword comparison goes through
 * this, so "Ya, kirim!" and "ya kirim" are the same answer and option labels round-trip.
 */
export function normalize(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

export function words(text: string): string[] {
  const n = normalize(text);
  return n === "" ? [] : n.split(" ");
}

/** Both languages are always understood: a citizen mixes them, whatever the conversation's locale. */
const YES_FIRST = new Set(["ya", "iya", "yes", "y", "ok", "oke", "okay", "benar", "betul", "kirim", "send", "setuju", "sip", "yup", "yep"]);
const NO_FIRST = new Set([
  "tidak",
  "tdk",
  "no",
  "n",
  "nggak",
  "enggak",
  "gak",
  "ga",
  "bukan",
  "ubah",
  "edit",
  "change",
  "salah",
  "belum",
  "nope",
]);
const SKIP = new Set([
  "lewati",
  "lewat",
  "skip",
  "lewati saja",
  "skip it",
  "tidak ada",
  "tidak punya",
  "ga ada",
  "gak ada",
  "nggak ada",
  "tidak",
  "no",
  "none",
  "nothing",
  "kosong",
  "tidak perlu",
  "not needed",
]);
const DONE = new Set([
  "selesai",
  "done",
  "lanjut",
  "next",
  "sudah",
  "cukup",
  "finish",
  "finished",
  "continue",
  "lanjutkan",
  "sudah cukup",
  "sudah semua",
]);
const ANONYMOUS = new Set([
  "anonim",
  "anonym",
  "anonymous",
  "anon",
  "tanpa nama",
  "anonim tanpa nama",
  "rahasia",
  "rahasiakan nama",
  "no name",
  "stay anonymous",
  "tidak mau menyebut nama",
]);
const BACK = new Set(["kembali", "back", "kembali ke ringkasan", "back to summary", "tidak jadi", "ringkasan", "summary"]);
const CLEAR = new Set([
  "hapus",
  "hapus semua",
  "hapus bukti",
  "hapus semua bukti",
  "remove",
  "delete",
  "remove all",
  "delete all",
  "remove all evidence",
  "delete all evidence",
  "clear",
]);

/** Yes/no answers may carry a short tail ("Ya, kirim sekarang"); a sentence is not an answer. */
const MAX_ANSWER_WORDS = 4;

export function isYes(text: string): boolean {
  const w = words(text);
  return w.length > 0 && w.length <= MAX_ANSWER_WORDS && YES_FIRST.has(w[0]!) && !w.some((x) => NO_FIRST.has(x));
}

export function isNo(text: string): boolean {
  const w = words(text);
  return w.length > 0 && w.length <= MAX_ANSWER_WORDS && NO_FIRST.has(w[0]!);
}

export const isSkip = (text: string): boolean => SKIP.has(normalize(text));
export const isDone = (text: string): boolean => DONE.has(normalize(text)) || isSkip(text);
export const isAnonymous = (text: string): boolean => ANONYMOUS.has(normalize(text));
export const isBack = (text: string): boolean => BACK.has(normalize(text));
export const isClear = (text: string): boolean => CLEAR.has(normalize(text));

export type GlobalCommand =
  | { type: "menu" }
  | { type: "cancel" }
  | { type: "help" }
  | { type: "locale"; locale: Locale }
  /** `code`: the tracking code typed after the ticket, which lets anyone anywhere ask (see src/core/tracking-code.ts). */
  | { type: "status"; ticket: string; code?: string }
  /** "status" without a (recognisable) ticket: ask for it. */
  | { type: "askStatus" };

const MENU = new Set(["menu", "menu utama", "main menu", "kembali ke menu", "back to menu", "home"]);
const CANCEL = new Set(["batal", "cancel", "batalkan", "batalkan aduan", "cancel complaint"]);
const HELP = new Set(["bantuan", "help", "panduan", "petunjuk", "tolong bantu"]);
const TO_EN = new Set(["english", "inggris", "bahasa inggris", "in english", "english please"]);
const TO_ID = new Set(["indonesia", "bahasa indonesia", "indonesian", "bahasa", "pakai bahasa indonesia"]);
const STATUS_WORDS = new Set(["status", "cek", "check", "lacak", "track"]);
const STATUS_ALONE = new Set(["status", "cek", "check", "cek status", "check status", "cek status aduan", "lacak", "track"]);

/**
 * The keywords that work at every step. Matched on the whole message only (plus a ticket for
 * status), so a complaint text that merely contains "batal" or "status" is never taken as a command.
 */
export function parseGlobal(raw: string): GlobalCommand | undefined {
  const text = raw.trim();
  if (text === "") return undefined;
  // Telegram sends "/start" when a chat opens; the other slash forms are a courtesy.
  const n = normalize(text);
  if (text.startsWith("/") && n === "start") return { type: "menu" };
  if (MENU.has(n)) return { type: "menu" };
  if (CANCEL.has(n)) return { type: "cancel" };
  if (HELP.has(n)) return { type: "help" };
  if (TO_EN.has(n)) return { type: "locale", locale: "en" };
  if (TO_ID.has(n)) return { type: "locale", locale: "id" };

  const ticket = findTicket(text);
  const first = n.split(" ")[0] ?? "";
  if (ticket) {
    const code = codeAfterTicket(text, ticket);
    if (STATUS_WORDS.has(first) || n === normalize(ticket)) return { type: "status", ticket, ...(code ? { code } : {}) };
    // A ticket and its code pasted alone; a well-formed code only, so that a follow-up is never taken for one.
    if (code && text.toUpperCase().startsWith(ticket)) return { type: "status", ticket, code };
  }
  if (STATUS_ALONE.has(n)) return { type: "askStatus" };
  // "status 123": meant as a status query, but the ticket is unusable; ask for it properly.
  if (STATUS_WORDS.has(first) && n.split(" ").length === 2 && /\d/.test(n)) return { type: "askStatus" };
  return undefined;
}
