import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressParts, redact, REDACTED, type KnownIdentity } from "../../src/reports/index.js";

/**
 * Property tests: identities written in generated formats (any separators, prefixes, brackets,
 * abbreviations) are masked, and ordinary text with dates, tickets, amounts and years is left alone.
 */

const digits = (s: string) => s.replace(/\D/g, "");
const RUNS = { numRuns: 400 };

/** Words around a number in a complaint: no digits, so any digit left in the output leaked. */
const contextWord = fc.constantFrom(
  "Hubungi",
  "saya",
  "di",
  "nomor",
  "WA:",
  "telp.",
  "HP",
  "atau",
  "ke",
  "Bapak/Ibu",
  "mohon",
  "segera",
  "(",
);
const context = fc.array(contextWord, { minLength: 0, maxLength: 4 }).map((w) => w.join(" "));
const separator = fc.constantFrom(" ", "-", ".", "/", "  ", " - ", "", "\u00A0", "–");

/** An Indonesian national number (without trunk prefix) split into its first group and the rest. */
const nationalNumber = fc.oneof(
  // Mobile: 8, an operator digit, then 7–10 digits (0812-3456-7890, 0857 3333 4444).
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^\d{7,10}$/))
    .map(([op, rest]) => ({ head: `8${op}${rest.slice(0, 1)}`, rest: rest.slice(1) })),
  // Landline: an area code, then 5–8 digits ((0361) 234567, 021-5551234).
  fc
    .tuple(fc.constantFrom("21", "22", "24", "31", "361", "274", "411", "541", "370", "751", "967"), fc.stringMatching(/^[1-9]\d{4,7}$/))
    .filter(([area, sub]) => area.length + sub.length >= 8)
    .map(([area, sub]) => ({ head: area, rest: sub })),
);

/** The rest of a number cut into groups of 2–5 digits, joined with generated separators. */
function grouped(rest: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 6, maxLength: 6 }), fc.array(separator, { minLength: 6, maxLength: 6 }))
    .map(([sizes, seps]) => {
      let out = "";
      let i = 0;
      let g = 0;
      while (i < rest.length) {
        const size = sizes[g % sizes.length]!;
        out += (g === 0 ? "" : seps[g % seps.length]) + rest.slice(i, i + size);
        i += size;
        g++;
      }
      return out;
    });
}

/** The same number in any of the ways people write it. */
const phoneWritten = nationalNumber.chain(({ head, rest }) =>
  fc
    .tuple(grouped(rest), separator, fc.constantFrom("0", "+62", "62", "+62 ", "+62-", "(0", "+62 (", "(+62) ", "+62 (0)", "0"))
    .map(([tail, sep, prefix]) => {
      const national = head + rest;
      let written: string;
      if (prefix === "(0") written = `(0${head}) ${tail}`;
      else if (prefix === "+62 (") written = `+62 (${head}) ${tail}`;
      else written = `${prefix}${head}${sep}${tail}`;
      return { national, written };
    }),
);

describe("redaction: anyone's contact data in the text", () => {
  it("masks any Indonesian phone number, whatever its prefix, brackets and separators", () => {
    fc.assert(
      fc.property(context, phoneWritten, context, (before, { written }, after) => {
        const text = `${before} ${written} ${after}`;
        const out = redact(text);
        expect(digits(out), `${text} → ${out}`).toBe("");
        expect(out).toContain(REDACTED);
        // The words around it stay.
        for (const word of `${before} ${after}`.split(" ").filter((w) => w.length > 1)) expect(out).toContain(word);
      }),
      RUNS,
    );
  });

  it("masks the issue's own examples", () => {
    for (const written of [
      "(0857) 3333 4444",
      "0857/3333/4444",
      "+62 (857) 3333-4444",
      "+62 (0)857 3333 4444",
      "6285733334444",
      "0361-234567",
    ]) {
      expect(redact(`Hubungi ${written} ya`)).toBe(`Hubungi ${REDACTED} ya`);
    }
    // A bracket the number did not open stays with the text.
    expect(redact("(telp 0812 3456 7890)")).toBe(`(telp ${REDACTED})`);
    expect(redact("(0812 3456 7890, WA)")).toBe(`(${REDACTED}, WA)`);
  });

  it("masks any NIK, in one piece or in groups", () => {
    const nik = fc.tuple(
      fc.stringMatching(/^[1-9]\d{15}$/),
      fc.constantFrom("", " ", ".", "-"),
      fc.constantFrom([16], [4, 4, 4, 4], [6, 6, 4], [2, 2, 2, 6, 4]),
    );
    fc.assert(
      fc.property(context, nik, context, (before, [n, sep, sizes], after) => {
        let written = "";
        let i = 0;
        for (const size of sizes) {
          written += (i === 0 ? "" : sep) + n.slice(i, i + size);
          i += size;
        }
        const out = redact(`${before} NIK ${written} ${after}`);
        expect(digits(out), out).toBe("");
      }),
      RUNS,
    );
  });

  it("masks any e-mail address, also written with [at]", () => {
    const local = fc.stringMatching(/^[a-z0-9](?:[a-z0-9._+-]{0,18}[a-z0-9])?$/);
    const domain = fc.tuple(
      fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/),
      fc.constantFrom("id", "com", "go.id", "co.id", "ac.id", "net", "org", "desa.id"),
    );
    fc.assert(
      fc.property(
        context,
        local,
        domain,
        fc.constantFrom("@", " [at] ", "(at)"),
        fc.boolean(),
        context,
        (before, l, [d, tld], at, upper, after) => {
          const address = `${l}${at}${d}.${tld}`;
          const written = upper ? address.toUpperCase() : address;
          const out = redact(`${before} ${written} ${after}`);
          expect(out, out).not.toMatch(/@|\[at\]|\(at\)/i);
          expect(out.toLowerCase(), out).not.toContain(`${d}.${tld}`);
        },
      ),
      RUNS,
    );
  });
});

describe("redaction: the complainant's own identity", () => {
  it("masks their phone however it is stored and written, even without a prefix", () => {
    const stored = fc.constantFrom(
      (n: string) => `+62${n}`,
      (n: string) => `0${n}`,
      (n: string) => `62${n}`,
      (n: string) => `+62 ${n.slice(0, 3)}-${n.slice(3)}`,
    );
    fc.assert(
      fc.property(phoneWritten, stored, fc.boolean(), context, ({ national, written }, store, bare, before) => {
        const who: KnownIdentity = { phone: store(national) };
        // Written without its trunk prefix: only the complainant's own number is recognised so.
        const text = bare ? `${before} ${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}` : `${before} ${written}`;
        const out = redact(text, who);
        expect(digits(out), `${text} → ${out}`).toBe("");
      }),
      RUNS,
    );
  });

  it("masks a foreign number of theirs digit for digit", () => {
    expect(redact("call +1 (555) 123-4567 or 1 555 123 4567", { phone: "+15551234567" })).toBe(`call ${REDACTED} or ${REDACTED}`);
  });

  const streets = ["Gatot Subroto Barat", "Teuku Umar", "Hayam Wuruk", "Raya Sesetan", "Diponegoro", "Kenanga", "Pulau Moyo"];
  const streetPrefix = fc.constantFrom("Jl. ", "Jl ", "Jalan ", "Jln. ", "JL. ", "jalan ", "Gg. ", "Gang ");
  const houseNumber = fc
    .integer({ min: 1, max: 299 })
    .chain((n) => fc.constantFrom(`No. ${n}`, `${n}`, `No ${n}`, `nomor ${n}`, `no.${n}`).map((w) => ({ n, w })));
  const rtRw = fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 })).chain(([rt, rw]) => {
    const p = (x: number, w: number) => String(x).padStart(w, "0");
    return fc
      .constantFrom(
        `RT ${p(rt, 2)}/RW ${p(rw, 2)}`,
        `RT.${p(rt, 3)}/RW.${p(rw, 3)}`,
        `RT ${rt} RW ${rw}`,
        `RT/RW ${p(rt, 2)}/${p(rw, 2)}`,
        `rt ${p(rt, 2)} rw ${p(rw, 2)}`,
        `RT ${p(rt, 3)}/${p(rw, 3)}`,
      )
      .map((w) => ({ rt, rw, w }));
  });
  const unit = fc.tuple(
    fc.constantFrom(
      ["banjar", ["Banjar ", "Br. ", "Br ", "BANJAR "]],
      ["dusun", ["Dusun ", "Dsn. ", "Dsn "]],
      ["lingkungan", ["Lingkungan ", "Ling. ", "Lingk. "]],
    ),
    fc.constantFrom("Tegal", "Tegal Kawan", "Krajan", "Sumerta Kaja", "Pekandelan"),
  );

  it("masks their address by its parts: street and house number, banjar/dusun, RT and RW", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...streets),
        streetPrefix,
        streetPrefix,
        houseNumber,
        houseNumber,
        rtRw,
        rtRw,
        unit,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (street, p1, p2, num1, num2, rr1, rr2, [[kind, words], name], i1, i2) => {
          const stored = `${p1}${street} ${num1.w}, ${rr1.w}, ${words[i1 % words.length]}${name}, Kel. Dauh Puri, Kota Denpasar`;
          // The same parts written another way in the text (numbers the same, spelling not).
          const houseAgain = num2.w.replace(String(num2.n), String(num1.n));
          const rrAgain = rr2.w.replace(/\d+/, String(rr1.rt).padStart(2, "0")).replace(/(\d+)(?!.*\d)/, String(rr1.rw));
          const streetAgain = i2 % 2 === 0 ? `${p2}${street.toLowerCase()}` : `${street} ${houseAgain}`;
          const placeAgain = `${words[i2 % words.length]!.toLowerCase()}${name}`;
          const text = `Rumah saya di ${streetAgain}, ${rrAgain}, ${placeAgain}. Lampu jalan di Kota Denpasar mati.`;
          const out = redact(text, { address: stored });
          const leaked = [
            street,
            name,
            ...street.split(" ").filter((w) => w.length > 3 && streets.filter((s) => s.includes(w)).length > 0),
          ];
          expect(out.toLowerCase(), `${kind}: ${stored} | ${text} → ${out}`).not.toContain(street.toLowerCase());
          expect(out.toLowerCase(), out).not.toContain(name.toLowerCase());
          expect(digits(out), `${text} → ${out}`).toBe("");
          expect(leaked.length).toBeGreaterThan(0);
          // The coarse place is not identity and stays.
          expect(out).toContain("Kota Denpasar mati");
        },
      ),
      RUNS,
    );
  });

  it("masks the issue's address examples", () => {
    const who = { address: "Jl. Gatot Subroto Barat No. 88, Banjar Tegal, Denpasar" };
    expect(redact("dekat Banjar Tegal, di Gatot Subroto Barat 88 ada lubang", who)).toBe(`dekat ${REDACTED}, di ${REDACTED} ada lubang`);
    expect(addressParts("Perum Griya Asri Blok C2 No. 5 RT 3 RW 12 Dusun Krajan Kec. Palaran")).toEqual({
      streets: [],
      places: [
        { kind: "perumahan", name: "Griya Asri" },
        { kind: "blok", name: "C2" },
        { kind: "dusun", name: "Krajan" },
      ],
      rt: "3",
      rw: "12",
    });
  });

  it("masks a one-word street only as a street, not the word everywhere", () => {
    const who = { address: "Jl. Raya 12, Denpasar" };
    expect(redact("Saya tinggal di jalan raya no 12. Hari Raya kantor tutup.", who)).toBe(
      `Saya tinggal di ${REDACTED}. Hari Raya kantor tutup.`,
    );
  });

  it("masks their name whole and word by word, but not a longer word nor a Balinese birth-order name alone", () => {
    const who = { name: "I Made Budi Santoso" };
    expect(redact("Terima kasih Pak Budi. I MADE BUDI SANTOSO hadir. Budiman dan Pak Made juga.", who)).toBe(
      `Terima kasih Pak ${REDACTED}. ${REDACTED} hadir. Budiman dan Pak Made juga.`,
    );
  });
});

describe("redaction leaves ordinary text alone", () => {
  const ticket = fc
    .tuple(fc.stringMatching(/^[A-Z][A-Z0-9]{0,9}$/), fc.integer({ min: 2020, max: 2099 }), fc.integer({ min: 1, max: 999_999 }))
    .map(([p, y, n]) => `${p}-${y}-${String(n).padStart(5, "0")}`);
  const date = fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }).chain((d) => {
    const dd = String(d.getUTCDate()).padStart(2, "0");
    const mm = String(d.getUTCMonth() + 1).padStart(2, "0");
    const y = d.getUTCFullYear();
    return fc.constantFrom(
      `${dd}/${mm}/${y}`,
      `${dd}-${mm}-${y}`,
      `${y}-${mm}-${dd}`,
      `${dd}.${mm}.${y}`,
      `${d.getUTCDate()} Desember ${y}`,
      `${dd}/${mm}/${String(y).slice(2)}`,
      `${dd}/${mm}/${y} ${dd}:${mm}`,
    );
  });
  const time = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }))
    .map(([h, m, h2]) => {
      const p = (x: number) => String(x).padStart(2, "0");
      return `pukul ${p(h)}.${p(m)} s.d. ${p(h2)}.00 WITA, ${p(h)}:${p(m)}, ${p(h)}.${p(m)}-${p(h2)}.${p(m)}`;
    });
  const amount = fc.integer({ min: 1, max: 999_999_999_999 }).chain((n) => {
    const dotted = n.toLocaleString("id-ID");
    return fc.constantFrom(`Rp ${dotted}`, `Rp${dotted},00`, `Rp. ${dotted}`, `IDR ${dotted}`, `${dotted} rupiah`, `Rp ${dotted},-`);
  });
  const other = fc.constantFrom(
    "tahun 2026",
    "3 orang",
    "loket 2",
    "antre 45 menit",
    "12 hari kerja",
    "75%",
    "Nomor: 470/123/Kec/2026",
    "005/12/2026",
    "RT 07",
    "lantai 3",
    "KTP-el",
    "Nomor SK 188.45/123/2026",
    "kilometer 12,5",
    "1.234 warga",
  );
  const fragment = fc.oneof(
    ticket,
    date,
    time,
    amount,
    other,
    fc.constantFrom("Mohon ditindaklanjuti.", "Pelayanan KTP lambat", "di kantor kecamatan", "terima kasih"),
  );
  const who: KnownIdentity = {
    name: "Budi Santoso",
    email: "budi@contoh.id",
    phone: "+6285733334444",
    address: "Jl. Gatot Subroto Barat No. 88, RT 03/RW 05, Banjar Tegal, Denpasar",
  };

  it("keeps dates, times, tickets, amounts, years and letter numbers", () => {
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 1, maxLength: 8 }), (parts) => {
        const text = parts.join(" ");
        expect(redact(text, who)).toBe(text);
        expect(redact(text)).toBe(text);
      }),
      { numRuns: 600 },
    );
  });

  it("masks a Jakarta number written with dots, which an amount never starts like (found by the property above)", () => {
    expect(redact("telepon 021.341.428 kantor")).not.toContain("341");
    expect(redact("biaya 21.341.428")).toBe("biaya 21.341.428");
  });

  it("keeps the issue's examples of ordinary text", () => {
    const text = "Tiket ADU-2026-00042 tanggal 03/12/2026 10:30, biaya Rp 150.000 dan Rp 62.512.500.000, tahun 2026, jam 08.00-16.00.";
    expect(redact(text, who)).toBe(text);
  });
});

describe("redaction on any input", () => {
  const anyText = fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.string({
      unit: fc.constantFrom("0", "8", "1", "6", "2", " ", "-", ".", "/", "(", ")", "+", "@", "a", "\u0000", "\uD800", "\uDFFF"),
      maxLength: 80,
    }),
  );

  it("never throws, is idempotent and leaves no NIK or phone behind", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = redact(text, who());
        expect(redact(once, who())).toBe(once);
      }),
      { numRuns: 1000 },
    );
    function who(): KnownIdentity {
      return { name: "Budi", phone: "081234567890", email: "a@b.id", address: "Jl. Kenanga 7" };
    }
  });
});
