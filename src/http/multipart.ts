import type { FastifyRequest } from "fastify";
import { KanalError, type InboundAttachment } from "../core/index.js";

export interface UploadedFile {
  fieldname: string;
  filename: string;
  /** What the client declared; never trusted for the file's type. */
  mimetype: string;
  /** Undefined when the file was larger than the limit (the stream was cut there). */
  bytes: Buffer | undefined;
}

const MALFORMED = "the upload is not a well-formed multipart/form-data body; send one field named file";

/**
 * Reads the one file of a multipart upload. Whatever the client got wrong — no boundary, a body that
 * is not multipart at all, a part cut off before its end, too many parts — is its mistake: a 4xx
 * with `{ "error" }`. busboy reports most of these as plain Errors with no status ("Boundary not
 * found", "Unexpected end of form"), which would otherwise leave as 500s.
 */
export async function readUploadedFile(request: FastifyRequest): Promise<UploadedFile | undefined> {
  try {
    const file = await request.file();
    if (!file) return undefined;
    const bytes = await file.toBuffer().catch((error: unknown) => {
      if (codeOf(error) === "FST_REQ_FILE_TOO_LARGE") return undefined;
      throw error;
    });
    return { fieldname: file.fieldname, filename: file.filename, mimetype: file.mimetype, bytes: file.file.truncated ? undefined : bytes };
  } catch (error) {
    throw asClientError(error, MALFORMED, "too many parts or files in the upload; send one field named file");
  }
}

/** What a form with files may hold; each is the route's own (the web chat's one file is not a staff reply's several). */
export interface FormLimits {
  /** File parts; one more is refused whole (413), never cut silently. */
  files: number;
  /** Bytes of one file: a bigger one is read up to here and handed over with `bytes` undefined. */
  fileBytes: number;
  /** Text fields, and the bytes of one (a longer value is refused, not cut). */
  fields: number;
  fieldBytes: number;
}

/** A whole multipart form: text fields as a form body parser gives them (a repeated name is an array), and its files. */
export interface UploadedForm {
  fields: Record<string, string | string[]>;
  files: UploadedFile[];
  /**
   * Why the form could not be read to its end (KA_TOO_LARGE: more files or fields than allowed;
   * KA_BAD_REQUEST: a malformed body, a field longer than allowed); `fields` and `files` then hold
   * what came before, so a page can say why and keep what was typed.
   */
  incomplete?: KanalError;
}

/**
 * Reads a whole multipart form into memory within `limits`, so at most files × fileBytes (plus the
 * fields) per request. The client's mistakes are data (`incomplete`), never a 5xx. Repeated field
 * names are kept as arrays, as @fastify/formbody keeps them, so a schema that wants one value
 * refuses them.
 */
export async function readUploadedForm(request: FastifyRequest, limits: FormLimits): Promise<UploadedForm> {
  const fields: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const files: UploadedFile[] = [];
  try {
    const options: PartsOptions = {
      limits: {
        files: limits.files,
        fileSize: limits.fileBytes,
        fields: limits.fields,
        fieldSize: limits.fieldBytes,
        parts: limits.files + limits.fields,
      },
      // A file over the limit is kept as "too large" (bytes undefined) for the route to decline by
      // name; thrown, it would fail the whole form at its end without saying which file it was.
      throwFileSizeLimit: false,
    };
    // The typings of parts() leave out throwFileSizeLimit, which its implementation reads from the
    // same options (@fastify/multipart 10, handleMultipart); file() and files() declare it.
    const parts = request.parts(options);
    for await (const part of parts) {
      if (part.type === "file") {
        const bytes = await part.toBuffer();
        files.push({
          fieldname: part.fieldname,
          filename: part.filename,
          mimetype: part.mimetype,
          bytes: part.file.truncated ? undefined : bytes,
        });
        continue;
      }
      if (part.valueTruncated || part.fieldnameTruncated)
        throw new KanalError("KA_BAD_REQUEST", `the form field ${part.fieldname.slice(0, 40)} is longer than ${limits.fieldBytes} bytes`);
      const value = typeof part.value === "string" ? part.value : JSON.stringify(part.value);
      const before = fields[part.fieldname];
      fields[part.fieldname] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
    }
  } catch (error) {
    const incomplete = asClientError(
      error,
      "the form is not a well-formed multipart/form-data body",
      `the form has more than ${limits.files} files or ${limits.fields} fields`,
    );
    return { fields: { ...fields }, files, incomplete };
  }
  return { fields: { ...fields }, files };
}

/**
 * An uploaded file as the pipeline and the staff commands take files: its type is the store's to
 * decide from the bytes. One over the size limit (its stream was cut) reports a size over `maxBytes`,
 * so the store declines it as too large without reading it.
 */
export function uploadedAttachment(file: UploadedFile, maxBytes: number): InboundAttachment {
  const { bytes } = file;
  return {
    kind: file.mimetype.startsWith("image/") ? "image" : "document",
    mime: file.mimetype,
    size: bytes === undefined ? maxBytes + 1 : bytes.byteLength,
    filename: file.filename,
    fetch: async () => {
      if (!bytes) throw new KanalError("KA_TOO_LARGE", "file over the limit");
      return bytes;
    },
  };
}

type PartsOptions = NonNullable<Parameters<FastifyRequest["parts"]>[0]> & { throwFileSizeLimit: boolean };

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A parsing failure as the client's error: its own 4xx kept (413 for limits), anything else 400. */
function asClientError(error: unknown, malformed: string, tooMany: string): KanalError {
  if (error instanceof KanalError) return error;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === "number" && status === 413) return new KanalError("KA_TOO_LARGE", tooMany);
  return new KanalError("KA_BAD_REQUEST", malformed);
}
