import { readFile } from "node:fs/promises";
import type { SendFailure } from "./send-parts.js";

/**
 * A connection that failed rather than a message the provider refused: sending again may work.
 * Node's system codes, and undici's (fetch, discord.js) for a dropped socket or a connect timeout.
 */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function isNetworkErrorCode(code: string | undefined): boolean {
  return code !== undefined && NETWORK_ERROR_CODES.has(code);
}

/** A file to upload, read whole; one that cannot be read fails the same on every attempt. */
export async function readUpload(file: {
  path: string;
  filename?: string | undefined;
}): Promise<{ ok: true; bytes: Buffer } | SendFailure> {
  try {
    return { ok: true, bytes: await readFile(file.path) };
  } catch (error) {
    return {
      ok: false,
      retryable: false,
      reason: `the file ${file.filename ?? file.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    };
  }
}
