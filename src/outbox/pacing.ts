import type { ChannelLimits } from "../core/index.js";
import type { Database } from "../db/index.js";

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

/**
 * The ledger in the SendPace table. One short transaction per send: the INSERT … ON CONFLICT DO
 * NOTHING comes first so that SQLite takes its write lock at once (a read-then-write transaction
 * would fail with SQLITE_BUSY against another process instead of waiting), and PostgreSQL's
 * `FOR UPDATE` makes instances sending to the same keys take turns.
 */
export function databaseLedger(db: Database, random: () => number = Math.random): PaceLedger {
  const forUpdate = db.provider === "postgresql" ? " FOR UPDATE" : "";
  return {
    async reserve(windows, now) {
      const keys = [...new Set(windows.map((w) => w.key))].sort();
      const written = new Date(now);
      const at = await db.transaction(async (sql) => {
        await sql.execute(
          `INSERT INTO "SendPace" ("key", "sentAt", "updatedAt") VALUES ${keys.map(() => "(?, '[]', ?)").join(", ")} ON CONFLICT ("key") DO NOTHING`,
          keys.flatMap((k) => [k, written]),
        );
        const rows = await sql.query<{ key: string; sentAt: string }>(
          `SELECT "key", "sentAt" FROM "SendPace" WHERE "key" IN (${keys.map(() => "?").join(", ")})${forUpdate}`,
          keys,
        );
        const history = new Map(rows.map((r) => [r.key, JSON.parse(r.sentAt) as number[]]));
        const slot = earliestSlot(history, windows, now);
        for (const w of windows) {
          await sql.execute(`UPDATE "SendPace" SET "sentAt" = ?, "updatedAt" = ? WHERE "key" = ?`, [
            JSON.stringify(withSend(history.get(w.key) ?? [], w, slot, now)),
            written,
            w.key,
          ]);
        }
        return slot;
      });
      if (random() < 0.002) {
        await db.sql.execute(`DELETE FROM "SendPace" WHERE "updatedAt" < ?`, [new Date(now - FORGET_AFTER_MS)]).catch(() => undefined);
      }
      return at;
    },
  };
}
