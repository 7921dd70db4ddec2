import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../src/db/index.js";
import { compoundFile } from "./cfb.js";

/**
 * Small files of each kind a citizen (or an attacker) sends, as bytes. The office documents,
 * the PDF and the Excel 97 sheet are real files (LibreOffice, test/fixtures/files); images and
 * audio are the smallest headers their formats allow, which is what a type sniffer reads.
 */
const fixture = (name: string) => new Uint8Array(readFileSync(join(repoRoot, "test", "fixtures", "files", name)));
const b64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));
const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p)))));
/** An ISO base media file (MP4, M4A, HEIC): a `ftyp` box with the brand that names it. */
const isoMedia = (brand: string, compatible: string) =>
  bytes([0, 0, 0, 0x18], "ftyp", brand, [0, 0, 0, 0], compatible, brand, [0, 0, 0, 8], "free");

export const SAMPLES = {
  jpeg: b64(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=",
  ),
  png: b64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
  gif: b64("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"),
  webp: b64("UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuUAAA="),
  heic: isoMedia("heic", "mif1"),
  pdf: fixture("tabel.pdf"),
  docx: fixture("bukti.docx"),
  xlsx: fixture("tabel.xlsx"),
  odt: fixture("bukti.odt"),
  ods: fixture("tabel.ods"),
  xls: fixture("tabel.xls"),
  doc: compoundFile(["WordDocument", "1Table"]),
  mp4: isoMedia("isom", "mp41"),
  m4a: isoMedia("M4A ", "mp42"),
  mp3: bytes("ID3", [4, 0, 0, 0, 0, 0, 0], [0xff, 0xfb, 0x90, 0x64], new Array<number>(400).fill(0)),
  opus: bytes("OggS", [0, 2], new Array<number>(20).fill(0), [1, 0x13], "OpusHead", [1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0]),
  amr: bytes("#!AMR\n", new Array<number>(32).fill(0)),
  location: new Uint8Array(
    Buffer.from(
      JSON.stringify({ type: "Feature", geometry: { type: "Point", coordinates: [115.2167, -8.65] }, properties: { title: "Pasar" } }),
    ),
  ),
} as const;

/** What must never be kept as evidence, whatever the sender declares. */
export const HOSTILE = {
  exe: bytes("MZ", [0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff], new Array<number>(200).fill(0)),
  elf: bytes([0x7f], "ELF", [2, 1, 1], new Array<number>(100).fill(0)),
  html: bytes('<!DOCTYPE html><html><body><script>fetch("/api/steal")</script></body></html>'),
  svg: bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
  text: bytes("Ini hanya teks biasa, bukan foto."),
  zip: fixture("arsip.zip"),
  docm: fixture("makro.docm"),
  ppt: compoundFile(["PowerPoint Document", "Current User"]),
  msi: compoundFile(["SummaryInformation", "Installer"]),
  /** JSON declared as a location, but not one: any client can declare application/geo+json. */
  fakeLocation: bytes('{"type":"FeatureCollection","features":[],"x":"<script>"}'),
} as const;
