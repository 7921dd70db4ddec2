import type { FastifyRequest } from "fastify";
import { KanalError } from "../core/index.js";

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
    throw asClientError(error);
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A parsing failure as the client's error: its own 4xx kept (413 for limits), anything else 400. */
function asClientError(error: unknown): Error {
  if (error instanceof KanalError) return error;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === "number" && status === 413)
    return new KanalError("KA_TOO_LARGE", "too many parts or files in the upload; send one field named file");
  return new KanalError("KA_BAD_REQUEST", MALFORMED);
}
