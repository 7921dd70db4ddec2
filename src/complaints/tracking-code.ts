import { randomBytes, randomInt, scrypt, scryptSync, timingSafeEqual, type BinaryLike, type ScryptOptions } from "node:crypto";
import { normalizeTrackingCode, TRACKING_CODE_ALPHABET, TRACKING_CODE_LENGTH } from "../core/index.js";

/**
 * Making and checking tracking codes. A code is a bearer secret (whoever has it reads the
 * complaint's status on /lacak), so the database keeps only a salted scrypt hash of it, bound to
 * the ticket: a database dump or a staff screen never shows a usable code. The cost is low (about a
 * millisecond on an idle core, computed off the event loop) but makes an offline search of the
 * 31⁸ ≈ 8.5·10¹¹ codes of one ticket a matter of CPU-years; online guessing is stopped by the
 * attempt limits.
 */

const SCRYPT: ScryptOptions = { N: 1024, r: 8, p: 1 };
const KEY_BYTES = 32;
const VERSION = "s1";

/** A fresh code: each character drawn uniformly (randomInt is unbiased) from the alphabet. */
export function newTrackingCode(): string {
  let code = "";
  for (let i = 0; i < TRACKING_CODE_LENGTH; i++) code += TRACKING_CODE_ALPHABET[randomInt(TRACKING_CODE_ALPHABET.length)];
  return code;
}

const material = (ticket: string, code: string) => `${ticket.toUpperCase()}:${code}`;

/** What the Complaint row stores: `s1$<salt>$<hash>` (base64url). */
export function hashTrackingCode(ticket: string, code: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(material(ticket, code), salt, KEY_BYTES, SCRYPT);
  return `${VERSION}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

/** A fresh code for a ticket and its stored hash, hashed on libuv's thread pool. */
export async function newTrackedCode(ticket: string): Promise<{ code: string; hash: string }> {
  const code = newTrackingCode();
  const salt = randomBytes(16);
  const hash = await scryptAsync(material(ticket, code), salt);
  return { code, hash: `${VERSION}$${salt.toString("base64url")}$${hash.toString("base64url")}` };
}

const scryptAsync = (secret: BinaryLike, salt: Buffer) =>
  new Promise<Buffer>((resolve, reject) => scrypt(secret, salt, KEY_BYTES, SCRYPT, (error, key) => (error ? reject(error) : resolve(key))));

/** Whether `attempt` (as typed) is the code stored as `stored` for this ticket; never throws. */
export async function verifyTrackingCode(ticket: string, attempt: string, stored: string | null | undefined): Promise<boolean> {
  const code = normalizeTrackingCode(attempt);
  const [version, salt, hash] = (stored ?? "").split("$");
  if (!code || version !== VERSION || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await scryptAsync(material(ticket, code), Buffer.from(salt, "base64url"));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
