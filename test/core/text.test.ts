import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanInbound, cleanText } from "../../src/core/index.js";

/** True when the string is what PostgreSQL's text type takes: no NUL, no lone surrogate. */
function storable(text: string): boolean {
  if (text.includes("\u0000")) return false;
  return Buffer.from(text, "utf8").toString("utf8") === text;
}

describe("cleanText: what text is", () => {
  it.each([
    ["a\u0000b", "ab"],
    ["\u0000\u0000", ""],
    ["lone high \ud83d end", "lone high \ufffd end"],
    ["lone low \ude00 end", "lone low \ufffd end"],
    ["reversed pair \ude00\ud83d", "reversed pair \ufffd\ufffd"],
    ["high at the end \ud83d", "high at the end \ufffd"],
    ["\udc00 low at the start", "\ufffd low at the start"],
    ["emoji kept 😀 and 🇮🇩", "emoji kept 😀 and 🇮🇩"],
    ["tabs\tnewlines\r\nand \u0001 other controls are kept", "tabs\tnewlines\r\nand \u0001 other controls are kept"],
    ["Jl. Raya Denpasar № 5 — ½", "Jl. Raya Denpasar № 5 — ½"],
  ])("%j → %j", (input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it("always gives text PostgreSQL stores, changes nothing else, and is idempotent", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (input) => {
        const out = cleanText(input);
        expect(storable(out)).toBe(true);
        expect(cleanText(out)).toBe(out);
        // Only NULs are dropped: every other code unit keeps its place (a lone surrogate becomes U+FFFD).
        expect(out.length).toBe(input.split("\u0000").join("").length);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (input) => {
        fc.pre(!input.includes("\u0000"));
        expect(cleanText(input)).toBe(input);
      }),
    );
  });

  it("cleans every outside string of an inbound message and keeps its file's fetch", async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const cleaned = cleanInbound({
      channel: "webchat",
      providerMessageId: "id\u0000",
      chatId: "chat\ud800",
      sender: { id: "s\u0000", displayName: "Bu\u0000di \ud83d", phone: "08\u00001", email: "a@b\u0000.id" },
      text: "te\u0000ks",
      attachments: [{ kind: "image", mime: "image/jpeg\u0000", size: 3, filename: "foto\udc00.jpg", fetch: async () => bytes }],
      receivedAt: new Date(0),
      raw: { kept: "\u0000" },
    });
    expect(cleaned).toMatchObject({
      providerMessageId: "id",
      chatId: "chat\ufffd",
      sender: { id: "s", displayName: "Budi \ufffd", phone: "081", email: "a@b.id" },
      text: "teks",
      attachments: [{ mime: "image/jpeg", filename: "foto\ufffd.jpg" }],
    });
    expect(await cleaned.attachments[0]!.fetch()).toBe(bytes);
  });

  it("cleans a message whose only bad byte is in one field, and passes a clean one on as it came", () => {
    const clean = {
      channel: "webchat" as const,
      providerMessageId: "id",
      chatId: "chat",
      sender: { id: "s", displayName: "Budi" },
      text: "teks",
      attachments: [
        { kind: "document" as const, mime: "application/pdf", size: 3, filename: "surat.pdf", fetch: async () => Buffer.from("abc") },
      ],
      receivedAt: new Date(0),
      raw: {},
    };
    expect(cleanInbound(clean)).toBe(clean);
    const fields: [string, (bad: string) => object][] = [
      ["providerMessageId", (bad) => ({ ...clean, providerMessageId: bad })],
      ["chatId", (bad) => ({ ...clean, chatId: bad })],
      ["sender.id", (bad) => ({ ...clean, sender: { ...clean.sender, id: bad } })],
      ["sender.displayName", (bad) => ({ ...clean, sender: { ...clean.sender, displayName: bad } })],
      ["sender.phone", (bad) => ({ ...clean, sender: { ...clean.sender, phone: bad } })],
      ["sender.email", (bad) => ({ ...clean, sender: { ...clean.sender, email: bad } })],
      ["text", (bad) => ({ ...clean, text: bad })],
      ["attachment mime", (bad) => ({ ...clean, attachments: [{ ...clean.attachments[0]!, mime: bad }] })],
      ["attachment filename", (bad) => ({ ...clean, attachments: [{ ...clean.attachments[0]!, filename: bad }] })],
    ];
    for (const [field, withBad] of fields) {
      const cleaned = JSON.stringify(cleanInbound(withBad("x\u0000\ud83d") as typeof clean));
      expect(cleaned, field).not.toContain("\\u0000");
      expect(cleaned, field).toContain("x\ufffd");
    }
  });
});
