import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanFileName, FILE_NAME_MAX_CHARS, type FileType } from "../../src/storage/index.js";

const JPEG: FileType = { mime: "image/jpeg", ext: "jpg", aliases: ["jpeg", "jpe"] };
const PDF: FileType = { mime: "application/pdf", ext: "pdf" };
/** No unpaired surrogate (PostgreSQL refuses them). String.prototype.isWellFormed is ES2024, past our lib. */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe("file names", () => {
  it("a 70,000-character name is cut to a sane length, its extension kept", () => {
    const name = cleanFileName(`${"laporan ".repeat(8750)}.pdf`, PDF)!;
    expect([...name].length).toBeLessThanOrEqual(FILE_NAME_MAX_CHARS);
    expect(name.endsWith(".pdf")).toBe(true);
    expect(name.startsWith("laporan laporan")).toBe(true);
  });

  it.each([
    ["../../etc/passwd.jpg", JPEG, "passwd.jpg"],
    ["C:\\Users\\warga\\Pictures\\foto.JPG", JPEG, "foto.JPG"],
    ["foto\u0000.jpg", JPEG, "foto.jpg"],
    ["bukti\r\nBcc: x@y.z.jpg", JPEG, "bukti Bcc_ x@y.z.jpg"],
    // A right-to-left override makes "foto\u202Egpj.exe" read as "fotoexe.jpg".
    ["foto\u202Egpj.exe", JPEG, "fotogpj.jpg"],
    ["scan.png", JPEG, "scan.jpg"],
    ["foto.jpeg", JPEG, "foto.jpeg"],
    ["surat", PDF, "surat.pdf"],
    ["invoice.pdf.exe", PDF, "invoice.pdf.pdf"],
    ["   ..hidden.pdf  ", PDF, "hidden.pdf"],
    ['a<b>c:d"e|f?g*h.pdf', PDF, "a_b_c_d_e_f_g_h.pdf"],
    ["caf\uD800e.pdf", PDF, "caf\uFFFDe.pdf"],
    ["tab\tand  spaces.pdf", PDF, "tab and spaces.pdf"],
  ] as const)("%j → %j", (raw, type, cleaned) => {
    expect(cleanFileName(raw, type)).toBe(cleaned);
  });

  it.each(["", "   ", "...", "../", "\u0000\u0001", "\u202E"])("nothing usable (%j) is no name", (raw) => {
    expect(cleanFileName(raw)).toBeUndefined();
  });

  it("keeps a name's characters, emoji included, and cuts between characters, never inside one", () => {
    expect(cleanFileName("Jalan rusak 🚧.jpg", JPEG)).toBe("Jalan rusak 🚧.jpg");
    const cut = cleanFileName(`${"🚧".repeat(200)}.jpg`, JPEG)!;
    expect(cut).toBe(`${"🚧".repeat(96)}.jpg`);
    expect(wellFormed(cut)).toBe(true);
  });

  it("any string at all becomes a safe name or none", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), fc.boolean(), (raw, typed) => {
        const name = cleanFileName(raw, typed ? PDF : undefined);
        if (name === undefined) return;
        expect([...name].length).toBeLessThanOrEqual(FILE_NAME_MAX_CHARS);
        expect(name).not.toMatch(/[/\\\p{Cc}\p{Cf}<>:"|?*]/u);
        expect(wellFormed(name)).toBe(true);
        expect(name.startsWith(".")).toBe(false);
        expect(name).toBe(name.trim());
        if (typed) expect(name.endsWith(".pdf")).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
