import type { FileType } from "./file-types.js";

/** Long enough for any name a phone or a scanner gives; short enough for a chat line and a zip entry. */
export const FILE_NAME_MAX_CHARS = 100;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/**
 * Control characters (NUL included: PostgreSQL refuses it) and format characters: the bidi
 * overrides that make "gpj.exe" read as "exe.jpg", zero-width joiners and marks.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
/** Characters Windows refuses in a name: evidence is saved on the office's PCs. */
const RESERVED = /[<>:"|?*]/g;
const EXTENSION = /\.([A-Za-z0-9]{1,10})$/;

/**
 * The name a file is stored and shown under: the last path part of what the sender gave (never a
 * directory), without invisible characters, at most FILE_NAME_MAX_CHARS characters with its
 * extension kept. With the type the bytes revealed, the extension is that type's ("scan.png" that
 * is a JPEG is stored as "scan.jpg", "invoice.pdf.exe" that is a PDF as "invoice.pdf.pdf"), so
 * the name never tells a staff member's computer to open the file as something else.
 */
export function cleanFileName(name: string | undefined, type?: FileType): string | undefined {
  if (name === undefined) return undefined;
  const base = lastPathPart(name.replace(LONE_SURROGATE, "\uFFFD"))
    .replace(/\s+/gu, " ")
    .replace(INVISIBLE, "")
    .replace(RESERVED, "_")
    // Leading dots hide a file (and make ".."); trailing dots and spaces Windows drops silently.
    .replace(/^[\s.]+|[\s.]+$/g, "");
  if (base === "") return undefined;
  const given = EXTENSION.exec(base);
  const givenExt = given?.[1]?.toLowerCase();
  const stem = given ? base.slice(0, -given[0].length) : base;
  let ext = given?.[1];
  if (type && givenExt !== type.ext && !type.aliases?.includes(givenExt ?? "")) ext = type.ext;
  const suffix = ext !== undefined ? `.${ext}` : "";
  const room = FILE_NAME_MAX_CHARS - [...suffix].length;
  const cut = [...stem]
    .slice(0, room)
    .join("")
    .replace(/[\s.]+$/g, "");
  return cut === "" ? (ext ?? undefined) : `${cut}${suffix}`;
}

function lastPathPart(name: string): string {
  const parts = name.split(/[/\\]/);
  return parts[parts.length - 1] ?? "";
}
