import { describe, expect, it } from "vitest";
import { hashTrackingCode, newTrackingCode, trackingLink, verifyTrackingCode } from "../../src/complaints/index.js";
import { codeAfterTicket, normalizeTrackingCode, TRACKING_CODE_ALPHABET, TRACKING_CODE_LENGTH } from "../../src/core/index.js";

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

  it("are stored as a salted hash bound to the ticket, and checked as typed", async () => {
    const code = newTrackingCode();
    const stored = hashTrackingCode("ADU-2026-00042", code);
    expect(stored).not.toContain(code);
    expect(hashTrackingCode("ADU-2026-00042", code)).not.toBe(stored); // a fresh salt each time
    expect(await verifyTrackingCode("ADU-2026-00042", code, stored)).toBe(true);
    expect(await verifyTrackingCode("adu-2026-00042", `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`, stored)).toBe(true);
    const other = code.startsWith("A") ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    expect(await verifyTrackingCode("ADU-2026-00042", other, stored)).toBe(false);
    // The same code on another ticket, a broken or missing hash: no.
    expect(await verifyTrackingCode("ADU-2026-00043", code, stored)).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", code, stored.slice(0, -4))).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", code, "s1$$")).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", code, null)).toBe(false);
    expect(await verifyTrackingCode("ADU-2026-00042", "", stored)).toBe(false);
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
