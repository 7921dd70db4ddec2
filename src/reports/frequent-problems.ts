/**
 * Indonesian function words, courtesy words and the everyday words of any complaint ("mohon
 * tolong bapak ibu"), which say nothing about what the problem is. A few English ones too: the bot
 * takes complaints in English.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `yang dan di ke dari untuk dengan ini itu saya kami kita tidak ada sudah akan pada karena atau juga sangat bapak ibu
  mohon tolong agar supaya dalam oleh bagi tentang seperti sebagai adalah ialah yaitu yakni bahwa jika kalau maka namun
  tetapi tapi serta lalu kemudian setelah sebelum sejak hingga sampai saat ketika waktu masih belum telah sedang lagi
  pun hanya saja sudah bisa dapat harus perlu mau ingin apa siapa mengapa kenapa bagaimana kapan dimana mana sini situ
  sana nya ya iya ok oke terima kasih banyak mas mbak pak bu bang kak dik min admin pihak para semua setiap beberapa
  banyak sedikit lebih kurang paling amat begitu begini demikian tersebut hal cara sehingga walaupun meskipun padahal
  aku anda kamu dia mereka beliau kalian engkau ia kan dong deh sih lah kah tah loh nih tuh yg dgn utk tdk sdh krn jg
  sy kmi dr dlm pd tsb bpk ibu2 bapak2 hari ini kemarin besok tadi sekarang nanti selalu sering pernah tiap sekali
  masa agak cukup sama lain milik punya buat jadi menjadi membuat melakukan dilakukan terjadi mengalami mendapat
  mendapatkan diberikan memberikan berikan apakah adakah bila manakala guna demi per antara atas bawah depan belakang
  luar satu dua tiga empat lima salah the and for with this that from are was were have has had not but you your our
  please thank thanks very there their they them been being into about would could should will can just also
  kepada terhadap sekitar masing-masing hal-hal orang warga masyarakat
  dirahasiakan mengeluhkan mengadukan melaporkan keluhan mengeluh pengaduan aduan adukan laporkan complaint`
    .split(/\s+/)
    .filter(Boolean),
);

export interface TermCount {
  term: string;
  /** In how many of the texts it occurs (a word repeated in one complaint counts once). */
  count: number;
}

/** Lower-case words of letters and digits, at least 3 characters, stop words dropped. */
export function contentWords(text: string): string[][] {
  // Sentences first: a phrase does not run across a full stop or a line break.
  return text
    .toLowerCase()
    .split(/[.!?;:\n\r]+/)
    .map((sentence) =>
      sentence
        .split(/[^\p{L}\p{N}-]+/u)
        .map((w) => w.replace(/^-+|-+$/g, ""))
        .filter((w) => [...w].length >= 3 && !STOP_WORDS.has(w) && !/^\d+$/.test(w)),
    )
    .filter((words) => words.length > 0);
}

/**
 * The words and two-word phrases that recur across texts, most frequent first. A phrase is two
 * content words next to each other once stop words are gone ("antrean (di) loket" → "antrean
 * loket"). A phrase found in as many texts as its words is shown instead of those words, so
 * "antrean loket" does not also bring "antrean" and "loket" along.
 */
export function frequentTerms(texts: readonly string[], limit = 5): TermCount[] {
  const words = new Map<string, number>();
  const phrases = new Map<string, number>();
  for (const text of texts) {
    const sentences = contentWords(text);
    for (const w of new Set(sentences.flat())) words.set(w, (words.get(w) ?? 0) + 1);
    const bigrams = new Set(sentences.flatMap((s) => s.slice(1).map((w, i) => `${s[i]} ${w}`)));
    for (const p of bigrams) phrases.set(p, (phrases.get(p) ?? 0) + 1);
  }
  const minimum = texts.length > 1 ? 2 : 1;
  // Most texts first, a phrase before a word, then the order they first appear in (the sort is stable).
  const order = (a: TermCount, b: TermCount) => b.count - a.count || b.term.split(" ").length - a.term.split(" ").length;
  const chosenPhrases = [...phrases]
    .map(([term, count]) => ({ term, count }))
    .filter((t) => t.count >= minimum)
    .sort(order);
  // With a single text every phrase occurs once: then its words alone say it more briefly.
  const usePhrases = texts.length > 1;
  const covered = new Map<string, number>();
  if (usePhrases)
    for (const p of chosenPhrases.slice(0, limit))
      for (const w of p.term.split(" ")) covered.set(w, Math.max(covered.get(w) ?? 0, p.count));
  const chosenWords = [...words]
    .map(([term, count]) => ({ term, count }))
    .filter((t) => t.count >= minimum && (covered.get(t.term) ?? 0) < t.count);
  return [...(usePhrases ? chosenPhrases : []), ...chosenWords].sort(order).slice(0, limit);
}

/** A text cut at a word boundary near `max` characters, with an ellipsis. */
export function truncate(text: string, max = 140): string {
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, "")}…`;
}
