import { z } from "zod";
import { baseMime } from "../core/index.js";

/** A type a file really is, decided from its bytes, with the extension its stored name gets. */
export interface FileType {
  mime: string;
  ext: string;
  /** Other extensions a citizen's name may already carry for this type ("foto.jpeg"). */
  aliases?: readonly string[];
}

const DOC: FileType = { mime: "application/msword", ext: "doc" };
const XLS: FileType = { mime: "application/vnd.ms-excel", ext: "xls" };
const GEOJSON: FileType = { mime: "application/geo+json", ext: "geojson" };

/**
 * What citizens may send as evidence: photos, PDFs, office documents, voice notes and short videos,
 * keyed by the type `file-type` reads from the bytes. Anything else is refused, whatever the sender
 * declared: executables, web pages, scripts, archives, macro-enabled documents (`.docm`, `.xlsm`),
 * presentations. Several of the library's names are one type to us (an Opus voice note is Ogg
 * audio; `audio/x-m4a` is `audio/mp4`).
 */
const EVIDENCE: ReadonlyMap<string, FileType> = new Map<string, FileType>([
  ["image/jpeg", { mime: "image/jpeg", ext: "jpg", aliases: ["jpeg", "jpe"] }],
  ["image/png", { mime: "image/png", ext: "png" }],
  ["image/gif", { mime: "image/gif", ext: "gif" }],
  ["image/webp", { mime: "image/webp", ext: "webp" }],
  ["image/heic", { mime: "image/heic", ext: "heic" }],
  ["image/heif", { mime: "image/heif", ext: "heif" }],
  ["application/pdf", { mime: "application/pdf", ext: "pdf" }],
  [
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    { mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ext: "docx" },
  ],
  [
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ext: "xlsx" },
  ],
  ["application/vnd.oasis.opendocument.text", { mime: "application/vnd.oasis.opendocument.text", ext: "odt" }],
  ["application/vnd.oasis.opendocument.spreadsheet", { mime: "application/vnd.oasis.opendocument.spreadsheet", ext: "ods" }],
  ["audio/ogg", { mime: "audio/ogg", ext: "ogg", aliases: ["oga", "opus"] }],
  ["audio/ogg; codecs=opus", { mime: "audio/ogg", ext: "ogg", aliases: ["oga", "opus"] }],
  ["audio/mpeg", { mime: "audio/mpeg", ext: "mp3" }],
  ["audio/mp4", { mime: "audio/mp4", ext: "m4a" }],
  ["audio/x-m4a", { mime: "audio/mp4", ext: "m4a" }],
  ["audio/aac", { mime: "audio/aac", ext: "aac" }],
  ["audio/amr", { mime: "audio/amr", ext: "amr" }],
  ["video/mp4", { mime: "video/mp4", ext: "mp4" }],
]);

/** Every mime type a stored evidence file can have (the sniffed type, never the declared one). */
export const EVIDENCE_MIME_TYPES: readonly string[] = [...new Set([...EVIDENCE.values(), DOC, XLS, GEOJSON].map((t) => t.mime))];

/** What the bytes are, when `file-type` knows them; `evidence` is set when we accept that type. */
export interface Sniffed {
  /** The library's name for the type (`application/x-msdownload`), undefined when it knows none. */
  detected?: string;
  evidence?: FileType;
}

/**
 * Decides a file's type from its bytes. The declared type counts only where bytes cannot say:
 * a shared location is JSON (no magic number), so it must be declared `application/geo+json` and
 * parse as one small GeoJSON point. Plain text has no magic number either and is refused: what a
 * citizen types goes in the conversation, and a `.txt` or `.html` "photo" is what an attacker sends.
 */
export async function sniffType(bytes: Uint8Array, declaredMime: string): Promise<Sniffed> {
  // Loaded with the first file, not at start: an idle instance need not hold file-type's parsers.
  const { fileTypeFromBuffer } = await import("file-type");
  const found = await fileTypeFromBuffer(bytes).catch(() => undefined);
  if (!found) {
    if (baseMime(declaredMime) === GEOJSON.mime && isGeoJsonPoint(bytes)) return { evidence: GEOJSON };
    return {};
  }
  if (found.mime === "application/x-cfb") return { detected: found.mime, evidence: legacyOffice(bytes) };
  return { detected: found.mime, evidence: EVIDENCE.get(found.mime) };
}

/**
 * A location as the channels make it (channels/telegram, channels/meta, channels/whatsapp-web): a
 * GeoJSON Feature holding one Point, with a few short properties (a venue's title and address, the
 * accuracy), or a bare Point. A few hundred bytes; anything bigger or shaped otherwise is refused.
 */
const GEOJSON_MAX_BYTES = 4096;
const point = z.strictObject({
  type: z.literal("Point"),
  coordinates: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)], z.number()),
});
const geoJsonPoint = z.union([
  point,
  z.strictObject({
    type: z.literal("Feature"),
    geometry: point,
    properties: z.record(z.string(), z.union([z.string().max(1000), z.number()])).nullable(),
  }),
]);

function isGeoJsonPoint(bytes: Uint8Array): boolean {
  if (bytes.byteLength > GEOJSON_MAX_BYTES) return false;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return geoJsonPoint.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}

/**
 * Word 97–2003 and Excel 97–2003 files are OLE compound files (CFB), like `.msi` installers,
 * `.ppt` and Outlook's `.msg`: `file-type` says only "CFB". The stream the application itself
 * opens tells them apart: `WordDocument` for Word, `Workbook` (or `Book`, Excel 5) for Excel.
 * Directory entries are 128 bytes and start on 128-byte boundaries (sectors are 512 or 4096
 * bytes after a 512-byte header), so each boundary is checked for an entry of type "stream"
 * with exactly that name (https://learn.microsoft.com/openspecs/windows_protocols/ms-cfb/).
 */
function legacyOffice(bytes: Uint8Array): FileType | undefined {
  const streams = cfbStreamNames(bytes);
  if (streams.has("WordDocument")) return DOC;
  if (streams.has("Workbook") || streams.has("Book")) return XLS;
  return undefined;
}

const CFB_HEADER = 512;
const CFB_ENTRY = 128;
const CFB_STREAM = 2;

function cfbStreamNames(bytes: Uint8Array): Set<string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names = new Set<string>();
  for (let at = CFB_HEADER; at + CFB_ENTRY <= bytes.byteLength; at += CFB_ENTRY) {
    const nameBytes = view.getUint16(at + 64, true);
    if (view.getUint8(at + 66) !== CFB_STREAM || nameBytes < 4 || nameBytes > 64 || nameBytes % 2 !== 0) continue;
    if (view.getUint16(at + nameBytes - 2, true) !== 0) continue;
    let name = "";
    for (let i = 0; i < nameBytes - 2; i += 2) name += String.fromCharCode(view.getUint16(at + i, true));
    names.add(name);
  }
  return names;
}
