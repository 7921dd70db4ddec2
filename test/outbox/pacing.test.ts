import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";
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

  it("a send recorded by one instance makes the other wait out the chat's second", async () => {
    const [a, b] = await twoInstances();
    const windows = paceWindows("telegram", "42", TELEGRAM);
    const t = 5_000_000;
    expect(await a.take(windows, t)).toBe(0);
    expect(await b.take(windows, t + 400)).toBe(600);
    expect(await b.take(paceWindows("telegram", "43", TELEGRAM), t + 400)).toBe(0);
    expect(await b.take(windows, t + 1000)).toBe(0);
    expect(await a.take(windows, t + 1500)).toBe(500);
  });

  it("holds the group's 20 a minute and the channel's 30 a second across instances racing", async () => {
    const [a, b] = await twoInstances();
    const t = 9_000_000;
    // 40 sends into one group at the same instant, half from each instance: exactly 20 get through.
    const group = paceWindows("telegram", "-100777", { groupPerMinute: 20 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).take(group, t)));
    expect(results.filter((d) => d === 0)).toHaveLength(20);
    expect(results.filter((d) => d === 60_000)).toHaveLength(20);

    const all = (i: number) => paceWindows("meta", `chat-${i}`, { globalPerSecond: 30 });
    const overall = await Promise.all(Array.from({ length: 31 }, (_, i) => (i % 2 ? a : b).take(all(i), t)));
    expect(overall.filter((d) => d === 0)).toHaveLength(30);
  });

  it("a Pacer on the database ledger waits as the memory one does", async () => {
    const [a] = await twoInstances();
    let now = 20_000_000;
    const slept: number[] = [];
    const pacer = new Pacer(a, () => now, async (ms) => {
      slept.push(ms);
      now += ms;
    });
    await pacer.wait("telegram", "42", TELEGRAM);
    await pacer.wait("telegram", "42", TELEGRAM);
    expect(slept).toEqual([1000]);
  });
});
