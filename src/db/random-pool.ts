import { randomBytes } from "node:crypto";

/**
 * Random bytes drawn from a pool filled 8 KB at a time: one randomBytes call costs as much as an
 * AES-GCM encryption of a short text, and a step takes several (IVs, ids, a session id). The bytes
 * are the same CSPRNG's; a refill allocates a new buffer, so a slice handed out never changes.
 */
const POOL_BYTES = 8192;
let pool = Buffer.alloc(0);
let next = 0;

export function randomSlice(bytes: number): Buffer {
  if (bytes > POOL_BYTES / 4) return randomBytes(bytes);
  if (next + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    next = 0;
  }
  const slice = pool.subarray(next, next + bytes);
  next += bytes;
  return slice;
}
