import { normalize, words } from "./keywords.js";
import { checkText } from "./parse-answer.js";
import { parseMenuChoice, parseNumbered } from "./parse-choice.js";

/**
 * What a message after the receipt is: small talk answered as such, a menu pick, a clear addition
 * to the complaint, or something that may not be meant for it (asked before it reaches staff).
 */
export type FollowUpIntent = "greeting" | "thanks" | "menu" | "addition" | "unclear";

/** Forms of address and fillers around small talk: "selamat pagi pak", "makasih banyak ya min". */
const FILLER = new Set([
  "pak",
  "bu",
  "bapak",
  "ibu",
  "min",
  "admin",
  "kak",
  "mas",
  "mbak",
  "bro",
  "sis",
  "ya",
  "yaa",
  "yah",
  "ok",
  "oke",
  "okay",
  "baik",
  "siap",
  "sip",
  "banyak",
  "sekali",
  "semua",
  "all",
  "so",
  "much",
  "very",
  "lot",
  "a",
  "you",
  "sir",
  "maam",
  "there",
]);

const GREETINGS = new Set([
  "halo",
  "hallo",
  "helo",
  "hello",
  "hai",
  "hi",
  "hey",
  "pagi",
  "siang",
  "sore",
  "malam",
  "selamat pagi",
  "selamat siang",
  "selamat sore",
  "selamat malam",
  "assalamualaikum",
  "assalamu alaikum",
  "assalamualaikum wr wb",
  "salam",
  "permisi",
  "p",
  "ping",
  "good morning",
  "good afternoon",
  "good evening",
  "om swastiastu",
]);

/** Thanks, and the bare acknowledgements that mean "noted" ("ok", "siap"): fillers alone. */
const THANKS = new Set([
  "terima kasih",
  "terimakasih",
  "trima kasih",
  "makasih",
  "makasi",
  "mksh",
  "trims",
  "tq",
  "ty",
  "thx",
  "thanks",
  "thank",
  "thank u",
  "thank you",
  "matur nuwun",
  "suwun",
]);

/** "ok", "siap pak": noted, answered like thanks. A bare "ya" is not among them: it may answer anything. */
const ACK = new Set(["ok", "oke", "okay", "siap", "sip", "baik"]);

/** The menu's options said in words, as people shorten the buttons' labels. */
const MENU_PHRASES = new Set([
  "buat aduan",
  "buat aduan baru",
  "aduan baru",
  "pengaduan baru",
  "cek status aduan",
  "minta informasi",
  "informasi",
  "new complaint",
  "file a complaint",
  "file a new complaint",
  "check status",
  "ask for information",
  "information",
]);

/** Words left once the fillers are gone, joined: the core of a short message. */
function core(text: string): string {
  return words(text)
    .filter((w) => !FILLER.has(w))
    .join(" ");
}

/**
 * A menu pick after the receipt: a bare number, a button label ("2. Cek status aduan": its words
 * name the same option), or the few words of one ("cek status"). "3 hari belum dibalas" is not one.
 */
function isMenuPick(text: string): boolean {
  const numbered = parseNumbered(text, 3);
  if (numbered) return numbered.rest === "" || parseMenuChoice(numbered.rest) === numbered.n;
  // Words alone only as the menu's own phrases: "aduan saya?" asks about the complaint, it starts no new one.
  return MENU_PHRASES.has(normalize(text));
}

/** Mostly letters: "asdf qwer zxcv 1234 !!!" is not a sentence, but "Sudah 3 hari belum ada kabar" is. */
function readable(text: string): boolean {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  const visible = text.replace(/\s/g, "").length;
  const hasVowelWord = words(text).some((w) => w.length >= 2 && /[aeiou]/.test(w) && /[^aeiou0-9]/.test(w));
  return visible > 0 && letters / visible >= 0.6 && hasVowelWord;
}

export function followUpIntent(text: string): FollowUpIntent {
  const n = normalize(text);
  if (n !== "") {
    const rest = core(text);
    if (GREETINGS.has(rest) || GREETINGS.has(n)) return "greeting";
    // Small talk with nothing else: "ok", "makasih banyak ya pak". Emoji alone normalise to nothing.
    if (THANKS.has(rest) || (rest === "" && words(text).some((w) => ACK.has(w)))) return "thanks";
    if (isMenuPick(text)) return "menu";
  }
  // Two real words make a message too ("tambahan foto", "kapan diproses"); one word may be anything.
  const sentence = checkText(text) === "ok" || (words(text).length >= 2 && text.trim().length >= 10);
  if (sentence && readable(text)) return "addition";
  return "unclear";
}
