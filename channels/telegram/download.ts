import { createReadStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { KanalError } from "../../src/core/index.js";

const tooLarge = (limit: number) =>
  new KanalError("KA_TOO_LARGE", `the file is larger than the ${limit}-byte limit for attachments (ATTACHMENT_MAX_BYTES)`);

/** Collects chunks and refuses as soon as the total passes the limit: memory never exceeds it. */
async function collect(chunks: AsyncIterable<Uint8Array>, limit: number, abort: () => void): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > limit) {
      abort();
      throw tooLarge(limit);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, total);
}

/**
 * Downloads a file of at most `limit` bytes. The Bot API serves files at
 * `<root>/file/bot<token>/<file_path>`; a self-hosted Bot API server in `--local` mode gives an
 * absolute path instead, which telegraf turns into a `file:` URL (read from disk, same limit).
 * The URL holds the token: it never appears in an error message.
 */
export async function downloadLimited(url: URL, limit: number, timeoutMs = 60_000): Promise<Uint8Array> {
  if (url.protocol === "file:") {
    const stream = createReadStream(fileURLToPath(url));
    return collect(stream, limit, () => stream.destroy());
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (error) {
      throw new Error(`telegram: downloading a file failed (${(error as Error).name})`);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`telegram: downloading a file failed with HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > limit) {
      controller.abort();
      throw tooLarge(limit);
    }
    // A ReadableStream is async-iterable in Node 20; the DOM lib's typings do not say so.
    const body = response.body as unknown as AsyncIterable<Uint8Array>;
    return await collect(body, limit, () => controller.abort());
  } finally {
    clearTimeout(timer);
  }
}
