import { CATEGORIES, type Category } from "../core/index.js";
import { damerauLevenshtein, typoAllowance } from "./damerau.js";
import { normalize } from "./keywords.js";
import { parseNumbered } from "./parse-choice.js";

/** Template keys of the category names, shown in the summary and the option labels. */
export const CATEGORY_KEYS: Record<Category, string> = {
  "Perilaku Pegawai": "category.conduct",
  Pelayanan: "category.service",
  "Sarana Prasarana": "category.facilities",
  "Lain-lain": "category.other",
};

export const CATEGORY_OPTION_KEYS: readonly string[] = [
  "option.category.conduct",
  "option.category.service",
  "option.category.facilities",
  "option.category.other",
];

/** Normalised names a citizen may use, both languages; the form's own name first. */
const SYNONYMS: Record<Category, readonly string[]> = {
  "Perilaku Pegawai": [
    "perilaku pegawai",
    "perilaku",
    "pegawai",
    "petugas",
    "perilaku petugas",
    "sikap pegawai",
    "sikap petugas",
    "employee behaviour",
    "employee behavior",
    "employee conduct",
    "staff conduct",
    "staff behaviour",
    "staff behavior",
    "conduct",
    "behaviour",
    "behavior",
  ],
  Pelayanan: ["pelayanan", "layanan", "service", "services", "public service", "pelayanan publik"],
  "Sarana Prasarana": [
    "sarana prasarana",
    "sarana dan prasarana",
    "sarana",
    "prasarana",
    "sarpras",
    "fasilitas",
    "facilities",
    "facility",
    "infrastructure",
    "facilities infrastructure",
    "facilities and infrastructure",
  ],
  "Lain-lain": ["lain lain", "lainnya", "lain", "other", "others", "other matters", "hal lain"],
};

/** The category a phrase names, allowing small typos; undefined when none or two fit equally. */
function byName(phrase: string): Category | undefined {
  if (phrase === "") return undefined;
  let best: { category: Category; distance: number } | undefined;
  let tie = false;
  for (const category of CATEGORIES) {
    for (const synonym of SYNONYMS[category]) {
      const distance = damerauLevenshtein(phrase, synonym);
      if (distance > typoAllowance(synonym)) continue;
      if (!best || distance < best.distance) {
        best = { category, distance };
        tie = false;
      } else if (distance === best.distance && best.category !== category) {
        tie = true;
      }
    }
  }
  return best && !tie ? best.category : undefined;
}

/** "Masalah pelayanan": one word names a category and no other word names a different one. */
function byWord(phrase: string): Category | undefined {
  const found = new Set<Category>();
  for (const word of phrase.split(" ")) {
    if (word.length < 4) continue;
    const category = byName(word);
    if (category) found.add(category);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

export function parseCategory(text: string): Category | undefined {
  const numbered = parseNumbered(text, CATEGORIES.length);
  if (numbered) {
    const category = CATEGORIES[numbered.n - 1]!;
    // "4 orang pegawai kasar" starts with a number but is not option 4.
    if (numbered.rest === "" || byName(numbered.rest) === category || byWord(numbered.rest) === category) {
      return category;
    }
  }
  const phrase = normalize(text);
  return byName(phrase) ?? byWord(phrase);
}
