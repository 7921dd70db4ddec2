import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lookupHash, openDatabase, type Database } from "../../src/db/index.js";
import { Pacer, databaseLedger, memoryLedger, paceWindows } from "../../src/outbox/index.js";
import { testDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";

/** A pacer on a fake clock: sleeping advances time, so the waits it asks for can be read off. */
function pacedClock() {
  let now = 1_000_000;
  const slept: number[] = [];
  const pacer = new Pacer(
    memoryLedger(),
    () => now,
    async (ms) => {
      slept.push(ms);
      now += ms;
    },
  );
  return { pacer, slept, now: () => now, advance: (ms: number) => (now += ms) };
}

const TELEGRAM = { perChatMs: 1000, groupPerMinute: 20, globalPerSecond: 30 };

describe("Pacer (Telegram's limits)", () => {
  it("spaces messages to one chat by a second, and lets other chats through at once", async () => {
    const c = pacedClock();
    await c.pacer.wait("telegram", "42", TELEGRAM);
    await c.pacer.wait("telegram", "43", TELEGRAM);
    expect(c.slept).toEqual([]);
    await c.pacer.wait("telegram", "42", TELEGRAM);
    expect(c.slept).toEqual([1000]);
  });

  it("sends at most 20 messages a minute into a group", async () => {
    const c = pacedClock();
    const start = c.now();
    for (let i = 0; i < 21; i++) await c.pacer.wait("telegram", "-100123", TELEGRAM);
    // 20 go at one per second; the 21st waits for the first to leave the minute window.
    expect(c.now() - start).toBe(60_000);
  });

  it("keeps 30 messages per second overall", async () => {
    const c = pacedClock();
    const start = c.now();
    for (let i = 0; i < 31; i++) await c.pacer.wait("telegram", `chat-${i}`, TELEGRAM);
    expect(c.now() - start).toBe(1000);
  });

  it("queues concurrent senders by reservation: each asks once and sleeps until its own slot", async () => {
    let now = 1_000_000;
    const slept: number[] = [];
    const pacer = new Pacer(
      memoryLedger(),
      () => now,
      async (ms) => void slept.push(ms),
    );
    await Promise.all([1, 2, 3].map(() => pacer.wait("telegram", "42", TELEGRAM)));
    expect(slept).toEqual([1000, 2000]);
    now += 500;
    await pacer.wait("telegram", "42", TELEGRAM);
    expect(slept.at(-1)).toBe(2500);
  });

  it("never lets any window of any chat, group or the channel hold more than its limit (random traffic)", async () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const ledger = memoryLedger();
    const sends: { chat: string; at: number; asked: number }[] = [];
    let now = 0;
    for (let i = 0; i < 600; i++) {
      now += Math.floor(random() * 40);
      const chat = random() < 0.3 ? "-100group" : `chat-${Math.floor(random() * 15)}`;
      const at = await ledger.reserve(paceWindows("telegram", chat, TELEGRAM), now);
      sends.push({ chat, at, asked: now });
    }
    const within = (list: number[], limit: number, windowMs: number) =>
      list.every((end) => list.filter((t) => t > end - windowMs && t <= end).length <= limit);
    expect(sends.every((s) => s.at >= s.asked)).toBe(true);
    expect(
      within(
        sends.map((s) => s.at),
        30,
        1000,
      ),
    ).toBe(true);
    expect(
      within(
        sends.filter((s) => s.chat === "-100group").map((s) => s.at),
        20,
        60_000,
      ),
    ).toBe(true);
    for (let c = 0; c < 15; c++)
      expect(
        within(
          sends.filter((s) => s.chat === `chat-${c}`).map((s) => s.at),
          1,
          1000,
        ),
      ).toBe(true);
    // A private chat's send is not held back by the group's queue, which by now reaches minutes ahead.
    expect(Math.max(...sends.filter((s) => s.chat === "-100group").map((s) => s.at))).toBeGreaterThan(now + 60_000);
    expect(await ledger.reserve(paceWindows("telegram", "chat-new", TELEGRAM), now + 5000)).toBe(now + 5000);
  });

  it("does nothing for a channel without limits", async () => {
    const c = pacedClock();
    for (let i = 0; i < 50; i++) await c.pacer.wait("webchat", "x", undefined);
    expect(c.slept).toEqual([]);
  });
});

describe(`the shared pace ledger on ${TEST_DB} (several instances keep one limit)`, () => {
  const dir = mkdtempSync(join(tmpdir(), "kanal-pace-"));
  const opened: Database[] = [];
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Two instances: two clients of one PostgreSQL database, each with its own ledger. SQLite's
   * instances are processes (better-sqlite3 waits for a lock synchronously, so two connections in
   * one thread would wait on each other): there both ledgers share one client.
   */
  async function twoInstances() {
    database ??= await testDatabase(dir);
    const a = await openDatabase(database.url);
    const b = TEST_DB === "postgresql" ? await openDatabase(database.url, { migrate: false }) : a;
    opened.push(...new Set([a, b]));
    await a.sql.execute(`DELETE FROM "SendPace"`);
    return [databaseLedger(a), databaseLedger(b)] as const;
  }

  it("a send reserved by one instance makes the other's wait out the chat's second", async () => {
    const [a, b] = await twoInstances();
    const windows = paceWindows("telegram", "42", TELEGRAM);
    const t = 5_000_000;
    expect(await a.reserve(windows, t)).toBe(t);
    expect(await b.reserve(windows, t + 400)).toBe(t + 1000);
    expect(await b.reserve(paceWindows("telegram", "43", TELEGRAM), t + 400)).toBe(t + 400);
    // Reservations queue: the next send to chat 42 comes a second after the one reserved for t + 1000.
    expect(await a.reserve(windows, t + 500)).toBe(t + 2000);
    expect(await a.reserve(windows, t + 9000)).toBe(t + 9000);
  });

  it("holds the group's 20 a minute and the channel's 30 a second across instances racing", async () => {
    const [a, b] = await twoInstances();
    const t = 9_000_000;
    // 40 sends into one group at the same instant, half from each instance: 20 go now, 20 a minute later.
    const group = paceWindows("telegram", "-100777", { groupPerMinute: 20 });
    const slots = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).reserve(group, t)));
    expect(slots.filter((at) => at === t)).toHaveLength(20);
    expect(slots.filter((at) => at === t + 60_000)).toHaveLength(20);

    const all = (i: number) => paceWindows("meta", `chat-${i}`, { globalPerSecond: 30 });
    const overall = await Promise.all(Array.from({ length: 31 }, (_, i) => (i % 2 ? a : b).reserve(all(i), t)));
    expect(overall.filter((at) => at === t)).toHaveLength(30);
    expect(overall.filter((at) => at === t + 1000)).toHaveLength(1);
  });

  it("reserves in rounds: what arrives while a round runs goes in the next, each in arrival order", async () => {
    const [a] = await twoInstances();
    const db = opened[0]!;
    let rounds = 0;
    const counting: Database = {
      ...db,
      transaction: (work, options) => {
        rounds++;
        return db.transaction(work, options);
      },
    };
    const ledger = databaseLedger(counting);
    const t = 30_000_000;
    // 80 a second on one number (WhatsApp Cloud): 100 sends at once, from 100 lanes.
    const all = (i: number) => paceWindows("whatsapp-cloud", `62812${i}`, { globalPerSecond: 80 });
    const slots = await Promise.all(Array.from({ length: 100 }, (_, i) => ledger.reserve(all(i), t)));
    expect(rounds).toBeLessThanOrEqual(2);
    expect(slots.filter((at) => at === t)).toHaveLength(80);
    expect(slots.filter((at) => at === t + 1000)).toHaveLength(20);
    // The first 80 to ask got the first second.
    expect(slots.slice(0, 80).every((at) => at === t)).toBe(true);
    // Another instance's ledger sees the whole round's reservations.
    expect(await a.reserve(all(1000), t)).toBe(t + 1000);
  });

  it("makes a key's row again when it was forgotten between two rounds", async () => {
    const [a] = await twoInstances();
    const windows = paceWindows("telegram", "77", TELEGRAM);
    const t = 40_000_000;
    expect(await a.reserve(windows, t)).toBe(t);
    await opened[0]!.sql.execute(`DELETE FROM "SendPace"`);
    // The ledger still thinks the rows exist; the reservation is recorded all the same.
    expect(await a.reserve(windows, t + 10)).toBe(t + 10);
    const rows = await opened[0]!.sql.query<{ key: string; sentAt: string }>(`SELECT "key", "sentAt" FROM "SendPace" ORDER BY "key"`);
    expect(new Map(rows.map((r) => [r.key, JSON.parse(r.sentAt) as number[]]))).toEqual(
      new Map([
        [lookupHash("all:telegram"), [t + 10]],
        [lookupHash("chat:telegram:77"), [t + 10]],
      ]),
    );
  });

  it("keeps no chat address in clear: a row's key is a keyed hash of the window's", async () => {
    const [a, b] = await twoInstances();
    const phone = "6281234567890";
    const windows = paceWindows("whatsapp-cloud", phone, { perChatMs: 1000, globalPerSecond: 80 });
    const t = 50_000_000;
    expect(await a.reserve(windows, t)).toBe(t);
    // The other instance hashes the same way: it still waits out the chat's second.
    expect(await b.reserve(windows, t + 10)).toBe(t + 1000);
    const keys = (await opened[0]!.sql.query<{ key: string }>(`SELECT "key" FROM "SendPace"`)).map((r) => r.key);
    expect(keys.sort()).toEqual([lookupHash(`chat:whatsapp-cloud:${phone}`), lookupHash("all:whatsapp-cloud")].sort());
    expect(keys.some((key) => key.includes(phone) || key.includes("whatsapp"))).toBe(false);
  });

  it("its clean-up takes away rows idle for an hour, and any keyed in clear (an old instance's, during an upgrade)", async () => {
    await twoInstances();
    const db = opened[0]!;
    const t = 60_000_000;
    const old = new Date(t - 2 * 60 * 60_000);
    await db.sql.execute(`INSERT INTO "SendPace" ("key", "sentAt", "updatedAt") VALUES (?, '[]', ?), (?, '[]', ?), (?, '[]', ?)`, [
      "chat:whatsapp-cloud:6281234567890",
      new Date(t),
      lookupHash("chat:whatsapp-cloud:idle"),
      old,
      lookupHash("chat:whatsapp-cloud:recent"),
      new Date(t),
    ]);
    // random() = 0: this round cleans up.
    const ledger = databaseLedger(db, () => 0);
    expect(await ledger.reserve(paceWindows("whatsapp-cloud", "6281200000000", { perChatMs: 1000 }), t)).toBe(t);
    const keys = (await db.sql.query<{ key: string }>(`SELECT "key" FROM "SendPace"`)).map((r) => r.key).sort();
    expect(keys).toEqual([lookupHash("chat:whatsapp-cloud:recent"), lookupHash("chat:whatsapp-cloud:6281200000000")].sort());
  });

  it("a Pacer on the database ledger waits as the memory one does", async () => {
    const [a] = await twoInstances();
    let now = 20_000_000;
    const slept: number[] = [];
    const pacer = new Pacer(
      a,
      () => now,
      async (ms) => {
        slept.push(ms);
        now += ms;
      },
    );
    await pacer.wait("telegram", "42", TELEGRAM);
    await pacer.wait("telegram", "42", TELEGRAM);
    expect(slept).toEqual([1000]);
  });
});
