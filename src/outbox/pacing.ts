import type { ChannelLimits } from "../core/index.js";
import { lookupHash, type Database, type SqlRunner } from "../db/index.js";

type Pacing = NonNullable<ChannelLimits["pacing"]>;

/** At most `limit` sends under `key` in any `windowMs`. */
export interface PaceWindow {
  key: string;
  limit: number;
  windowMs: number;
}

/** Where the recent send times live: in memory (one process) or in the database (every instance). */
export interface PaceLedger {
  /**
   * Reserves the earliest moment (≥ now) at which a send fits every window (see earliestSlot),
   * records it under each key, and returns it. One call per send, and no polling: senders queue by
   * reservation, so many lanes and instances waiting on one limit cost one short write each, not a
   * storm of retries.
   */
  reserve(windows: readonly PaceWindow[], now: number): Promise<number>;
}

/**
 * Keeps a provider's sending limits (Telegram: ~1 message/s per chat, 20/min per group, 30/s
 * overall) so that bursts are spread out instead of answered with 429s. With the database ledger
 * (what `npm start` uses) the limits hold across every instance sending for the office.
 */
export class Pacer {
  constructor(
    private readonly ledger: PaceLedger = memoryLedger(),
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Resolves when a message to `chatId` on `channel` may go; the slot is taken when it resolves. */
  async wait(channel: string, chatId: string, pacing: Pacing | undefined): Promise<void> {
    const windows = paceWindows(channel, chatId, pacing);
    if (windows.length === 0) return;
    const at = await this.ledger.reserve(windows, this.now());
    const delay = at - this.now();
    if (delay > 0) await this.sleep(delay);
  }
}

/** The windows a send to one chat must fit in; group chats are the ids starting with "-" (Telegram). */
export function paceWindows(channel: string, chatId: string, pacing: Pacing | undefined): PaceWindow[] {
  if (!pacing) return [];
  const windows: PaceWindow[] = [];
  if (pacing.perChatMs) windows.push({ key: `chat:${channel}:${chatId}`, limit: 1, windowMs: pacing.perChatMs });
  if (pacing.groupPerMinute && chatId.startsWith("-"))
    windows.push({ key: `group:${channel}:${chatId}`, limit: pacing.groupPerMinute, windowMs: 60_000 });
  if (pacing.globalPerSecond) windows.push({ key: `all:${channel}`, limit: pacing.globalPerSecond, windowMs: 1000 });
  return windows;
}

/**
 * The earliest moment ≥ now when a send fits every window, given each key's reserved send times
 * (past ones still inside a window, and future ones reserved by senders waiting their turn). A new
 * reservation may go before a later one of the same key when the window has room for both, so a
 * chat waiting out its own second does not hold back the channel's other chats.
 */
export function earliestSlot(history: ReadonlyMap<string, readonly number[]>, windows: readonly PaceWindow[], now: number): number {
  // The answer is now, or a moment where a reserved send enters or leaves some window.
  const candidates = new Set<number>([now]);
  for (const w of windows) {
    for (const t of history.get(w.key) ?? []) {
      for (const c of [t, t + w.windowMs]) if (c > now) candidates.add(c);
    }
  }
  const ordered = [...candidates].sort((a, b) => a - b);
  return ordered.find((at) => windows.every((w) => fits(history.get(w.key) ?? [], at, w))) ?? ordered.at(-1)!;
}

/**
 * Whether one more send at `at` keeps every window of `w` within the limit. Only the windows that
 * would contain it can break — those ending at `at` or at a reserved send less than a window after
 * it — since the reservations already there fitted. `sorted` is in ascending order.
 */
function fits(sorted: readonly number[], at: number, w: PaceWindow): boolean {
  for (let i = countUpTo(sorted, at) - 1, end = at; ;) {
    // Sends in (end - window, end], plus the new one.
    const inWindow = countUpTo(sorted, end) - countUpTo(sorted, end - w.windowMs) + 1;
    if (inWindow > w.limit) return false;
    i += 1;
    if (i >= sorted.length || sorted[i]! >= at + w.windowMs) return true;
    end = Math.max(at, sorted[i]!);
  }
}

/** How many of `sorted` are ≤ x (binary search). */
function countUpTo(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A key's reserved times after a send at `at`, sorted, without those no window can reach any more. */
function withSend(times: readonly number[], window: PaceWindow, at: number, now: number): number[] {
  return [...times.filter((t) => t > now - window.windowMs), at].sort((a, b) => a - b);
}

/** One process's ledger (tests, and anything that sends alone). */
export function memoryLedger(): PaceLedger {
  const history = new Map<string, number[]>();
  return {
    async reserve(windows, now) {
      const at = earliestSlot(history, windows, now);
      for (const w of windows) history.set(w.key, withSend(history.get(w.key) ?? [], w, at, now));
      // Chats that went quiet are forgotten, so the map does not grow with every citizen ever served.
      if (history.size > 10_000) {
        for (const [key, times] of history) if ((times.at(-1) ?? 0) < now - 60 * 60_000) history.delete(key);
      }
      return at;
    },
  };
}

/** Rows not written for this long are deleted now and then (no window is longer than a minute). */
const FORGET_AFTER_MS = 60 * 60_000;

/** A reservation waiting for the ledger's next round. */
interface Pending {
  windows: readonly PaceWindow[];
  now: number;
  resolve(at: number): void;
  reject(error: unknown): void;
}

/** Keys known to have a row (written by an earlier round), so a round need not insert them; and keys hashed. */
const KNOWN_KEYS_LIMIT = 10_000;

/**
 * A window's key as the SendPace table holds it: a keyed hash (identity-seal.ts, lookupHash). The
 * keys name chats — a citizen's WhatsApp number, an e-mail address — and a row outlives its chat by
 * an hour or more (FORGET_AFTER_MS, and only when some round cleans up), so in clear an erased
 * complainant's number would stay behind. The ledger only compares keys, so a hash serves. Under a
 * new identity key the hashes change: the windows start afresh (they are a minute at most), and
 * while instances restart one by one with the new key, those on the old one keep their own pace.
 */
function storedKeys(): (key: string) => string {
  const hashed = new Map<string, string>();
  return (key) => {
    let stored = hashed.get(key);
    if (stored === undefined) {
      if (hashed.size >= KNOWN_KEYS_LIMIT) hashed.clear();
      hashed.set(key, (stored = lookupHash(key)));
    }
    return stored;
  };
}

/**
 * The ledger in the SendPace table. Reservations go in rounds, one transaction each: those that
 * arrive while a round runs wait and go together in the next (the pipeline's group commit, applied
 * to sending). Each reservation still gets the earliest slot given every earlier one, in arrival
 * order, under the rows' lock — PostgreSQL's `FOR UPDATE` makes instances sending to the same keys
 * take turns. One round per send made the channel-wide key a queue: its row stayed locked across
 * the round trips of every send, with instances' busy event loops in between, and the sends of
 * one WhatsApp number cost a fifth of an instance's throughput (README, Benchmark).
 */
export function databaseLedger(db: Database, random: () => number = Math.random): PaceLedger {
  const forUpdate = db.provider === "postgresql" ? " FOR UPDATE" : "";
  const storedKey = storedKeys();
  const known = new Set<string>();
  let waiting: Pending[] = [];
  let running = false;

  const insertMissing = (sql: SqlRunner, keys: readonly string[], written: Date) =>
    sql.execute(
      `INSERT INTO "SendPace" ("key", "sentAt", "updatedAt") VALUES ${keys.map(() => "(?, '[]', ?)").join(", ")} ON CONFLICT ("key") DO NOTHING`,
      keys.flatMap((k) => [k, written]),
    );
  const select = (sql: SqlRunner, keys: readonly string[]) =>
    sql.query<{ key: string; sentAt: string }>(
      `SELECT "key", "sentAt" FROM "SendPace" WHERE "key" IN (${keys.map(() => "?").join(", ")})${forUpdate}`,
      keys,
    );

  async function reserveAll(requests: readonly Pending[]): Promise<number[]> {
    const keys = [...new Set(requests.flatMap((r) => r.windows.map((w) => w.key)))].sort();
    const latest = Math.max(...requests.map((r) => r.now));
    const written = new Date(latest);
    const slots = await db.transaction(async (sql) => {
      // A row must exist before it can be locked: new keys are inserted first (on SQLite the
      // transaction already holds the write lock, BEGIN IMMEDIATE).
      const unknown = keys.filter((k) => !known.has(k));
      if (unknown.length > 0) await insertMissing(sql, unknown, written);
      let rows = await select(sql, keys);
      if (rows.length < keys.length) {
        // A key thought known was forgotten meanwhile (FORGET_AFTER_MS): made again, read again.
        const found = new Set(rows.map((r) => r.key));
        await insertMissing(
          sql,
          keys.filter((k) => !found.has(k)),
          written,
        );
        rows = await select(sql, keys);
      }
      const history = new Map(rows.map((r) => [r.key, JSON.parse(r.sentAt) as number[]]));
      const at = requests.map((r) => {
        const slot = earliestSlot(history, r.windows, r.now);
        for (const w of r.windows) history.set(w.key, withSend(history.get(w.key) ?? [], w, slot, r.now));
        return slot;
      });
      await sql.execute(
        `WITH "reserved" ("key", "sentAt") AS (VALUES ${keys.map(() => "(?, ?)").join(", ")}) ` +
          `UPDATE "SendPace" SET "sentAt" = "reserved"."sentAt", "updatedAt" = ? FROM "reserved" WHERE "SendPace"."key" = "reserved"."key"`,
        [...keys.flatMap((k) => [k, JSON.stringify(history.get(k) ?? [])]), written],
        { last: true },
      );
      return at;
    });
    if (known.size > KNOWN_KEYS_LIMIT) known.clear();
    for (const k of keys) known.add(k);
    if (random() < 0.002) {
      // Also any row keyed in clear: one an instance still on the old code wrote during an upgrade,
      // after the migration that removed the others (20261206090000_send_pace_hashed_keys).
      await db.sql
        .execute(`DELETE FROM "SendPace" WHERE "updatedAt" < ? OR "key" NOT LIKE 'h:%'`, [new Date(latest - FORGET_AFTER_MS)])
        .catch(() => undefined);
    }
    return slots;
  }

  async function rounds(): Promise<void> {
    running = true;
    while (waiting.length > 0) {
      const requests = waiting;
      waiting = [];
      try {
        const slots = await reserveAll(requests);
        requests.forEach((r, i) => r.resolve(slots[i]!));
      } catch (error) {
        for (const r of requests) r.reject(error);
      }
    }
    running = false;
  }

  return {
    reserve(windows, now) {
      return new Promise<number>((resolve, reject) => {
        waiting.push({ windows: windows.map((w) => ({ ...w, key: storedKey(w.key) })), now, resolve, reject });
        if (!running) void rounds();
      });
    },
  };
}
