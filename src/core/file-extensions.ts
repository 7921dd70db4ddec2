/**
 * The usual file extension of each type citizens and offices send, one table for everyone who
 * names a file from its type: the channels (a WhatsApp voice note has no name), the evidence ZIP.
 * What we accept as evidence is another question, decided from the bytes (src/storage/file-types.ts).
 */
const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/heic": "heic",
  "image/heif": "heif",
  "application/pdf": "pdf",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/x-m4a": "m4a",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "text/plain": "txt",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "application/vnd.oasis.opendocument.text": "odt",
  "application/vnd.oasis.opendocument.spreadsheet": "ods",
  "application/geo+json": "geojson",
};

/** From extension back to type: the first type listed with it, and the spellings names also use. */
const TYPES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    Object.entries(EXTENSIONS)
      .reverse()
      .map(([mime, ext]) => [ext, mime]),
  ),
  jpeg: "image/jpeg",
  jpe: "image/jpeg",
};

/** A MIME type without its parameters, in lower case: "Audio/OGG; codecs=opus" → "audio/ogg". */
export function baseMime(mime: string): string {
  return mime.split(";")[0]!.trim().toLowerCase();
}

/** "audio/ogg; codecs=opus" → "ogg"; undefined for a type without a usual extension here. */
export function extensionOf(mime: string): string | undefined {
  return EXTENSIONS[baseMime(mime)];
}

/** The extension of a file name made up for an attachment that came without one: "bin" for a type without a usual one. */
export function madeUpNameExtension(mime: string): string {
  return extensionOf(mime) ?? "bin";
}

/** "JPG" → "image/jpeg"; undefined for an extension we know no type of. */
export function typeOfExtension(ext: string): string | undefined {
  return TYPES[ext.toLowerCase()];
}
