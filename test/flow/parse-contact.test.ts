import { describe, expect, it } from "vitest";
import { parseContact, parseEmail, parsePhone } from "../../src/flow/index.js";

describe("parsePhone: Indonesian numbers, normalised to +62", () => {
  it.each([
    ["08123456789", "+628123456789"],
    ["+6281234567890", "+6281234567890"],
    ["628123456789", "+628123456789"],
    ["0812-3456-7890", "+6281234567890"],
    ["0812 3456 7890", "+6281234567890"],
    ["0812.3456.7890", "+6281234567890"],
    ["(021) 555-1234", "+62215551234"],
    ["+62 812 3456 7890", "+6281234567890"],
    ["+62 (0)812 3456 7890", "+6281234567890"],
  ])("%s → %s", (raw, normalised) => {
    expect(parsePhone(raw)).toBe(normalised);
  });

  it.each(["12345", "0812", "+1 555", "+1 555 123 4567", "0800", "08123456789012345", "00812345678", "abc"])("%s is refused", (raw) => {
    expect(parsePhone(raw)).toBeUndefined();
  });
});

describe("parseEmail", () => {
  it.each([
    ["budi@contoh.id", "budi@contoh.id"],
    ["Budi.Santoso+aduan@Mail.Example.co.id", "budi.santoso+aduan@mail.example.co.id"],
  ])("%s is accepted", (raw, expected) => {
    expect(parseEmail(raw)).toBe(expected);
  });
  it.each(["budi@", "budi@contoh", "@contoh.id", "budi contoh.id"])("%s is refused", (raw) => {
    expect(parseEmail(raw)).toBeUndefined();
  });
});

describe("parseContact: one answer, e-mail and/or phone", () => {
  it.each([
    ["budi@x.id 0812-3456-7890", { email: "budi@x.id", phone: "+6281234567890" }],
    ["email saya budi@x.id, hp +62 812 3456 7890.", { email: "budi@x.id", phone: "+6281234567890" }],
    ["WA: 081234567890", { phone: "+6281234567890" }],
    ["<budi@x.id>", { email: "budi@x.id" }],
    ["08123456789 0217654321", { phone: "+628123456789" }],
  ])("%s", (text, expected) => {
    expect(parseContact(text)).toEqual(expected);
  });

  it("names what is wrong, keeping what is right", () => {
    expect(parseContact("budi@x.id 12345")).toEqual({ email: "budi@x.id", badPhone: "12345" });
    expect(parseContact("budi@ 0812-3456-7890")).toEqual({ badEmail: "budi@", phone: "+6281234567890" });
    expect(parseContact("+1 555")).toEqual({ badPhone: "+1 555" });
    expect(parseContact("0812")).toEqual({ badPhone: "0812" });
  });

  it("finds nothing in plain words", () => {
    expect(parseContact("saya tidak tahu")).toEqual({});
  });
});
