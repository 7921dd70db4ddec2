import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** One 32-byte key; `id` names it inside every value it sealed, so a ring of keys can read them all. */
export interface IdentityKey {
  readonly id: string;
  readonly key: Buffer;
  /** The same key as a KeyObject, made once (creating one per value would double the cost of sealing). */
  readonly secret: KeyObject;
  /** For keyed hashes (equality lookups): derived, so one key never serves two algorithms. */
  readonly lookupKey: Buffer;
}

/** The keys this process knows: `current` seals, every one of `all` unseals. */
export interface IdentityKeyring {
  readonly current: IdentityKey;
  readonly all: ReadonlyMap<string, IdentityKey>;
  /** Where the keys came from: the IDENTITY_KEY setting, or the generated key file. */
  readonly source: "setting" | "file";
  readonly file?: string;
}

export const DEFAULT_IDENTITY_KEY_FILE = "./data/identity.key";

/** One key written as base64 (44 characters) or hex (64), 32 bytes either way. */
export function parseKey(text: string): Buffer {
  const value = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  if (bytes.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(value) && bytes.toString("base64") !== value)) {
    throw new Error("an identity key must be 32 bytes written as base64 (44 characters) or hex (64 characters)");
  }
  return bytes;
}

/** Keys separated by commas or lines, the current one first (rotation lists the new key, then the old). */
export function parseKeyList(text: string): Buffer[] {
  const parts = text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0 && !p.startsWith("#"));
  if (parts.length === 0) throw new Error("no identity key given");
  return parts.map(parseKey);
}

function identityKey(key: Buffer): IdentityKey {
  // The id is a hash of the key, not a counter: two instances configured alike agree without coordinating.
  const id = createHash("sha256").update("kanal-aduan identity key id\u0000").update(key).digest("hex").slice(0, 8);
  const lookupKey = createHmac("sha256", key).update("kanal-aduan identity lookup v1").digest();
  return { id, key, secret: createSecretKey(key), lookupKey };
}

export function keyringOf(keys: readonly Buffer[], source: IdentityKeyring["source"], file?: string): IdentityKeyring {
  const all = new Map<string, IdentityKey>();
  for (const key of keys) {
    const k = identityKey(key);
    if (!all.has(k.id)) all.set(k.id, k);
  }
  const current = identityKey(keys[0]!);
  return { current, all, source, ...(file ? { file } : {}) };
}

export function newKeyText(): string {
  return randomBytes(32).toString("base64");
}

/** Writes the key file atomically with mode 0600: readers never see half a file, nobody else reads it. */
export function writeKeyFile(file: string, keys: readonly string[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, `${keys.join("\n")}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/**
 * The keyring from IDENTITY_KEY when set, else from the key file; a fresh install (no setting, no
 * file) gets a new random key in the file. `created` tells the caller to warn the operator, once.
 */
export function loadIdentityKeyring(options: { setting?: string; file?: string }): { keyring: IdentityKeyring; created: boolean } {
  if (options.setting && options.setting.trim() !== "")
    return { keyring: keyringOf(parseKeyList(options.setting), "setting"), created: false };
  const file = options.file ?? DEFAULT_IDENTITY_KEY_FILE;
  let created = false;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(dirname(file), { recursive: true });
    // link() fails when the file exists: of two processes starting at once, one key wins and both use it.
    const temp = `${file}.${process.pid}.${Date.now()}.new`;
    writeFileSync(temp, `${newKeyText()}\n`, { mode: 0o600 });
    try {
      linkSync(temp, file);
      created = true;
    } catch (linkError) {
      if ((linkError as NodeJS.ErrnoException).code !== "EEXIST") throw linkError;
    } finally {
      rmSync(temp, { force: true });
    }
    text = readFileSync(file, "utf8");
  }
  return { keyring: keyringOf(parseKeyList(text), "file", file), created };
}
