import { describe, expect, it } from "vitest";
import { EVIDENCE_MIME_TYPES, sniffType } from "../../src/storage/index.js";
import { HOSTILE, SAMPLES } from "../helpers/sample-files.js";

const LIES = ["image/jpeg", "image/png", "application/pdf", "application/octet-stream", "application/geo+json", "", "x".repeat(5000)];

describe("the type is decided from the bytes", () => {
  it.each([
    ["jpeg", "image/jpeg"],
    ["png", "image/png"],
    ["gif", "image/gif"],
    ["webp", "image/webp"],
    ["heic", "image/heic"],
    ["pdf", "application/pdf"],
    ["docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ["xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    ["odt", "application/vnd.oasis.opendocument.text"],
    ["ods", "application/vnd.oasis.opendocument.spreadsheet"],
    ["xls", "application/vnd.ms-excel"],
    ["doc", "application/msword"],
    ["mp4", "video/mp4"],
    ["m4a", "audio/mp4"],
    ["mp3", "audio/mpeg"],
    ["opus", "audio/ogg"],
    ["amr", "audio/amr"],
  ] as const)("%s is evidence, as %s, whatever was declared", async (name, mime) => {
    for (const declared of LIES.filter((d) => d !== "application/geo+json")) {
      const sniffed = await sniffType(SAMPLES[name], declared);
      expect(sniffed.evidence?.mime, `declared ${declared.slice(0, 30)}`).toBe(mime);
    }
    expect(EVIDENCE_MIME_TYPES).toContain(mime);
  });

  it.each(Object.keys(HOSTILE) as (keyof typeof HOSTILE)[])("%s is never evidence, whatever was declared", async (name) => {
    for (const declared of LIES) {
      expect((await sniffType(HOSTILE[name], declared)).evidence, `declared ${declared.slice(0, 30)}`).toBeUndefined();
    }
  });

  it("names what a refused file is when the library knows it", async () => {
    expect((await sniffType(HOSTILE.exe, "image/jpeg")).detected).toBe("application/x-msdownload");
    expect((await sniffType(HOSTILE.zip, "application/pdf")).detected).toBe("application/zip");
    expect((await sniffType(HOSTILE.html, "image/png")).detected).toBeUndefined();
  });

  it("legacy Office files are told apart from other compound files by the stream the application opens", async () => {
    expect((await sniffType(SAMPLES.doc, "application/octet-stream")).evidence?.ext).toBe("doc");
    expect((await sniffType(SAMPLES.xls, "application/octet-stream")).evidence?.ext).toBe("xls");
    expect((await sniffType(HOSTILE.ppt, "application/msword")).evidence).toBeUndefined();
    expect((await sniffType(HOSTILE.msi, "application/vnd.ms-excel")).evidence).toBeUndefined();
  });

  it("a location must be declared one and parse as a small GeoJSON point", async () => {
    expect((await sniffType(SAMPLES.location, "application/geo+json")).evidence?.mime).toBe("application/geo+json");
    expect((await sniffType(SAMPLES.location, "application/json")).evidence).toBeUndefined();
    const point = (coordinates: unknown) => new TextEncoder().encode(JSON.stringify({ type: "Point", coordinates }));
    expect((await sniffType(point([115.2, -8.6]), "application/geo+json; charset=utf-8")).evidence).toBeDefined();
    expect((await sniffType(point([500, -8.6]), "application/geo+json")).evidence).toBeUndefined();
    expect((await sniffType(point(["115", "-8"]), "application/geo+json")).evidence).toBeUndefined();
    const padded = new TextEncoder().encode(JSON.stringify({ type: "Point", coordinates: [1, 1] }) + " ".repeat(5000));
    expect((await sniffType(padded, "application/geo+json")).evidence).toBeUndefined();
    expect((await sniffType(new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), "application/geo+json")).evidence).toBeUndefined();
  });
});
