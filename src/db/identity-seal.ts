import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";
import type { IdentityKeyring } from "./identity-keys.js";
import { randomSlice } from "./random-pool.js";

/**
 * Identity fields at rest: `enc:v1:<key id>:<iv>:<tag>:<ciphertext>` (AES-256-GCM, a random 12-byte
 * IV per value, base64 parts). A value without the prefix is plaintext from before encryption: it
 * still reads, and the start-up and rotate-key passes seal it.
 */
const PREFIX = "enc:v1:";
/** Binds every value to this use: a sealed value copied into another system's AES-GCM field does not open. */
const AAD = Buffer.from("kanal-aduan identity v1");

let installed: IdentityKeyring | undefined;

/** The process's keyring (openDatabase installs it; the CLI and tests may install another). */
export function installIdentityKeyring(keyring: IdentityKeyring): void {
  installed = keyring;
}

export function identityKeyring(): IdentityKeyring {
  if (!installed) throw new Error("no identity key loaded: open the database first (it loads IDENTITY_KEY or ./data/identity.key)");
  return installed;
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The id of the key a sealed value was sealed with (undefined for plaintext). */
export function sealedKeyId(value: string): string | undefined {
  return isSealed(value) ? value.slice(PREFIX.length).split(":", 1)[0] : undefined;
}

export function seal(plain: string, keyring: IdentityKeyring = identityKeyring()): string {
  const iv = randomSlice(12);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.secret, iv);
  cipher.setAAD(AAD);
  const ct = joined(cipher.update(plain, "utf8"), cipher.final());
  const tag = cipher.getAuthTag();
  return `${PREFIX}${keyring.current.id}:${iv.toString("base64")}:${tag.toString("base64")}:${ct.toString("base64")}`;
}

export function unseal(stored: string, keyring?: IdentityKeyring): string {
  // Plaintext needs no key: a process that never opened a database still reads it.
  if (!isSealed(stored)) return stored;
  const [keyId, iv, tag, ct] = stored.slice(PREFIX.length).split(":");
  const key = (keyring ?? identityKeyring()).all.get(keyId ?? "");
  if (!key || iv === undefined || tag === undefined || ct === undefined) {
    throw new Error(
      `identity value sealed with key ${keyId ?? "?"}, which this instance does not have (IDENTITY_KEY / ./data/identity.key)`,
    );
  }
  const decipher = createDecipheriv("aes-256-gcm", key.secret, Buffer.from(iv, "base64"));
  decipher.setAAD(AAD);
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return joined(decipher.update(Buffer.from(ct, "base64")), decipher.final()).toString("utf8");
}

/** Sealed public texts, by key id, then by text; bounded, as the bot's own texts are few. */
const sealedPublic = new Map<string, Map<string, string>>();
const SEALED_PUBLIC_MAX = 2000;

/**
 * seal() for a text that holds nothing of a person: the bot's own words rendered from a template
 * with no value the conversation gave (a menu, a question). The same text keeps the same sealed
 * form, so the history's most frequent rows cost no cipher set-up each (≈ 3 µs, a busy server's
 * largest cost after the database's). Two rows showing the same sealed value reveal only that
 * they hold the same public text, which the conversation's step, stored in clear, says anyway.
 * Never for anything a person typed or a text with their values in it.
 */
export function sealPublic(plain: string, keyring: IdentityKeyring = identityKeyring()): string {
  let sealedByText = sealedPublic.get(keyring.current.id);
  if (!sealedByText) sealedPublic.set(keyring.current.id, (sealedByText = new Map<string, string>()));
  let sealed = sealedByText.get(plain);
  if (sealed === undefined) {
    if (sealedByText.size >= SEALED_PUBLIC_MAX) sealedByText.clear();
    sealedByText.set(plain, (sealed = seal(plain, keyring)));
  }
  return sealed;
}

/** GCM is a stream mode, so final() gives nothing: no copy then (the hot path seals several values a message). */
const joined = (body: Buffer, rest: Buffer): Buffer => (rest.length === 0 ? body : Buffer.concat([body, rest]));

/** seal/unseal for nullable columns. */
export function sealNullable(value: string | null | undefined, keyring?: IdentityKeyring): string | null {
  return value === null || value === undefined ? null : seal(value, keyring);
}

export function unsealNullable(value: string | null | undefined, keyring?: IdentityKeyring): string | null {
  return value === null || value === undefined ? null : unseal(value, keyring);
}

/**
 * A keyed hash for equality lookups on a sealed value (HMAC-SHA-256 with a key derived from the
 * identity key): the same input gives the same hash under one key, and nothing without the key.
 * During a rotation a lookup tries every key of the ring (`lookupHashes`).
 */
export function lookupHash(value: string, keyring: IdentityKeyring = identityKeyring(), keyId = keyring.current.id): string {
  const key = keyring.all.get(keyId);
  if (!key) throw new Error(`unknown identity key ${keyId}`);
  return `h:${key.id}:${createHmac("sha256", key.lookupKey).update(value.normalize("NFC")).digest("base64url")}`;
}

export function isLookupHash(value: string): boolean {
  return /^h:[0-9a-f]{8}:/.test(value);
}

/** The key a lookup hash was made with (undefined for a plain value). */
export function lookupHashKeyId(value: string): string | undefined {
  return isLookupHash(value) ? value.slice(2, 10) : undefined;
}

export function lookupHashes(value: string, keyring: IdentityKeyring = identityKeyring()): string[] {
  return [...keyring.all.keys()].map((id) => lookupHash(value, keyring, id));
}
