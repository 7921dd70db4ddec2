import { randomInt, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from "node:crypto";
import { normalizeTrackingCode, TRACKING_CODE_ALPHABET, TRACKING_CODE_LENGTH } from "../core/index.js";
import { isSealed, seal, unseal, type IdentityKeyring } from "../db/index.js";

/**
 * Making and checking tracking codes. A code is a bearer secret (whoever has it reads the
 * complaint's status on /lacak), so the Complaint row keeps it sealed with the identity key
 * (AES-256-GCM, as the complainant's name and phone are), bound to its ticket: a database dump or a
 * staff screen never shows a usable code, and rotate-key re-seals it with the rest.
 *
 * Why sealed and not hashed: a code guards less than the identity sealed beside it, so whoever holds
 * the key gains nothing from the codes; and a slow hash (scrypt, which earlier versions stored as
 * `s1$<salt>$<hash>`) cost about 2.4 ms of CPU per confirmed complaint — most of a conversation's
 * CPU — and held the confirming batch's transaction while it ran. Those older hashes still verify.
 * Online guessing is stopped by the attempt limits (src/complaints/tracking.ts).
 */

/** A fresh code: each character drawn uniformly (randomInt is unbiased) from the alphabet. */
export function newTrackingCode(): string {
  let code = "";
  for (let i = 0; i < TRACKING_CODE_LENGTH; i++) code += TRACKING_CODE_ALPHABET[randomInt(TRACKING_CODE_ALPHABET.length)];
  return code;
}

const material = (ticket: string, code: string) => `${ticket.toUpperCase()}:${code}`;

/** What the Complaint row stores for a code (its `trackingHash` column): the code sealed with its ticket. */
export function sealTrackingCode(ticket: string, code: string, keyring?: IdentityKeyring): string {
  return seal(material(ticket, code), keyring);
}

/** A fresh code for a ticket and what the row stores. */
export function newTrackedCode(ticket: string, keyring?: IdentityKeyring): { code: string; hash: string } {
  const code = newTrackingCode();
  return { code, hash: sealTrackingCode(ticket, code, keyring) };
}

/** Whether `attempt` (as typed) is the code stored as `stored` for this ticket; never throws. */
export async function verifyTrackingCode(
  ticket: string,
  attempt: string,
  stored: string | null | undefined,
  keyring?: IdentityKeyring,
): Promise<boolean> {
  const code = normalizeTrackingCode(attempt);
  if (!code || !stored) return false;
  const scryptHash = (text: string) => text.startsWith(`${SCRYPT_VERSION}$`);
  // An older row holds a scrypt hash, which the start-up pass may have sealed since.
  if (!isSealed(stored)) return scryptHash(stored) && verifyScrypt(material(ticket, code), stored);
  let opened: string;
  try {
    opened = unseal(stored, keyring);
  } catch {
    return false; // tampered, or sealed under a key this instance lacks: no code matches it
  }
  if (scryptHash(opened)) return verifyScrypt(material(ticket, code), opened);
  return equalText(opened, material(ticket, code));
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SCRYPT_VERSION = "s1";
const SCRYPT: ScryptOptions = { N: 1024, r: 8, p: 1 };
const SCRYPT_KEY_BYTES = 32;

const scryptAsync = (secret: BinaryLike, salt: Buffer) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(secret, salt, SCRYPT_KEY_BYTES, SCRYPT, (error, key) => (error ? reject(error) : resolve(key))),
  );

async function verifyScrypt(secret: string, stored: string): Promise<boolean> {
  const [, salt, hash] = stored.split("$");
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await scryptAsync(secret, Buffer.from(salt, "base64url"));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
