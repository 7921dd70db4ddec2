import { randomSlice } from "./random-pool.js";

let lastMs = 0;
let sequence = 0;

/** Fixed width, lowercase base 36: the time and a counter, so byte order is creation order. */
function orderedPrefix(nowMs: number): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    sequence = 0;
  } else {
    sequence += 1; // same millisecond, or the clock stepped back: keep counting from the last one
  }
  return lastMs.toString(36).padStart(9, "0") + sequence.toString(36).padStart(4, "0");
}

/**
 * An id that sorts in creation order within this process, even for rows written in the same
 * millisecond (one transaction's replies share `createdAt`). Two reasons to use it for a new row:
 * - The outbox worker delivers a chat's rows in (`createdAt`, `id`) order, so OutboxMessage
 *   writers must use it (or any id with that property).
 * - Where the id is a key of a B-tree (a primary key, `Message(conversationId, id)`), a new row
 *   lands beside the other recent ones instead of on a random page. A batch of steps then dirties
 *   a few pages of each index rather than one per step, and every dirtied page is written to the
 *   WAL at COMMIT and again at the checkpoint (README, Benchmark: write locality).
 * Lowercase base 36 with a hex tail: byte order and PostgreSQL's locale collation agree. The tail's
 * 8 random bytes keep ids of different instances apart: they share the time and often the counter.
 */
export function newOrderedId(nowMs: number = Date.now()): string {
  return orderedPrefix(nowMs) + randomSlice(8).toString("hex");
}

/**
 * A bearer secret (a web-chat session id) that also sorts in creation order: the same prefix, then
 * `bytes` random bytes in base64url, all the unguessability. The prefix tells only when it was made.
 */
export function newOrderedSecret(bytes: number, nowMs: number = Date.now()): string {
  return orderedPrefix(nowMs) + randomSlice(bytes).toString("base64url");
}
