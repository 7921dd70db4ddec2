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
   * Takes a slot now when every window has room, recording the send under each key, and returns 0;
   * otherwise records nothing and returns how many milliseconds to wait before asking again.
   */
  take(windows: readonly PaceWindow[], now: number): Promise<number>;
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
    for (;;) {
      const delay = await this.ledger.take(windows, this.now());
      if (delay <= 0) return;
      await this.sleep(delay);
    }
  }
}

/** The windows a send to one chat must fit in; group chats are the ids starting with "-" (Telegram). */
export function paceWindows(channel: string, chatId: string, pacing: Pacing | undefined): PaceWindow[] {
  if (!pacing) return [];
  const windows: PaceWindow[] = [];
  if (pacing.perChatMs) windows.push({ key: `chat:${channel}:${chatId}`, limit: 1, windowMs: pacing.perChatMs });
  if (pacing.groupPerMinute && chatId.startsWith("-")) windows.push({ key: `group:${channel}:${chatId}`, limit: pacing.groupPerMinute, windowMs: 60_000 });
  if (pacing.globalPerSecond) windows.push({ key: `all:${channel}`, limit: pacing.globalPerSecond, windowMs: 1000 });
  return windows;
}

/** How long until every window has room, given each key's recent send times (0: now). */
export function paceDelay(history: ReadonlyMap<string, readonly number[]>, windows: readonly PaceWindow[], now: number): number {
  let delay = 0;
  for (const w of windows) {
    const recent = (history.get(w.key) ?? []).filter((t) => t > now - w.windowMs);
    if (recent.length >= w.limit) delay = Math.max(delay, recent[recent.length - w.limit]! + w.windowMs - now);
  }
  return delay;
}

/** A key's send times after a send at `now`: only what its window still needs, oldest first. */
function withSend(times: readonly number[], window: PaceWindow, now: number): number[] {
  return [...times.filter((t) => t > now - window.windowMs), now].slice(-window.limit);
}

/** One process's ledger (tests, and anything that sends alone). */
export function memoryLedger(): PaceLedger {
  const history = new Map<string, number[]>();
  return {
    async take(windows, now) {
      const delay = paceDelay(history, windows, now);
      if (delay > 0) return delay;
      for (const w of windows) history.set(w.key, withSend(history.get(w.key) ?? [], w, now));
      // Chats that went quiet are forgotten, so the map does not grow with every citizen ever served.
      if (history.size > 10_000) {
        for (const [key, times] of history) if ((times.at(-1) ?? 0) < now - 60 * 60_000) history.delete(key);
      }
      return 0;
    },
  };
}

/** Rows not written for this long are deleted now and then (no window is longer than a minute). */
const FORGET_AFTER_MS = 60 * 60_000;

/**
 * The ledger in the SendPace table. One short transaction per attempt: the INSERT … ON CONFLICT DO
 * NOTHING comes first so that SQLite takes its write lock at once (a read-then-write transaction
 * would fail with SQLITE_BUSY against another process instead of waiting), and PostgreSQL's
 * `FOR UPDATE` makes instances sending to the same keys take turns.
 */
export function databaseLedger(db: Database, random: () => number = Math.random): PaceLedger {
  const forUpdate = db.provider === "postgresql" ? " FOR UPDATE" : "";
  return {
    async take(windows, now) {
      const keys = [...new Set(windows.map((w) => w.key))].sort();
      const at = new Date(now);
      const delay = await db.prisma.$transaction(async (tx) => {
        const sql = db.sql.within(tx);
        await sql.execute(
          `INSERT INTO "SendPace" ("key", "sentAt", "updatedAt") VALUES ${keys.map(() => "(?, '[]', ?)").join(", ")} ON CONFLICT ("key") DO NOTHING`,
          keys.flatMap((k) => [k, at]),
        );
        const rows = await sql.query<{ key: string; sentAt: string }>(
          `SELECT "key", "sentAt" FROM "SendPace" WHERE "key" IN (${keys.map(() => "?").join(", ")})${forUpdate}`,
          keys,
        );
        const history = new Map(rows.map((r) => [r.key, JSON.parse(r.sentAt) as number[]]));
        const wait = paceDelay(history, windows, now);
        if (wait > 0) return wait;
        for (const w of windows) {
          await sql.execute(`UPDATE "SendPace" SET "sentAt" = ?, "updatedAt" = ? WHERE "key" = ?`, [JSON.stringify(withSend(history.get(w.key) ?? [], w, now)), at, w.key]);
        }
        return 0;
      });
      if (delay === 0 && random() < 0.002) {
        await db.sql.execute(`DELETE FROM "SendPace" WHERE "updatedAt" < ?`, [new Date(now - FORGET_AFTER_MS)]).catch(() => undefined);
      }
      return delay;
    },
  };
}
