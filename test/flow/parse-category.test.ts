import { describe, expect, it } from "vitest";
import { damerauLevenshtein, parseCategory } from "../../src/flow/index.js";

describe("parseCategory", () => {
  it.each([
    ["1", "Perilaku Pegawai"],
    ["2.", "Pelayanan"],
    ["3)", "Sarana Prasarana"],
    ["4", "Lain-lain"],
    ["1. Perilaku Pegawai", "Perilaku Pegawai"],
    ["2. Pelayanan", "Pelayanan"],
    ["3. Sarana Prasarana", "Sarana Prasarana"],
    ["4. Lain-lain", "Lain-lain"],
    ["3. Facilities & infrastructure", "Sarana Prasarana"],
    ["PELAYANAN", "Pelayanan"],
    ["sarana dan prasarana", "Sarana Prasarana"],
    ["lainnya", "Lain-lain"],
    ["employee behaviour", "Perilaku Pegawai"],
    ["Employee conduct", "Perilaku Pegawai"],
    ["service", "Pelayanan"],
    ["infrastructure", "Sarana Prasarana"],
    ["facilities", "Sarana Prasarana"],
    ["other", "Lain-lain"],
  ] as const)("%s → %s", (text, category) => {
    expect(parseCategory(text)).toBe(category);
  });

  it.each([
    ["pelayann", "Pelayanan"],
    ["pelayanaan", "Pelayanan"],
    ["pleayanan", "Pelayanan"],
    ["sarana prasaran", "Sarana Prasarana"],
    ["srana prasarana", "Sarana Prasarana"],
    ["perilaku", "Perilaku Pegawai"],
    ["prilaku pegawai", "Perilaku Pegawai"],
    ["perilaku pegawe", "Perilaku Pegawai"],
    ["lain2", "Lain-lain"],
    ["servise", "Pelayanan"],
    ["fasilitas", "Sarana Prasarana"],
    ["masalah pelayanan", "Pelayanan"],
    ["sarama", "Sarana Prasarana"],
    ["layanam", "Pelayanan"],
  ] as const)("close spelling %s → %s", (text, category) => {
    expect(parseCategory(text)).toBe(category);
  });

  // Two typos on a six-letter word is a different word: "banana" is not "sarana".
  it.each(["5", "0", "apa saja", "xyz", "", "pelayanan dan pegawai", "banana", "barang", "pegawe"])("%s is not a category", (text) => {
    expect(parseCategory(text)).toBeUndefined();
  });

  it("a leading number does not beat the words after it", () => {
    expect(parseCategory("4 orang pegawai bersikap kasar")).toBe("Perilaku Pegawai");
  });
});

describe("damerauLevenshtein", () => {
  it.each([
    ["pelayanan", "pelayanan", 0],
    ["pelayann", "pelayanan", 1],
    ["pleayanan", "pelayanan", 1],
    ["ab", "ba", 1],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
  ] as const)("%s / %s = %i", (a, b, d) => {
    expect(damerauLevenshtein(a, b)).toBe(d);
    expect(damerauLevenshtein(b, a)).toBe(d);
  });
});
