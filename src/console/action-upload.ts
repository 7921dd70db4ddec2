import type { FastifyRequest } from "fastify";
import type { InboundAttachment } from "../core/index.js";
import { readUploadedForm, uploadedAttachment } from "../http/index.js";

/** The only file field of the console's forms: the reply form's file input. */
export const FILES_FIELD = "files";

/**
 * The action forms' text fields (_csrf, once, action, text and the SOP's few), with room to spare;
 * one of 16 KiB holds the 4000 characters a text may have in any script.
 */
const FIELDS = 16;
const FIELD_BYTES = 16 * 1024;

/** What a multipart action form held besides its text fields, read before the CSRF check. */
export interface ActionUpload {
  files: InboundAttachment[];
  /** A file part under another name than FILES_FIELD: no form of the console has one. */
  strayFiles: boolean;
  /** The form could not be read to its end: too many files (KA_TOO_LARGE) or a malformed body. */
  problem?: "tooManyFiles" | "malformed";
}

const uploads = new WeakMap<FastifyRequest, ActionUpload>();

/**
 * A preHandler that runs before the CSRF check. A multipart action form (the reply form with its
 * file input) is read here into `request.body`, as @fastify/formbody reads the other forms, so the
 * CSRF check finds its `_csrf` field exactly as it does for every form of the console and refuses
 * a forged or missing token before anything else happens. The session was checked before the body
 * was read at all (the console's onRequest hook), so a stranger's upload is never read. Files are
 * held in memory: at most `max` × `maxBytes` per signed-in request.
 */
export function readActionUpload(limits: { max: number; maxBytes: number }) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!request.isMultipart()) return;
    const form = await readUploadedForm(request, {
      files: limits.max,
      fileBytes: limits.maxBytes,
      fields: FIELDS,
      fieldBytes: FIELD_BYTES,
    });
    request.body = form.fields;
    const problem = form.incomplete ? (form.incomplete.code === "KA_TOO_LARGE" ? "tooManyFiles" : "malformed") : undefined;
    // A file input left empty is still sent by the browser: a part with no name and no bytes.
    const chosen = form.files.filter((f) => !(f.filename === "" && f.bytes?.byteLength === 0));
    uploads.set(request, {
      files: chosen.filter((f) => f.fieldname === FILES_FIELD).map((f) => uploadedAttachment(f, limits.maxBytes)),
      strayFiles: chosen.some((f) => f.fieldname !== FILES_FIELD),
      ...(problem ? { problem } : {}),
    });
  };
}

/** The files of this request's multipart form (none for a form that had no files). */
export function actionUploadOf(request: FastifyRequest): ActionUpload {
  return uploads.get(request) ?? { files: [], strayFiles: false };
}
