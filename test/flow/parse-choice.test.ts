import { describe, expect, it } from "vitest";
import {
  checkText,
  looksLikeComplaint,
  parseEditChoice,
  parseGlobal,
  parseMenuChoice,
  parseName,
  parseRating,
} from "../../src/flow/index.js";

describe("parseMenuChoice", () => {
  it.each([
    ["1", 1],
    ["2", 2],
    ["3", 3],
    [" 2. ", 2],
    ["1)", 1],
    ["1. Buat aduan baru", 1],
    ["2. Cek status aduan", 2],
    ["3. Minta informasi", 3],
    ["1. File a complaint", 1],
    ["2. Check a ticket's status", 2],
    ["3. Ask for information", 3],
    ["aduan", 1],
    ["Pengaduan", 1],
    ["lapor", 1],
    ["complaint", 1],
    ["status", 2],
    ["cek", 2],
    ["check", 2],
    ["cek status aduan", 2],
    ["info", 3],
    ["informasi", 3],
    ["information", 3],
    ["tanya", 3],
    ["question", 3],
    ["saya mau tanya", 3],
  ] as const)("%s → %i", (text, choice) => {
    expect(parseMenuChoice(text)).toBe(choice);
  });

  it.each(["4", "0", "halo", "terima kasih", "12"])("%s is no choice", (text) => {
    expect(parseMenuChoice(text)).toBeUndefined();
  });
});

describe("parseEditChoice", () => {
  it.each([
    ["1", "name"],
    ["2", "contact"],
    ["3", "address"],
    ["4", "category"],
    ["5", "text"],
    ["6", "evidence"],
    ["1. Nama", "name"],
    ["5. Isi aduan", "text"],
    ["5. Complaint text", "text"],
    ["6. Evidence", "evidence"],
    ["ubah alamat", "address"],
    ["email", "contact"],
    ["nomor hp", "contact"],
    ["kategori", "category"],
    ["foto", "evidence"],
  ] as const)("%s → %s", (text, field) => {
    expect(parseEditChoice(text)).toBe(field);
  });
  it.each(["7", "halo"])("%s is no choice", (text) => {
    expect(parseEditChoice(text)).toBeUndefined();
  });
});

describe("parseRating", () => {
  it.each([
    ["1", 1],
    ["5", 5],
    ["5/5", 5],
    ["4 / 5", 4],
    ["nilai 4", 4],
    ["Nilai: 3", 3],
    ["3 bintang", 3],
    ["4 stars", 4],
    ["empat", 4],
    ["five", 5],
    ["⭐⭐⭐", 3],
    ["2 dari 5", 2],
    ["5!", 5],
  ] as const)("%s → %i", (text, score) => {
    expect(parseRating(text)).toBe(score);
  });
  it.each(["0", "6", "10", "bagus", "3 hari", "", "4.5"])("%s is no rating", (text) => {
    expect(parseRating(text)).toBeUndefined();
  });
});

describe("parseGlobal", () => {
  it.each([
    ["menu", { type: "menu" }],
    ["Menu!", { type: "menu" }],
    ["/start", { type: "menu" }],
    ["BATAL", { type: "cancel" }],
    ["cancel", { type: "cancel" }],
    ["bantuan", { type: "help" }],
    ["help", { type: "help" }],
    ["english", { type: "locale", locale: "en" }],
    ["inggris", { type: "locale", locale: "en" }],
    ["indonesia", { type: "locale", locale: "id" }],
    ["Bahasa Indonesia", { type: "locale", locale: "id" }],
    ["status ADU-2026-00042", { type: "status", ticket: "ADU-2026-00042" }],
    ["cek adu-2026-00042", { type: "status", ticket: "ADU-2026-00042" }],
    ["check ADU-2026-00042 please", { type: "status", ticket: "ADU-2026-00042" }],
    ["adu-2026-00042", { type: "status", ticket: "ADU-2026-00042" }],
    // With the tracking code: typed after the ticket, with "kode"/"code", in any case, or pasted alone with the ticket.
    ["status ADU-2026-00042 K7QX9M2P", { type: "status", ticket: "ADU-2026-00042", code: "K7QX9M2P" }],
    ["cek adu-2026-00042 kode: k7qx9m2p", { type: "status", ticket: "ADU-2026-00042", code: "K7QX9M2P" }],
    ["check ADU-2026-00042 code K7QX-9M2P.", { type: "status", ticket: "ADU-2026-00042", code: "K7QX9M2P" }],
    ["ADU-2026-00042 K7QX9M2P", { type: "status", ticket: "ADU-2026-00042", code: "K7QX9M2P" }],
    // Not a code: a look-alike (0, O, 1, I, L) or the wrong length is a query without one.
    ["status ADU-2026-00042 K7QX9M2O", { type: "status", ticket: "ADU-2026-00042" }],
    ["status ADU-2026-00042 K7QX9M", { type: "status", ticket: "ADU-2026-00042" }],
    ["status", { type: "askStatus" }],
    ["status 123", { type: "askStatus" }],
  ] as const)("%s", (text, command) => {
    expect(parseGlobal(text)).toEqual(command);
  });

  it.each(["menu makanan di kantin kotor", "start", "saya batal datang karena antre", "", "halo", "ADU-2026-00042 TERLAMBAT lagi"])(
    "%s is no command",
    (text) => {
      expect(parseGlobal(text)).toBeUndefined();
    },
  );
});

describe("answers", () => {
  it("parseName takes the name out of a sentence and refuses what is not a name", () => {
    expect(parseName("Nama saya Budi Santoso")).toBe("Budi Santoso");
    expect(parseName("my name is Jane Doe.")).toBe("Jane Doe");
    expect(parseName("  Siti   Aminah ")).toBe("Siti Aminah");
    expect(parseName("1")).toBeUndefined();
    expect(parseName("budi@contoh.id")).toBeUndefined();
    expect(parseName("081234567890")).toBeUndefined();
    expect(parseName("x".repeat(81))).toBeUndefined();
  });

  it("checkText: 10 chars and 3 words at least, 4000 at most", () => {
    expect(checkText("jalan rusak parah")).toBe("ok");
    expect(checkText("rusak")).toBe("tooShort");
    expect(checkText("a b c")).toBe("tooShort");
    expect(checkText("kata ".repeat(900))).toBe("tooLong");
  });

  it("looksLikeComplaint: 8 words and 40 chars, not a command", () => {
    expect(looksLikeComplaint("Jalan di depan kantor kelurahan rusak parah sejak bulan lalu")).toBe(true);
    expect(looksLikeComplaint("Halo selamat pagi")).toBe(false);
    expect(looksLikeComplaint("a b c d e f g h")).toBe(false);
    expect(looksLikeComplaint("tolong cek ADU-2026-00042 yang saya kirim minggu lalu ya pak")).toBe(false);
  });
});
