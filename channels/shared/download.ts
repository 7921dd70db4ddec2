import { KanalError } from "../../src/core/index.js";

/** What the pipeline turns into a polite "file too large" for the citizen. */
export const attachmentTooLarge = (limit: number) =>
  new KanalError("KA_TOO_LARGE", `the file is larger than the ${limit}-byte limit for attachments (ATTACHMENT_MAX_BYTES)`);

/** Collects chunks and refuses as soon as the total passes the limit: memory never exceeds it. */
export async function collectLimited(chunks: AsyncIterable<Uint8Array>, limit: number, abort: () => void): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > limit) {
      abort();
      throw attachmentTooLarge(limit);
    }
    parts.push(chunk);
  }
  return new Uint8Array(Buffer.concat(parts, total));
}

export interface DownloadOptions {
  /** Names the provider in errors ("telegram: downloading a file failed …"). */
  provider: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** HTTP statuses meaning "the provider no longer has this file" → KA_NOT_FOUND (asked for again). */
  gone?: { statuses: readonly number[]; from: string };
}

/**
 * Downloads at most `limit` bytes from a provider, refusing as soon as the declared or the counted
 * size passes it: the rest is never read. The URL may hold a token: it never appears in an error.
 */
export async function downloadLimited(url: string | URL, limit: number, options: DownloadOptions): Promise<Uint8Array> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 60_000);
  try {
    let response: Response;
    try {
      response = await fetch(url, { headers: options.headers, signal: controller.signal });
    } catch (error) {
      // A network error or a timeout: the file may well be there next time (the provider redelivers).
      throw new KanalError("KA_UNAVAILABLE", `${options.provider}: downloading a file failed (${(error as Error).name})`, { cause: error });
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      if (options.gone?.statuses.includes(response.status)) {
        throw new KanalError("KA_NOT_FOUND", `the file is no longer available from ${options.gone.from} (HTTP ${response.status})`);
      }
      const transient = response.status >= 500 || response.status === 429 || response.status === 408;
      const message = `${options.provider}: downloading a file failed with HTTP ${response.status}`;
      throw transient ? new KanalError("KA_UNAVAILABLE", message) : new Error(message);
    }
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > limit) {
      controller.abort();
      throw attachmentTooLarge(limit);
    }
    // A ReadableStream is async-iterable in Node 20; the DOM lib's typings do not say so.
    return await collectLimited(response.body as unknown as AsyncIterable<Uint8Array>, limit, () => controller.abort());
  } finally {
    clearTimeout(timer);
  }
}
