import type { Database } from "../db/index.js";

/**
 * The sign-in throttle: failed sign-ins are counted per account and per client in the database, so
 * that the limit holds for all instances together (a guesser cannot spread guesses over instances).
 * After `limit` failures within `windowMs` the key is blocked for `blockMs`; while blocked, even the
 * right password is refused, so a guesser learns nothing from a blocked key.
 *
 * Per account: 5 failures in 15 minutes, then 15 minutes' wait — an office's staff mistype a few
 * times; a guesser gets 20 tries an hour per name. Per client (address): 20 in 15 minutes, so one
 * address cannot walk through many names either.
 */
export interface ThrottleRule {
  limit: number;
  windowMs: number;
  blockMs: number;
}

export const ACCOUNT_RULE: ThrottleRule = { limit: 5, windowMs: 15 * 60_000, blockMs: 15 * 60_000 };
export const CLIENT_RULE: ThrottleRule = { limit: 20, windowMs: 15 * 60_000, blockMs: 15 * 60_000 };

export interface ThrottleKey {
  key: string;
  rule: ThrottleRule;
}

export const accountKey = (username: string): ThrottleKey => ({ key: `account:${username.slice(0, 64)}`, rule: ACCOUNT_RULE });
export const clientKey = (address: string): ThrottleKey => ({ key: `client:${address.slice(0, 64)}`, rule: CLIENT_RULE });

/** Seconds until the latest block of these keys ends, or 0 when none is blocked. */
export async function blockedFor(db: Database, keys: readonly ThrottleKey[], now: Date): Promise<number> {
  const rows = await db.prisma.loginThrottle.findMany({
    where: { key: { in: keys.map((k) => k.key) }, blockedUntil: { gt: now } },
    select: { blockedUntil: true },
  });
  const until = Math.max(0, ...rows.map((r) => r.blockedUntil!.getTime()));
  return until > 0 ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

/**
 * Counts one failure for each key, in one statement per key: the increment, the window's reset and
 * the block happen in the database, so instances failing at the same moment each count.
 */
export async function recordFailure(db: Database, keys: readonly ThrottleKey[], now: Date): Promise<void> {
  for (const { key, rule } of keys) {
    const windowOpened = new Date(now.getTime() - rule.windowMs);
    await db.sql.execute(
      `INSERT INTO "LoginThrottle" ("key", "failures", "windowStart", "blockedUntil") VALUES (?, 1, ?, NULL)
       ON CONFLICT ("key") DO UPDATE SET
         "failures" = CASE WHEN "LoginThrottle"."windowStart" < ? THEN 1 ELSE "LoginThrottle"."failures" + 1 END,
         "windowStart" = CASE WHEN "LoginThrottle"."windowStart" < ? THEN excluded."windowStart" ELSE "LoginThrottle"."windowStart" END,
         "blockedUntil" = CASE WHEN "LoginThrottle"."windowStart" >= ? AND "LoginThrottle"."failures" + 1 >= ? THEN ?
                               ELSE "LoginThrottle"."blockedUntil" END`,
      [key, now, windowOpened, windowOpened, windowOpened, rule.limit, new Date(now.getTime() + rule.blockMs)],
    );
  }
  if (Math.random() < 0.01) {
    // Old counts and ended blocks are forgotten now and then.
    await db.prisma.loginThrottle
      .deleteMany({
        where: {
          windowStart: { lt: new Date(now.getTime() - 24 * 3_600_000) },
          OR: [{ blockedUntil: null }, { blockedUntil: { lt: now } }],
        },
      })
      .catch(() => undefined);
  }
}

/** A successful sign-in forgets the account's failures (not the client's: one good account must not reset a guesser's count). */
export async function clearFailures(db: Database, key: ThrottleKey): Promise<void> {
  await db.prisma.loginThrottle.deleteMany({ where: { key: key.key } });
}
