import { randomBytes } from "node:crypto";

let lastMs = 0;
let sequence = 0;

/**
 * An OutboxMessage id that sorts in creation order within this process, even for rows written in
 * the same millisecond (one transaction's replies share `createdAt`). The worker delivers a chat's
 * rows in (`createdAt`, `id`) order, so writers should use this (or any id with that property).
 * Fixed width, lowercase base 36: byte order and PostgreSQL's locale collation agree.
 */
export function newOutboxId(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    sequence = 0;
  } else {
    sequence += 1; // same millisecond, or the clock stepped back: keep counting from the last one
  }
  return lastMs.toString(36).padStart(9, "0") + sequence.toString(36).padStart(4, "0") + randomBytes(4).toString("hex");
}
