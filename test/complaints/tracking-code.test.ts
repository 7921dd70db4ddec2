import { describe, expect, it } from "vitest";
import { scryptSync } from "node:crypto";
import { newTrackingCode, sealTrackingCode, trackingLink, verifyTrackingCode } from "../../src/complaints/index.js";
import { codeAfterTicket, normalizeTrackingCode, TRACKING_CODE_ALPHABET, TRACKING_CODE_LENGTH } from "../../src/core/index.js";
import { keyringOf, newKeyText, parseKeyList, seal } from "../../src/db/index.js";

const keyring = keyringOf(parseKeyList(newKeyText()), "setting");
const otherKeyring = keyringOf(parseKeyList(newKeyText()), "setting");

describe("tracking codes", () => {
  it("are 8 characters from an alphabet without look-alikes, and do not repeat", () => {
    expect(TRACKING_CODE_ALPHABET).not.toMatch(/[0O1IL]/);
    expect(new Set(TRACKING_CODE_ALPHABET).size).toBe(TRACKING_CODE_ALPHABET.length);
    const codes = Array.from({ length: 2000 }, newTrackingCode);
    for (const code of codes) expect(code).toMatch(new RegExp(`^[${TRACKING_CODE_ALPHABET}]{${TRACKING_CODE_LENGTH}}$`));
    expect(new Set(codes).size).toBe(codes.length);
    // Every character of the alphabet turns up in every position (2000 draws over 31 letters).
    for (let position = 0; position < TRACKING_CODE_LENGTH; position++) {
      expect(new Set(codes.map((c) => c[position])).size).toBe(TRACKING_CODE_ALPHABET.length);
    }
  });

  it("are stored sealed with the identity key, bound to the ticket, and checked as typed", async () => {
    const code = newTrackingCode();
    const stored = sealTrackingCode("ADU-2026-00042", code, keyring);
    expect(stored).toMatch(/^enc:v1:/);
    expect(stored).not.toContain(code);
    expect(sealTrackingCode("ADU-2026-00042", code, keyring)).not.toBe(stored); // a fresh IV each time
    expect(await verifyTrackingCode("ADU-2026-00042", code, stored, keyring)).toBe(true);
    expect(await verifyTrackingCode("adu-2026-00042", `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`, stored, keyring)).toBe(true);
    const other = code.startsWith("A") ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    expect(await verifyTrackingCode("ADU-2026-00042", other, stored, keyring)).toBe(false);
    // The same code on another ticket, a tampered or missing value, another office's key: no, and no throw.
    expect(await verifyTrackingCode("ADU-2026-00043", code, stored, keyring)).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", code, stored.slice(0, -4), keyring)).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", code, `${stored.slice(0, -6)}AAAA==`, keyring)).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", code, stored, otherKeyring)).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", code, "enc:v1:::", keyring)).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", code, null, keyring)).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", "", stored, keyring)).toBe(false);
    // A code in clear is never taken: a row someone edited by hand does not open.
    expect(await verifyTrackingCode("ADU-2026-00042", code, `ADU-2026-00042:${code}`, keyring)).toBe(false);
  });

  it("stored by earlier versions as a scrypt hash still verify, sealed or not", async () => {
    const code = newTrackingCode();
    const salt = Buffer.from("0123456789abcdef");
    const hash = scryptSync(`ADU-2026-00042:${code}`, salt, 32, { N: 1024, r: 8, p: 1 });
    const old = `s1$${salt.toString("base64url")}$${hash.toString("base64url")}`;
    expect(await verifyTrackingCode("ADU-2026-00042", code, old, keyring)).toBe(true);
    expect(await verifyTrackingCode("ADU-2026-00042", code, seal(old, keyring), keyring)).toBe(true);
    expect(await verifyTrackingCode("ADU-2026-00043", code, seal(old, keyring), keyring)).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", code, "s1$$", keyring)).toBe(false);
  });

  it("are found after the ticket in a status query only when well-formed", () => {
    expect(normalizeTrackingCode(" k7qx 9m2p ")).toBe("K7QX9M2P");
    expect(normalizeTrackingCode("K7QX9M2O")).toBeUndefined();
    expect(normalizeTrackingCode("K7QX9M2PP")).toBeUndefined();
    expect(codeAfterTicket("status ADU-2026-00042 Kode Pelacakan: K7QX9M2P!", "ADU-2026-00042")).toBe("K7QX9M2P");
    expect(codeAfterTicket("status ADU-2026-00042", "ADU-2026-00042")).toBeUndefined();
    expect(codeAfterTicket("status ADU-2026-00042 tolong dicek", "ADU-2026-00042")).toBeUndefined();
  });

  it("link to /lacak with the ticket, never the code", () => {
    expect(trackingLink("https://aduan.contoh.go.id", "ADU-2026-00042")).toBe("https://aduan.contoh.go.id/lacak?ticket=ADU-2026-00042");
    expect(trackingLink("https://contoh.go.id/aduan/", "ADU-2026-00042")).toBe("https://contoh.go.id/aduan/lacak?ticket=ADU-2026-00042");
  });
});
