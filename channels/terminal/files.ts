import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, extname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { InboundAttachment } from "../../src/core/index.js";

/** A first guess from the name only; the pipeline's file gate decides the type from the bytes. */
const MIME_BY_EXTENSION: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".heic": "image/heic",
  ".pdf": "application/pdf",
  ".mp4": "video/mp4",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".doc": "application/msword",
  ".txt": "text/plain",
};

const ATTACH_COMMAND = /^\/(?:lampir|lampiran|attach|file)(?:\s+(.*))?$/i;

/** What a typed line asks for: a file to attach (by command or a dragged-in path), or plain text. */
export type TerminalLine = { kind: "text"; text: string } | { kind: "file"; path: string; explicit: boolean };

/**
 * A path as terminals paste it when a file is dropped on them: quoted ('…' or "…"), with
 * backslash-escaped spaces, or as a file:// URL; `~` is the home folder.
 */
export function unquotePath(raw: string): string {
  let path = raw.trim();
  const quoted = /^(['"])(.*)\1$/s.exec(path);
  if (quoted) path = quoted[2]!;
  else path = path.replace(/\\(.)/g, "$1");
  if (path.startsWith("file://")) path = fileURLToPath(path);
  if (path === "~" || path.startsWith("~/")) path = homedir() + path.slice(1);
  return path;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Reads a line: `/lampir <path>`, or a whole line that is the path of an existing file. */
export async function parseLine(line: string, cwd: string = process.cwd()): Promise<TerminalLine> {
  const text = line.trim();
  const command = ATTACH_COMMAND.exec(text);
  if (command) return { kind: "file", path: resolve(cwd, unquotePath(command[1] ?? "")), explicit: true };
  // Only something shaped like a path is looked up: "/start" or "ok" stay text unless such a file exists.
  if (/^(?:['"]?(?:\/|~\/|file:\/\/|\.{1,2}\/))/.test(text)) {
    const path = unquotePath(text);
    const full = isAbsolute(path) ? path : resolve(cwd, path);
    if (await isFile(full)) return { kind: "file", path: full, explicit: false };
  }
  return { kind: "text", text };
}

/** The file as an inbound attachment; undefined when it is not a readable regular file. */
export async function fileAttachment(path: string): Promise<InboundAttachment | undefined> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return undefined;
    size = info.size;
  } catch {
    return undefined;
  }
  const mime = MIME_BY_EXTENSION[extname(path).toLowerCase()] ?? "application/octet-stream";
  return {
    kind: mime.startsWith("image/") ? "image" : "document",
    mime,
    size,
    filename: basename(path),
    fetch: async () => new Uint8Array(await readFile(path)),
  };
}
