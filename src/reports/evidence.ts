import { once } from "node:events";
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { extensionOf } from "../core/index.js";

/** One evidence file of a complaint, as stored (Attachment rows). */
export interface EvidenceFile {
  filename: string | null;
  mime: string;
  size: number;
  storagePath: string;
}

/** A file as the form lists it and the ZIP holds it. */
export interface EvidenceEntry extends EvidenceFile {
  /** The name in the ZIP and on the form: the sender's own name, made safe and unique. */
  name: string;
}

/**
 * A name that stays one file wherever the ZIP is unpacked: no folders (a name like "../../x" or
 * "C:\\x" from a chat app must not climb out), no control characters, none of the characters Windows
 * refuses, no leading dots, at most 120 characters with the extension kept.
 */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).at(-1) ?? "";
  let safe = base
    .normalize("NFC")
    .replace(/\p{Cc}/gu, "")
    .replace(/[<>:"|?*]/g, "_")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^[.\s]+/, "")
    .replace(/[.\s]+$/, "");
  if (safe.length > 120) {
    const dot = safe.lastIndexOf(".");
    const ext = dot > 0 && safe.length - dot <= 10 ? safe.slice(dot) : "";
    safe = safe.slice(0, 120 - ext.length) + ext;
  }
  return safe;
}

/** "foto.jpg", "foto (2).jpg": the second file of an equal name (case-insensitively, as Windows and macOS compare). */
function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/** The complaint's files under their original names, safe and unique, in the order they came. */
export function evidenceEntries(files: readonly EvidenceFile[]): EvidenceEntry[] {
  const taken = new Set<string>();
  return files.map((file, i) => {
    const ext = extensionOf(file.mime);
    const wanted = safeFileName(file.filename ?? "") || `bukti-${i + 1}${ext ? `.${ext}` : ""}`;
    let name = wanted;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = numbered(wanted, n);
    taken.add(name.toLowerCase());
    return { ...file, name };
  });
}

/**
 * The ZIP of the files found under `dir`. A file no longer on disk (erased by the retention period,
 * or a moved attachments folder) is left out and named in `missing`.
 */
export async function evidenceZip(entries: readonly EvidenceEntry[], dir: string): Promise<{ zip: Buffer; missing: string[] }> {
  // Loaded with the first ZIP, not at start: archiver and its dependencies weigh ~2 MB of heap.
  const { default: archiver } = await import("archiver");
  const archive = archiver("zip", { zlib: { level: 6 } });
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = once(sink, "end");
  const failed = new Promise<never>((_, reject) => archive.on("error", reject));
  // Raced below; an error after the races were settled has nobody left to tell.
  failed.catch(() => undefined);
  archive.pipe(sink);
  const missing: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.storagePath);
    if (!existsSync(path)) {
      missing.push(entry.name);
      continue;
    }
    archive.append(createReadStream(path), { name: entry.name });
  }
  await Promise.race([archive.finalize(), failed]);
  await Promise.race([ended, failed]);
  return { zip: Buffer.concat(chunks), missing };
}
