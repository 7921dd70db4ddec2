import { createHash, randomUUID } from "node:crypto";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KanalError, type InboundAttachment } from "../core/index.js";

/** What citizens may send as evidence: photos, PDFs, office documents, voice notes and short videos. */
const ALLOWED_MIME = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/heic",
  "image/heif",
  "application/pdf",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "audio/ogg",
  "audio/mpeg",
  "audio/mp4",
  "audio/aac",
  "audio/amr",
  "video/mp4",
  // A shared location (WhatsApp, Telegram), kept as a small GeoJSON point.
  "application/geo+json",
]);

export function isAllowedMime(mime: string): boolean {
  return ALLOWED_MIME.has(mime.split(";")[0]!.trim().toLowerCase());
}

export type StoredAttachment = {
  id: string;
  sha256: string;
  mime: string;
  size: number;
  filename?: string;
  storagePath: string;
};

export type AttachmentCheck =
  | { accepted: true; stored: StoredAttachment }
  | { accepted: false; reason: "tooLarge" | "type" | "unavailable"; mime: string; filename?: string };

/**
 * Files are stored once by content hash (`ab/abcdef…`), so a redelivered message or the same photo
 * sent twice costs no extra space, and a crash between writing the file and committing the step
 * leaves at worst an unreferenced file, never a reference to a missing one.
 */
export class AttachmentStore {
  constructor(
    private readonly dir: string,
    readonly maxBytes: number,
  ) {}

  async accept(attachment: InboundAttachment): Promise<AttachmentCheck> {
    const mime = attachment.mime.split(";")[0]!.trim().toLowerCase();
    if (!isAllowedMime(mime)) return { accepted: false, reason: "type", mime, filename: attachment.filename };
    // The declared size is checked before downloading; the real size after, as a declared size can lie.
    if (attachment.size > this.maxBytes) return { accepted: false, reason: "tooLarge", mime, filename: attachment.filename };
    let bytes: Uint8Array;
    try {
      bytes = await attachment.fetch();
    } catch (error) {
      // The channel stops a download that grows past the limit (a declared size can be missing
      // or wrong): that is a decline, not a failure to retry.
      if (error instanceof KanalError && error.code === "KA_TOO_LARGE") {
        return { accepted: false, reason: "tooLarge", mime, filename: attachment.filename };
      }
      // The provider no longer has the file (an expired WhatsApp media link): ask for it again
      // rather than failing the message, which would be redelivered forever.
      if (error instanceof KanalError && error.code === "KA_NOT_FOUND") {
        return { accepted: false, reason: "unavailable", mime, filename: attachment.filename };
      }
      throw error;
    }
    if (bytes.byteLength > this.maxBytes) return { accepted: false, reason: "tooLarge", mime, filename: attachment.filename };
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const storagePath = join(sha256.slice(0, 2), sha256);
    await this.writeOnce(storagePath, bytes);
    return {
      accepted: true,
      stored: { id: randomUUID(), sha256, mime, size: bytes.byteLength, filename: attachment.filename, storagePath },
    };
  }

  pathOf(storagePath: string): string {
    return join(this.dir, storagePath);
  }

  private async writeOnce(storagePath: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(storagePath);
    if (await exists(target)) return;
    await mkdir(join(target, ".."), { recursive: true });
    // Write then rename: a reader never sees a half-written file.
    const temp = `${target}.${randomUUID()}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, target);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
