import { createHash, randomUUID } from "node:crypto";
import { mkdir, rename, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KanalError, type FileRefusal, type InboundAttachment } from "../core/index.js";
import { cleanFileName } from "./file-names.js";
import { sniffType } from "./file-types.js";

/**
 * The folder under ATTACHMENTS_DIR of the files staff send with a reply: not evidence, so the
 * sweep's content-addressed walk (two hex digits) never enters it.
 */
export const STAFF_FILES_DIR = "staff";

export type StoredAttachment = {
  id: string;
  sha256: string;
  /** The type the bytes showed, never the one the sender declared. */
  mime: string;
  size: number;
  filename?: string;
  storagePath: string;
};

export type AttachmentCheck =
  | { accepted: true; stored: StoredAttachment }
  | {
      accepted: false;
      reason: FileRefusal;
      /** For "type": what the bytes are when known (`application/x-msdownload`); the declared type is never repeated. */
      mime?: string;
      filename?: string;
    };

export interface AcceptOptions {
  /**
   * Bytes the conversation may still store (ATTACHMENT_MAX_BYTES_PER_CONVERSATION minus what it
   * holds): a file over it is declined as "quota", before downloading when its declared size says so.
   */
  budgetBytes?: number;
}

/**
 * Files are stored once by content hash (`ab/abcdef…`), so a redelivered message or the same photo
 * sent twice costs no extra space, and a crash between writing the file and committing the step
 * leaves at worst an unreferenced file (removed by the sweep, sweep.ts), never a reference to a
 * missing one.
 */
export class AttachmentStore {
  constructor(
    private readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** The directory files live in (the sweep walks it). */
  get root(): string {
    return this.dir;
  }

  async accept(attachment: InboundAttachment, options: AcceptOptions = {}): Promise<AttachmentCheck> {
    const budget = options.budgetBytes ?? Number.POSITIVE_INFINITY;
    const declinedName = cleanFileName(attachment.filename);
    const decline = (reason: FileRefusal, mime?: string): AttachmentCheck => ({
      accepted: false,
      reason,
      ...(mime ? { mime } : {}),
      ...(declinedName !== undefined ? { filename: declinedName } : {}),
    });
    // The declared size is checked before downloading; the real size after, as a declared size can lie.
    if (attachment.size > this.maxBytes) return decline("tooLarge");
    if (attachment.size > budget) return decline("quota");
    let bytes: Uint8Array;
    try {
      bytes = await attachment.fetch();
    } catch (error) {
      // The channel stops a download that grows past the limit (a declared size can be missing
      // or wrong): that is a decline, not a failure to retry.
      if (error instanceof KanalError && error.code === "KA_TOO_LARGE") return decline("tooLarge");
      // The provider no longer has the file (an expired WhatsApp media link): ask for it again
      // rather than failing the message, which would be redelivered forever.
      if (error instanceof KanalError && error.code === "KA_NOT_FOUND") return decline("unavailable");
      throw error;
    }
    if (bytes.byteLength === 0) return decline("empty");
    if (bytes.byteLength > this.maxBytes) return decline("tooLarge");
    if (bytes.byteLength > budget) return decline("quota");
    // The bytes decide: a JPEG declared image/png is stored as the JPEG it is; an executable or a
    // web page declared image/jpeg is refused.
    const sniffed = await sniffType(bytes, attachment.mime);
    if (!sniffed.evidence) return decline("type", sniffed.detected);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const storagePath = join(sha256.slice(0, 2), sha256);
    await this.writeOnce(storagePath, bytes);
    const filename = cleanFileName(attachment.filename, sniffed.evidence);
    return {
      accepted: true,
      stored: {
        id: randomUUID(),
        sha256,
        mime: sniffed.evidence.mime,
        size: bytes.byteLength,
        ...(filename !== undefined ? { filename } : {}),
        storagePath,
      },
    };
  }

  pathOf(storagePath: string): string {
    return join(this.dir, storagePath);
  }

  private async writeOnce(storagePath: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(storagePath);
    // A file already there is touched instead of written: the sweep leaves a file alone for an
    // hour after its last write or touch, which covers the step that is about to refer to it.
    const now = new Date();
    const touched = await utimes(target, now, now).then(
      () => true,
      () => false,
    );
    if (touched) return;
    await mkdir(join(target, ".."), { recursive: true });
    // Write then rename: a reader never sees a half-written file.
    const temp = `${target}.${randomUUID()}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, target);
  }
}
