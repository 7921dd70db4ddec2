import type { Category } from "../core/index.js";
import { normalize } from "./keywords.js";

/**
 * A small keyword classifier for the e-mail variant: an e-mail usually is the whole complaint, so
 * its category is guessed from its words and the citizen only confirms or corrects it.
 *
 * Each category has terms (Indonesian and English) with a weight: 3 names the category outright
 * ("pungli", "toilet"), 2 points to it, 1 is a weak hint that also occurs elsewhere ("petugas" is
 * in many service complaints too). The score of a category is the sum of the weights of its
 * terms found in the text, each term counted once (a long e-mail repeating one word does not win
 * on that word alone). The best score wins; none, or a tie at the top, is "Lain-lain".
 */
type Terms = Readonly<Record<string, 1 | 2 | 3>>;

const TERMS: Readonly<Record<Exclude<Category, "Lain-lain">, Terms>> = {
  "Perilaku Pegawai": {
    kasar: 3,
    pungli: 3,
    "pungutan liar": 3,
    marah: 2,
    membentak: 3,
    bentak: 3,
    "tidak sopan": 3,
    "kurang sopan": 3,
    "tidak ramah": 3,
    "kurang ramah": 3,
    judes: 3,
    jutek: 3,
    ketus: 3,
    galak: 3,
    cuek: 2,
    acuh: 2,
    menghina: 3,
    memaki: 3,
    suap: 3,
    disuap: 3,
    sogok: 3,
    "uang rokok": 3,
    "uang pelicin": 3,
    "uang lelah": 3,
    calo: 3,
    "minta uang": 3,
    "meminta uang": 3,
    "biaya tambahan": 2,
    diskriminasi: 3,
    "pilih kasih": 3,
    mempersulit: 2,
    dipersulit: 2,
    "main hp": 2,
    "main handphone": 2,
    bolos: 2,
    "tidak disiplin": 2,
    oknum: 2,
    sikap: 2,
    perilaku: 2,
    petugas: 1,
    pegawai: 1,
    staf: 1,
    satpam: 1,
    rude: 3,
    bribe: 3,
    bribery: 3,
    extortion: 3,
    impolite: 3,
    angry: 2,
    shouted: 3,
    yelled: 3,
    corrupt: 3,
    officer: 1,
    staff: 1,
    employee: 1,
    clerk: 1,
    behaviour: 2,
    behavior: 2,
    attitude: 2,
  },
  Pelayanan: {
    antre: 2,
    antri: 2,
    antrean: 2,
    antrian: 2,
    lama: 1,
    lambat: 2,
    syarat: 2,
    persyaratan: 2,
    berkas: 2,
    dokumen: 1,
    layanan: 2,
    pelayanan: 2,
    ktp: 2,
    "e ktp": 2,
    akta: 2,
    "kartu keluarga": 2,
    kk: 1,
    "surat keterangan": 2,
    izin: 2,
    perizinan: 2,
    proses: 1,
    menunggu: 2,
    loket: 1,
    "jam buka": 2,
    "jam layanan": 2,
    "jam pelayanan": 2,
    online: 1,
    aplikasi: 1,
    sistem: 1,
    website: 1,
    pengurusan: 2,
    mengurus: 2,
    prosedur: 2,
    berbelit: 2,
    "tidak jelas": 1,
    "belum jadi": 2,
    "belum selesai": 2,
    blangko: 2,
    formulir: 2,
    queue: 2,
    slow: 2,
    wait: 1,
    waiting: 2,
    waited: 2,
    requirements: 2,
    document: 1,
    documents: 1,
    service: 2,
    permit: 2,
    certificate: 2,
    "id card": 2,
    procedure: 2,
    application: 1,
  },
  "Sarana Prasarana": {
    rusak: 3,
    lampu: 3,
    jalan: 1,
    toilet: 3,
    wc: 3,
    "kamar mandi": 3,
    ac: 3,
    parkir: 2,
    parkiran: 2,
    gedung: 2,
    kursi: 3,
    atap: 3,
    bocor: 3,
    kotor: 2,
    bau: 2,
    sampah: 2,
    listrik: 2,
    kipas: 3,
    lift: 3,
    "ruang tunggu": 2,
    fasilitas: 3,
    mushola: 3,
    musala: 3,
    pintu: 2,
    jendela: 2,
    lantai: 2,
    licin: 2,
    banjir: 2,
    selokan: 3,
    drainase: 3,
    trotoar: 3,
    penerangan: 3,
    "air bersih": 2,
    wastafel: 3,
    plafon: 3,
    broken: 3,
    lamp: 3,
    light: 1,
    road: 2,
    parking: 2,
    building: 2,
    chair: 3,
    chairs: 3,
    roof: 3,
    leak: 3,
    leaking: 3,
    dirty: 2,
    "air conditioning": 3,
    elevator: 3,
    facility: 3,
    facilities: 3,
    restroom: 3,
    bathroom: 3,
  },
};

const SUFFIXES = ["nya", "kan", "an", "lah", "i", "s"];

/** A word carries a term: equal, with a suffix ("antreannya"), or, for terms of 5+ letters, inside it ("kerusakan"). */
function wordHas(word: string, term: string): boolean {
  if (word === term) return true;
  if (term.length >= 5) return word.includes(term);
  return SUFFIXES.some((suffix) => word === term + suffix);
}

export interface CategoryGuess {
  category: Category;
  /** The winning score; 0 for "Lain-lain" when nothing matched. */
  score: number;
}

export function classifyCategory(text: string): CategoryGuess {
  const n = normalize(text);
  const padded = ` ${n} `;
  const wordList = n === "" ? [] : n.split(" ");
  const scores: [Category, number][] = [];
  for (const [category, terms] of Object.entries(TERMS) as [Category, Terms][]) {
    let score = 0;
    for (const [term, weight] of Object.entries(terms)) {
      const found = term.includes(" ") ? padded.includes(` ${term} `) : wordList.some((w) => wordHas(w, term));
      if (found) score += weight;
    }
    scores.push([category, score]);
  }
  scores.sort((a, b) => b[1] - a[1]);
  const [best, second] = scores;
  if (!best || best[1] === 0 || (second && second[1] === best[1])) return { category: "Lain-lain", score: 0 };
  return { category: best[0], score: best[1] };
}
