/**
 * Request bodies as the fakes of providers' HTTP APIs read them (the Telegram Bot API, Meta's Graph
 * API): form values, multipart parts and the files among them, the way the real servers accept them.
 */

/** A file part of a multipart body: what a test checks of an upload (its bytes are not kept). */
export interface UploadedFile {
  upload: true;
  filename?: string;
  /** The part's own Content-Type, when it gave one. */
  type?: string;
  size: number;
}

/** A form value: objects and arrays come as JSON-serialised strings (reply_markup, allowed_updates…). */
export function parseFormValue(value: string): unknown {
  if (/^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** A multipart/form-data body's fields by name: values as parseFormValue reads them, files as UploadedFile. */
export function parseMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    let start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    if (body.subarray(start, start + 2).toString() === "\r\n") start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start, next - 2); // the CRLF before the next delimiter belongs to it
    const headerEnd = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, headerEnd).toString("utf8");
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
    if (name !== undefined) {
      fields[name] =
        filename !== undefined
          ? ({ upload: true, filename, ...(type !== undefined ? { type } : {}), size: content.byteLength } satisfies UploadedFile)
          : parseFormValue(content.toString("utf8"));
    }
    at = next;
  }
  return fields;
}

/** The boundary a multipart Content-Type names (quoted or not), or undefined. */
export function multipartBoundary(contentType: string): string | undefined {
  return /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
}
