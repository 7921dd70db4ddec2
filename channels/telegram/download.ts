import { createReadStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { collectLimited, downloadLimited as sharedDownload } from "../shared/index.js";

/**
 * Downloads a file of at most `limit` bytes. The Bot API serves files at
 * `<root>/file/bot<token>/<file_path>`; a self-hosted Bot API server in `--local` mode gives an
 * absolute path instead, which telegraf turns into a `file:` URL (read from disk, same limit).
 * The URL holds the token: it never appears in an error message.
 */
export async function downloadLimited(url: URL, limit: number, timeoutMs = 60_000): Promise<Uint8Array> {
  if (url.protocol === "file:") {
    const stream = createReadStream(fileURLToPath(url));
    return collectLimited(stream, limit, () => stream.destroy());
  }
  return sharedDownload(url, limit, { provider: "telegram", timeoutMs });
}
