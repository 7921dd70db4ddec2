import { inJsonList, unseal, type Database, type DbProvider } from "../db/index.js";
import type { OutboxRow } from "./types.js";

/**
 * Every state change of a row is one conditional UPDATE, and only an UPDATE that changed one row
 * counts: that is what makes several workers (processes) on one database safe. The same SQL runs on
 * SQLite (writers are serialised) and PostgreSQL (READ COMMITTED: a second UPDATE of the same row
 * waits for the first to commit, then re-checks its WHERE against the new row and changes nothing),
 * so PostgreSQL needs no `FOR UPDATE SKIP LOCKED` here: a lost race costs one UPDATE of 0 rows.
 *
 * While a row is "sending", `lockedUntil` is the claim's token: the lease ends then, and only the
 * worker that knows the exact value may renew the lease or record the outcome.
 */
export interface DueRow {
  id: string;
  channel: string;
  chatId: string;
}

export interface OutboxStore {
  /**
   * Due rows (pending and due, or "sending" with an expired lease) that no older, not yet finished
   * row of the same chat holds back, oldest first (by createdAt, then id). A chat's due rows come
   * out as one run in order; a row whose older sibling waits for its retry does not come out.
   * Rows of the `exclude`d channels are left for another instance (the leader sends those).
   */
  findDue(now: Date, limit: number, exclude?: readonly string[]): Promise<DueRow[]>;
  /** Takes the row if it is still due; returns the claim's token (lease end) and the row as claimed, or undefined. */
  claim(id: string, now: Date, leaseMs: number): Promise<{ token: Date; row: OutboxRow } | undefined>;
  /** Extends our claim; returns the new token, or undefined when the claim is no longer ours. */
  renew(id: string, token: Date, now: Date, leaseMs: number): Promise<Date | undefined>;
  /** Records a delivery. Not tied to the token: a message that reached the citizen is sent, whoever holds the row. */
  markSent(id: string, providerMessageId: string, now: Date): Promise<boolean>;
  reschedule(id: string, token: Date, change: { attempts: number; nextAttemptAt: Date; lastError: string }, now: Date): Promise<boolean>;
  markFailed(id: string, token: Date, change: { attempts: number; lastError: string }, now: Date): Promise<boolean>;
  /** The provider's id of a complaint's card in a chat, once the card was sent (for threading). */
  cardMessageId(complaintId: string, channel: string, chatId: string): Promise<string | undefined>;
}

/** The columns of OutboxRow, as a RETURNING list. */
const ROW_COLUMNS = [
  "id",
  "channel",
  "chatId",
  "conversationId",
  "complaintId",
  "messageId",
  "payload",
  "status",
  "attempts",
  "nextAttemptAt",
  "lockedUntil",
  "lastError",
  "providerMessageId",
  "createdAt",
  "updatedAt",
  "sentAt",
]
  .map((column) => `"${column}"`)
  .join(", ");

type Timestamp = Date | string | number | bigint;

/** A row as raw SQL gives it back: SQLite may not know a RETURNING column's declared type, so times may come as text or numbers. */
type RawOutboxRow = Omit<OutboxRow, "nextAttemptAt" | "lockedUntil" | "createdAt" | "updatedAt" | "sentAt" | "attempts" | "messageId"> & {
  attempts: number | bigint;
  messageId: number | bigint | null;
  nextAttemptAt: Timestamp;
  lockedUntil: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  sentAt: Timestamp | null;
};

function time(value: Timestamp): Date {
  if (value instanceof Date) return value;
  return new Date(typeof value === "bigint" ? Number(value) : value);
}

const timeOrNull = (value: Timestamp | null) => (value === null ? null : time(value));

/** The payload is sealed at rest (src/outbox/enqueue.ts); the worker sends it opened. */
function outboxRow(raw: RawOutboxRow): OutboxRow {
  return {
    ...raw,
    payload: unseal(raw.payload),
    attempts: Number(raw.attempts),
    messageId: raw.messageId === null ? null : Number(raw.messageId),
    nextAttemptAt: time(raw.nextAttemptAt),
    lockedUntil: timeOrNull(raw.lockedUntil),
    createdAt: time(raw.createdAt),
    updatedAt: time(raw.updatedAt),
    sentAt: timeOrNull(raw.sentAt),
  };
}

/** Left on a row taken over from a worker that stopped mid-send (killed, crashed, lost the database). */
export const INTERRUPTED = "lease expired: the previous attempt was interrupted";

/** findDue's statement. */
function findDueStatement(provider: DbProvider, now: Date, limit: number, exclude: readonly string[]): { text: string; params: unknown[] } {
  // `status IN (…)` is the predicate of the two partial indexes of unfinished rows (migration
  // 20261204210000): the oldest-first walk stops at the LIMIT, and the older-sibling check reads
  // only the chat's unfinished rows, not its growing pile of sent ones.
  const text = `SELECT o."id", o."channel", o."chatId" FROM "OutboxMessage" o
     WHERE o."status" IN ('pending', 'sending')
       AND ((o."status" = 'pending' AND o."nextAttemptAt" <= ?)
         OR (o."status" = 'sending' AND (o."lockedUntil" IS NULL OR o."lockedUntil" < ?)))
       AND NOT EXISTS (
         SELECT 1 FROM "OutboxMessage" b
         WHERE b."status" IN ('pending', 'sending')
           AND b."channel" = o."channel" AND b."chatId" = o."chatId"
           AND (b."createdAt" < o."createdAt" OR (b."createdAt" = o."createdAt" AND b."id" < o."id"))
           AND ((b."status" = 'pending' AND b."nextAttemptAt" > ?)
             OR (b."status" = 'sending' AND b."lockedUntil" >= ?)))
       ${exclude.length > 0 ? `AND ${inJsonList(provider, `o."channel"`, { not: true })}` : ""}
     ORDER BY o."createdAt", o."id"
     LIMIT ?`;
  return { text, params: [now, now, now, now, ...(exclude.length > 0 ? [JSON.stringify(exclude)] : []), limit] };
}

export function outboxStore(db: Database): OutboxStore {
  const sql = db.sql;
  return {
    async cardMessageId(complaintId, channel, chatId) {
      const rows = await sql.query<{ providerMessageId: string | null }>(
        `SELECT "providerMessageId" FROM "OutboxMessage"
          WHERE "complaintId" = ? AND "kind" = 'card' AND "channel" = ? AND "chatId" = ? AND "status" = 'sent'
          ORDER BY "createdAt" LIMIT 1`,
        [complaintId, channel, chatId],
      );
      return rows[0]?.providerMessageId ?? undefined;
    },
    async findDue(now, limit, exclude = []) {
      const { text, params } = findDueStatement(db.provider, now, limit, exclude);
      if (db.provider !== "postgresql") return sql.query<DueRow>(text, params);
      // The plan that stays cheap however long the backlog — walk the unfinished rows oldest first,
      // look each one's older siblings up in the chat's index — is the one PostgreSQL's planner picks
      // only with fresh statistics. Without them it read and sorted every unfinished row: 45–54 ms a
      // poll with 12 000 rows waiting behind WhatsApp's 80 messages/s against 1 ms, 200 ms at the
      // scale-out benchmark's backlog, the largest part of PostgreSQL's CPU (README, Benchmark).
      return db.transaction((tx) => tx.query<DueRow>(text, params, { last: true }), { indexWalksOnly: true });
    },

    async claim(id, now, leaseMs) {
      const token = new Date(now.getTime() + leaseMs);
      // Taking over an expired claim counts as an attempt: a message that kills its worker every
      // time must end as failed, not loop forever. SET expressions read the row's old values.
      // RETURNING: the claim and the read of what it claimed are one statement (one round trip).
      const [claimed] = await sql.query<RawOutboxRow>(
        `UPDATE "OutboxMessage" SET
           "attempts" = "attempts" + CASE WHEN "status" = 'sending' THEN 1 ELSE 0 END,
           "lastError" = CASE WHEN "status" = 'sending' THEN ? ELSE "lastError" END,
           "status" = 'sending', "lockedUntil" = ?, "updatedAt" = ?
         WHERE "id" = ?
           AND (("status" = 'pending' AND "nextAttemptAt" <= ?)
             OR ("status" = 'sending' AND ("lockedUntil" IS NULL OR "lockedUntil" < ?)))
         RETURNING ${ROW_COLUMNS}`,
        [INTERRUPTED, token, now, id, now, now],
      );
      return claimed ? { token, row: outboxRow(claimed) } : undefined;
    },

    async renew(id, token, now, leaseMs) {
      const next = new Date(now.getTime() + leaseMs);
      if (next.getTime() <= token.getTime()) return token;
      const changed = await sql.execute(
        `UPDATE "OutboxMessage" SET "lockedUntil" = ?, "updatedAt" = ?
         WHERE "id" = ? AND "status" = 'sending' AND "lockedUntil" = ?`,
        [next, now, id, token],
      );
      return changed === 1 ? next : undefined;
    },

    async markSent(id, providerMessageId, now) {
      const changed = await sql.execute(
        `UPDATE "OutboxMessage" SET "status" = 'sent', "providerMessageId" = ?, "sentAt" = ?, "lockedUntil" = NULL, "updatedAt" = ?
         WHERE "id" = ? AND "status" <> 'sent'`,
        [providerMessageId, now, now, id],
      );
      return changed === 1;
    },

    async reschedule(id, token, change, now) {
      const changed = await sql.execute(
        `UPDATE "OutboxMessage" SET "status" = 'pending', "attempts" = ?, "nextAttemptAt" = ?, "lastError" = ?,
           "lockedUntil" = NULL, "updatedAt" = ?
         WHERE "id" = ? AND "status" = 'sending' AND "lockedUntil" = ?`,
        [change.attempts, change.nextAttemptAt, change.lastError, now, id, token],
      );
      return changed === 1;
    },

    async markFailed(id, token, change, now) {
      const changed = await sql.execute(
        `UPDATE "OutboxMessage" SET "status" = 'failed', "attempts" = ?, "lastError" = ?, "lockedUntil" = NULL, "updatedAt" = ?
         WHERE "id" = ? AND "status" = 'sending' AND "lockedUntil" = ?`,
        [change.attempts, change.lastError, now, id, token],
      );
      return changed === 1;
    },
  };
}
