import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChannelAdapter, ChannelName, OutboundMessage, SendResult } from "../../src/core/index.js";
import { newOrderedId, openDatabase, type Database, type SqlRunner } from "../../src/db/index.js";
import {
  createOutboxWorker,
  type OutboxRow,
  type OutboxWorker,
  type OutboxWorkerDeps,
  type OutboxWorkerOptions,
} from "../../src/outbox/index.js";

// ---------------------------------------------------------------------------------------------
// Databases: a fresh SQLite file per test; PostgreSQL (when it answers on 127.0.0.1:5432) gets one
// fresh database per run, emptied before each test and dropped at the end.

interface Backend {
  name: string;
  skipReason?: string;
  before(): Promise<void>;
  /** The URL of a database whose outbox is empty. */
  fresh(): Promise<string>;
  after(): Promise<void>;
}

function sqliteBackend(): Backend {
  let root = "";
  return {
    name: "sqlite",
    async before() {
      root = await mkdtemp(join(tmpdir(), "kanal-outbox-"));
    },
    async fresh() {
      const dir = await mkdtemp(join(root, "t-"));
      return `file:${join(dir, "t.db")}`;
    },
    async after() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

const PG_ADMIN = { host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" };

async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ ...PG_ADMIN, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return `PostgreSQL not reachable on 127.0.0.1:5432 as user postgres (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresBackend(skipReason: string | undefined): Backend {
  const name = `kanal_outbox_test_${process.pid}_${Date.now()}`;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client(PG_ADMIN);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: "postgresql",
    skipReason,
    async before() {
      await admin((client) => client.query(`CREATE DATABASE "${name}"`));
    },
    async fresh() {
      return `postgresql://postgres@127.0.0.1:5432/${name}`;
    },
    async after() {
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

const pgSkip = await probePostgres();
if (pgSkip) console.warn(`outbox PostgreSQL tests skipped: ${pgSkip}`);
const backends = [sqliteBackend(), postgresBackend(pgSkip)];

// ---------------------------------------------------------------------------------------------
// Fakes: a clock that moves only when told, and a channel that records every send.

function fakeClock(start = "2026-01-05T08:00:00.000Z") {
  let ms = Date.parse(start);
  return {
    now: () => new Date(ms),
    advance(by: number) {
      ms += by;
    },
    at: (offset: number) => new Date(ms + offset),
  };
}
type FakeClock = ReturnType<typeof fakeClock>;

interface SendCall {
  chatId: string;
  message: OutboundMessage;
  outcome: SendResult | Error;
}

type Step = SendResult | Error | ((chatId: string, message: OutboundMessage) => Promise<SendResult>);

/** Results come from `script` (in call order) or `behaviour`, then ok with `<channel>-<n>`. */
function fakeAdapter(name: ChannelName = "telegram") {
  const calls: SendCall[] = [];
  const script: Step[] = [];
  let behaviour: ((chatId: string, message: OutboundMessage) => Step | undefined) | undefined;
  let n = 0;
  const adapter: ChannelAdapter = {
    name,
    limits: { maxTextLength: 4096, media: true, buttons: true, delivery: "push", canReachLater: true },
    start: async () => undefined,
    status: () => ({ state: "running" }),
    stop: async () => undefined,
    async send(chatId, message) {
      n += 1;
      const step = script.shift() ?? behaviour?.(chatId, message) ?? { ok: true, providerMessageId: `${name}-${n}` };
      const outcome = typeof step === "function" ? await step(chatId, message) : step;
      calls.push({ chatId, message, outcome });
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
  return {
    adapter,
    calls,
    script,
    behave(fn: typeof behaviour) {
      behaviour = fn;
    },
    texts: () => calls.map((c) => c.message.text),
    /** One chat's sends in order: the only order the worker promises. */
    textsTo: (chatId: string) => calls.filter((c) => c.chatId === chatId).map((c) => c.message.text),
    delivered: () => calls.filter((c) => !(c.outcome instanceof Error) && c.outcome.ok).map((c) => c.message.text),
  };
}

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Deterministic PRNG for the stress tests (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------

for (const backend of backends) {
  const title = backend.skipReason
    ? `outbox worker on ${backend.name} (skipped: ${backend.skipReason})`
    : `outbox worker on ${backend.name}`;

  describe.skipIf(backend.skipReason !== undefined)(title, () => {
    let url: string;
    let db: Database;
    let clock: FakeClock;
    let telegram: ReturnType<typeof fakeAdapter>;
    let logs: { message: string; fields: Record<string, unknown> }[];
    let failures: OutboxRow[];
    const opened: Database[] = [];
    const workers: OutboxWorker[] = [];

    beforeAll(() => backend.before());
    afterAll(() => backend.after());

    beforeEach(async () => {
      url = await backend.fresh();
      db = await openDatabase(url);
      opened.push(db);
      await db.sql.execute(`DELETE FROM "OutboxMessage"`);
      clock = fakeClock();
      telegram = fakeAdapter("telegram");
      logs = [];
      failures = [];
    });

    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await Promise.all(opened.splice(0).map((d) => d.close()));
    });

    function worker(over: Partial<Omit<OutboxWorkerDeps, "options">> & { options?: Partial<OutboxWorkerOptions> } = {}) {
      const w = createOutboxWorker({
        db,
        adapters: new Map([["telegram", telegram.adapter]]),
        clock: clock.now,
        random: () => 1, // the full backoff ceiling: delays are exact in assertions
        log: (message, fields) => logs.push({ message, fields: fields ?? {} }),
        onPermanentFailure: (row) => {
          failures.push(row);
        },
        ...over,
      });
      workers.push(w);
      return w;
    }

    interface RowSpec {
      id?: string;
      channel?: string;
      chatId?: string;
      text?: string;
      payload?: string;
      status?: string;
      attempts?: number;
      createdAt?: Date;
      nextAttemptAt?: Date;
      lockedUntil?: Date | null;
    }

    /** Writes a row as the pipeline would; the text defaults to the row's id so sends map back to rows. */
    async function enqueue(spec: RowSpec = {}, into: Database = db): Promise<string> {
      const createdAt = spec.createdAt ?? clock.now();
      const id = spec.id ?? newOrderedId(createdAt.getTime());
      await into.prisma.outboxMessage.create({
        data: {
          id,
          channel: spec.channel ?? "telegram",
          chatId: spec.chatId ?? "chat-1",
          payload: spec.payload ?? JSON.stringify({ text: spec.text ?? id }),
          status: spec.status ?? "pending",
          attempts: spec.attempts ?? 0,
          nextAttemptAt: spec.nextAttemptAt ?? createdAt,
          lockedUntil: spec.lockedUntil ?? null,
          createdAt,
        },
      });
      return id;
    }

    const row = (id: string) => db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });
    const unfinished = () => db.prisma.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } });

    it("delivers due rows, records the provider's message id, and does not send them again", async () => {
      const a = await enqueue({
        chatId: "chat-a",
        payload: JSON.stringify({ text: "Tiket Anda", options: ["1", "2"], ticket: "ADU-2026-00042" }),
      });
      const b = await enqueue({ chatId: "chat-b" });
      const later = await enqueue({ chatId: "chat-c", nextAttemptAt: clock.at(10_000) });
      const w = worker();

      expect(await w.runOnce()).toBe(2);
      // Different chats are delivered side by side: their relative order is not promised.
      const calls = telegram.calls.map((c) => [c.chatId, c.message] as const).sort((x, y) => x[0].localeCompare(y[0]));
      expect(calls).toEqual([
        ["chat-a", { text: "Tiket Anda", options: ["1", "2"], ticket: "ADU-2026-00042" }],
        ["chat-b", { text: b }],
      ]);
      const providerIdOf = (chatId: string) => `telegram-${telegram.calls.findIndex((c) => c.chatId === chatId) + 1}`;
      for (const [id, providerMessageId] of [
        [a, providerIdOf("chat-a")],
        [b, providerIdOf("chat-b")],
      ] as const) {
        expect(await row(id)).toMatchObject({ status: "sent", providerMessageId, sentAt: clock.now(), lockedUntil: null, attempts: 0 });
      }
      expect((await row(later)).status).toBe("pending");

      expect(await w.runOnce()).toBe(0);
      clock.advance(10_000);
      expect(await w.runOnce()).toBe(1);
      expect(await w.runOnce()).toBe(0);
      // The first two went side by side (any order); the later row only after them.
      expect(telegram.texts().slice(0, 2).sort()).toEqual(["Tiket Anda", b].sort());
      expect(telegram.texts()[2]).toBe(later);
      expect(await row(later)).toMatchObject({ status: "sent", providerMessageId: "telegram-3" });
    });

    it("retries a transient failure with exponential backoff and not a moment sooner", async () => {
      const id = await enqueue();
      telegram.script.push({ ok: false, retryable: true, reason: "HTTP 503" }, { ok: false, retryable: true, reason: "HTTP 502" });
      const w = worker();

      expect(await w.runOnce()).toBe(1);
      expect(await row(id)).toMatchObject({
        status: "pending",
        attempts: 1,
        lastError: "HTTP 503",
        nextAttemptAt: clock.at(1000),
        lockedUntil: null,
      });
      clock.advance(999);
      expect(await w.runOnce()).toBe(0);
      expect(telegram.calls).toHaveLength(1);

      clock.advance(1);
      expect(await w.runOnce()).toBe(1);
      // 1000 · 2^1 after the second failure
      expect(await row(id)).toMatchObject({ status: "pending", attempts: 2, lastError: "HTTP 502", nextAttemptAt: clock.at(2000) });
      clock.advance(1999);
      expect(await w.runOnce()).toBe(0);
      expect(telegram.calls).toHaveLength(2);

      clock.advance(1);
      expect(await w.runOnce()).toBe(1);
      expect(await row(id)).toMatchObject({ status: "sent", attempts: 2, providerMessageId: "telegram-3", sentAt: clock.now() });
      expect(telegram.calls).toHaveLength(3);
      expect(logs.filter((l) => l.message.includes("retried"))).toHaveLength(2);
    });

    it("waits out a provider's retry-after that is longer than the backoff", async () => {
      const id = await enqueue();
      telegram.script.push({ ok: false, retryable: true, retryAfterMs: 45_000, reason: "HTTP 429 Too Many Requests" });
      const w = worker({ options: { maxDelayMs: 10_000 } });

      await w.runOnce();
      expect(await row(id)).toMatchObject({
        status: "pending",
        attempts: 1,
        nextAttemptAt: clock.at(45_000),
        lastError: "HTTP 429 Too Many Requests",
      });
      for (const step of [1000, 10_000, 33_999]) {
        clock.advance(step);
        expect(await w.runOnce()).toBe(0);
      }
      expect(telegram.calls).toHaveLength(1);
      clock.advance(1);
      expect(await w.runOnce()).toBe(1);
      expect((await row(id)).status).toBe("sent");
    });

    it("treats an exception from send (the network) as retryable", async () => {
      const id = await enqueue();
      telegram.script.push(new Error("connect ECONNRESET 149.154.167.220:443"));
      const w = worker();

      expect(await w.runOnce()).toBe(1);
      const after = await row(id);
      expect(after).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: clock.at(1000) });
      expect(after.lastError).toContain("ECONNRESET");
      clock.advance(1000);
      await w.runOnce();
      expect(await row(id)).toMatchObject({ status: "sent", providerMessageId: "telegram-2" });
    });

    it("records a permanent refusal, tells onPermanentFailure once, and never retries it", async () => {
      const id = await enqueue({ chatId: "blocked-user" });
      telegram.script.push({ ok: false, retryable: false, reason: "403 Forbidden: bot was blocked by the user" });
      const w = worker();

      expect(await w.runOnce()).toBe(1);
      expect(await row(id)).toMatchObject({
        status: "failed",
        attempts: 1,
        lastError: "403 Forbidden: bot was blocked by the user",
        lockedUntil: null,
        sentAt: null,
      });
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        id,
        chatId: "blocked-user",
        status: "failed",
        lastError: "403 Forbidden: bot was blocked by the user",
      });

      clock.advance(7 * 24 * 3600_000);
      expect(await w.runOnce()).toBe(0);
      expect(telegram.calls).toHaveLength(1);
      expect(failures).toHaveLength(1);
    });

    it("survives an onPermanentFailure that throws", async () => {
      const id = await enqueue();
      telegram.script.push({ ok: false, retryable: false, reason: "chat not found" });
      const w = worker({
        onPermanentFailure: () => {
          throw new Error("ops group unreachable");
        },
      });
      expect(await w.runOnce()).toBe(1);
      expect((await row(id)).status).toBe("failed");
      expect(logs.some((l) => l.fields.error === "ops group unreachable")).toBe(true);
    });

    it("fails a row after maxAttempts retryable failures", async () => {
      const id = await enqueue();
      telegram.behave(() => ({ ok: false, retryable: true, reason: "HTTP 502" }));
      const w = worker({ options: { maxAttempts: 3 } });

      for (let i = 0; i < 3; i++) {
        expect(await w.runOnce()).toBe(1);
        clock.advance(3600_000);
      }
      expect(await row(id)).toMatchObject({ status: "failed", attempts: 3, lastError: "HTTP 502 (gave up after 3 attempts)" });
      expect(failures.map((f) => f.id)).toEqual([id]);
      expect(await w.runOnce()).toBe(0);
      expect(telegram.calls).toHaveLength(3);
    });

    it("fails a row whose payload is not an OutboundMessage without calling the channel", async () => {
      const id = await enqueue({ payload: "{not json" });
      const w = worker();
      expect(await w.runOnce()).toBe(1);
      const after = await row(id);
      expect(after).toMatchObject({ status: "failed", attempts: 0 });
      expect(after.lastError).toMatch(/not JSON/);
      expect(telegram.calls).toHaveLength(0);
      expect(failures).toHaveLength(1);
    });

    it("keeps one chat in order behind a retrying message without holding back other chats", async () => {
      // Same createdAt (one transaction's replies): the id decides the order.
      const [a1, a2, a3] = [await enqueue({ chatId: "A" }), await enqueue({ chatId: "A" }), await enqueue({ chatId: "A" })];
      const b1 = await enqueue({ chatId: "B" });
      let firstTry = true;
      telegram.behave((_chatId, message) => {
        if (message.text === a1 && firstTry) {
          firstTry = false;
          return { ok: false, retryable: true, retryAfterMs: 10_000, reason: "HTTP 429" };
        }
        return undefined;
      });
      const w = worker();

      expect(await w.runOnce()).toBe(2);
      expect(telegram.textsTo("A")).toEqual([a1]);
      expect(telegram.textsTo("B")).toEqual([b1]);
      expect(await row(a2)).toMatchObject({ status: "pending", attempts: 0 });
      expect(await row(a3)).toMatchObject({ status: "pending", attempts: 0 });
      expect((await row(b1)).status).toBe("sent");

      clock.advance(5000);
      expect(await w.runOnce()).toBe(0);
      expect(telegram.calls).toHaveLength(2);

      clock.advance(5000);
      expect(await w.runOnce()).toBe(3);
      expect(telegram.textsTo("A")).toEqual([a1, a1, a2, a3]);
      expect(telegram.textsTo("B")).toEqual([b1]);
      const sentAt = await Promise.all([a1, a2, a3].map(async (id) => (await row(id)).status));
      expect(sentAt).toEqual(["sent", "sent", "sent"]);
    });

    it("lets later messages of a chat go after an older one failed for good", async () => {
      const a1 = await enqueue({ chatId: "A", createdAt: clock.at(-2) });
      const a2 = await enqueue({ chatId: "A", createdAt: clock.at(-1) });
      telegram.script.push({ ok: false, retryable: false, reason: "message is too long" });
      const w = worker();
      expect(await w.runOnce()).toBe(2);
      expect(telegram.texts()).toEqual([a1, a2]);
      expect((await row(a1)).status).toBe("failed");
      expect((await row(a2)).status).toBe("sent");
    });

    it("leaves the rows of excluded channels (the leader's) alone, and sends them once they are not excluded", async () => {
      const discord = fakeAdapter("discord");
      const mine = await enqueue({ chatId: "A" });
      const leaders = await enqueue({ channel: "discord", chatId: "A" });
      let exclude: string[] = ["discord"];
      const w = worker({
        adapters: new Map([
          ["telegram", telegram.adapter],
          ["discord", discord.adapter],
        ]),
        excludeChannels: () => exclude,
      });
      expect(await w.runOnce()).toBe(1);
      expect(telegram.texts()).toEqual([mine]);
      expect(await row(leaders)).toMatchObject({ status: "pending", attempts: 0 });
      exclude = [];
      expect(await w.runOnce()).toBe(1);
      expect(discord.texts()).toEqual([leaders]);
    });

    it("orders by createdAt before id", async () => {
      const newer = await enqueue({ id: "aaaa-newer", chatId: "A", createdAt: clock.at(-1) });
      const older = await enqueue({ id: "zzzz-older", chatId: "A", createdAt: clock.at(-5) });
      await worker().runOnce();
      expect(telegram.texts()).toEqual([older, newer]);
    });

    it("two workers on one database never send the same row twice", async () => {
      const db2 = await openDatabase(url, { migrate: false });
      opened.push(db2);
      const chats = 8;
      const perChat = 8;
      const order = new Map<string, string[]>();
      for (let i = 0; i < perChat; i++) {
        for (let c = 0; c < chats; c++) {
          clock.advance(1);
          const id = await enqueue({ chatId: `chat-${c}` });
          order.set(`chat-${c}`, [...(order.get(`chat-${c}`) ?? []), id]);
        }
      }
      const inFlight = new Set<string>();
      const overlaps: string[] = [];
      const jitter = seeded(7);
      telegram.behave((chatId, message) => async () => {
        if (inFlight.has(chatId)) overlaps.push(`${chatId}: ${message.text}`);
        inFlight.add(chatId);
        await sleep(Math.floor(jitter() * 3));
        inFlight.delete(chatId);
        return { ok: true, providerMessageId: `p-${message.text}` };
      });
      const w1 = worker({ options: { batchSize: 5 } });
      const w2 = worker({ db: db2, options: { batchSize: 5 } });

      let rounds = 0;
      while ((await unfinished()) > 0 && rounds++ < 500) {
        await Promise.all([w1.runOnce(), w2.runOnce(), w1.runOnce(), w2.runOnce()]);
      }

      expect(telegram.calls).toHaveLength(chats * perChat);
      expect(new Set(telegram.texts()).size).toBe(chats * perChat);
      expect(overlaps).toEqual([]);
      for (const [chatId, ids] of order) {
        expect(telegram.calls.filter((c) => c.chatId === chatId).map((c) => c.message.text)).toEqual(ids);
      }
      const rows = await db.prisma.outboxMessage.findMany();
      expect(rows.every((r) => r.status === "sent" && r.providerMessageId === `p-${r.id}`)).toBe(true);
    });

    it("two workers with flaky sends: each row delivered exactly once, every chat in order", async () => {
      const db2 = await openDatabase(url, { migrate: false });
      opened.push(db2);
      const ids: string[] = [];
      for (let i = 0; i < 48; i++) {
        clock.advance(1);
        ids.push(await enqueue({ chatId: `chat-${i % 6}` }));
      }
      const chance = seeded(42);
      telegram.behave(() => async () => {
        await sleep(Math.floor(chance() * 3));
        return chance() < 0.3 ? { ok: false, retryable: true, reason: "HTTP 500" } : { ok: true, providerMessageId: "x" };
      });
      const options = { batchSize: 4, baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 1000 };
      const w1 = worker({ options });
      const w2 = worker({ db: db2, options });

      let rounds = 0;
      while ((await unfinished()) > 0 && rounds++ < 1000) {
        await Promise.all([w1.runOnce(), w2.runOnce(), w1.runOnce(), w2.runOnce()]);
        clock.advance(50);
      }

      expect(await unfinished()).toBe(0);
      const delivered = telegram.delivered();
      expect([...delivered].sort()).toEqual([...ids].sort());
      expect(telegram.calls.length).toBeGreaterThan(ids.length); // some attempts did fail
      for (let c = 0; c < 6; c++) {
        const chatIds = ids.filter((_, i) => i % 6 === c);
        // Every attempt in a chat is for the message right after the last one delivered.
        let next = 0;
        for (const call of telegram.calls.filter((x) => x.chatId === `chat-${c}`)) {
          expect(call.message.text).toBe(chatIds[next]);
          if (!(call.outcome instanceof Error) && call.outcome.ok) next += 1;
        }
        expect(next).toBe(chatIds.length);
      }
    });

    it("takes over a row left 'sending' by a killed worker once its lease has expired", async () => {
      // What SIGKILL mid-send leaves behind: claimed, lease running out, nothing recorded.
      const stale = await enqueue({ chatId: "A", status: "sending", lockedUntil: clock.at(-1), createdAt: clock.at(-60_002) });
      const next = await enqueue({ chatId: "A", createdAt: clock.at(-60_001) });
      const w = worker();

      expect(await w.runOnce()).toBe(2);
      expect(telegram.texts()).toEqual([stale, next]);
      const after = await row(stale);
      expect(after).toMatchObject({ status: "sent", attempts: 1, lockedUntil: null });
      expect(after.lastError).toMatch(/lease expired/);
      expect((await row(next)).status).toBe("sent");
    });

    it("leaves a row another worker is sending alone until its lease expires", async () => {
      const lockedUntil = clock.at(30_000);
      const busy = await enqueue({ chatId: "A", status: "sending", lockedUntil, createdAt: clock.at(-2) });
      const behind = await enqueue({ chatId: "A", createdAt: clock.at(-1) });
      const other = await enqueue({ chatId: "B" });
      const w = worker();

      expect(await w.runOnce()).toBe(1);
      expect(telegram.texts()).toEqual([other]);
      expect(await row(busy)).toMatchObject({ status: "sending", lockedUntil, attempts: 0 });
      expect((await row(behind)).status).toBe("pending");

      clock.advance(30_000); // lockedUntil == now: still held
      expect(await w.runOnce()).toBe(0);
      clock.advance(1);
      expect(await w.runOnce()).toBe(2);
      expect(telegram.texts()).toEqual([other, busy, behind]);
    });

    it("renews the lease during a slow send so no other worker takes the row over", async () => {
      const db2 = await openDatabase(url, { migrate: false });
      opened.push(db2);
      const realClock = () => new Date();
      const id = await enqueue({ createdAt: new Date(Date.now() - 1000) });
      telegram.script.push(async () => {
        await sleep(1000);
        return { ok: true, providerMessageId: "slow-1" };
      });
      const options = { leaseMs: 300 };
      const slow = worker({ clock: realClock, options });
      const rival = worker({ db: db2, clock: realClock, options });

      const sending = slow.runOnce();
      const rivalClaims: number[] = [];
      await sleep(50);
      const until = Date.now() + 900;
      while (Date.now() < until) {
        rivalClaims.push(await rival.runOnce());
        await sleep(40);
      }
      expect(await sending).toBe(1);
      expect(rivalClaims.length).toBeGreaterThan(5);
      expect(rivalClaims.every((n) => n === 0)).toBe(true);
      expect(telegram.calls).toHaveLength(1);
      expect(await row(id)).toMatchObject({ status: "sent", providerMessageId: "slow-1", attempts: 0 });
    });

    it("parks a row whose channel is not configured, counts it, and fails it after maxAttempts", async () => {
      const discord = await enqueue({ channel: "discord", chatId: "D" });
      const unknown = await enqueue({ channel: "fax", chatId: "F" });
      const fine = await enqueue({ channel: "telegram", chatId: "T" });
      const w = worker({
        adapters: (name) => (name === "telegram" ? telegram.adapter : undefined),
        options: { maxAttempts: 2 },
      });

      expect(await w.runOnce()).toBe(3);
      expect(await row(discord)).toMatchObject({
        status: "pending",
        attempts: 1,
        lastError: "channel discord not configured",
        nextAttemptAt: clock.at(300_000),
      });
      expect(await row(unknown)).toMatchObject({ status: "pending", attempts: 1, lastError: "channel fax not configured" });
      expect((await row(fine)).status).toBe("sent");
      expect(telegram.texts()).toEqual([fine]);

      clock.advance(299_999);
      expect(await w.runOnce()).toBe(0);
      clock.advance(1);
      expect(await w.runOnce()).toBe(2);
      expect(await row(discord)).toMatchObject({
        status: "failed",
        attempts: 2,
        lastError: "channel discord not configured (gave up after 2 attempts)",
      });
      expect(failures.map((f) => f.channel).sort()).toEqual(["discord", "fax"]);
    });

    it("start() polls, notify() wakes it at once, stop() waits for the send in flight", async () => {
      const first = await enqueue({ chatId: "A" });
      const w = worker({ options: { pollIntervalMs: 60_000 } });
      w.start();
      await waitFor(async () => (await row(first)).status === "sent", "the first poll");

      const gate = deferred();
      telegram.script.push(async () => {
        await gate.promise;
        return { ok: true, providerMessageId: "gated" };
      });
      const second = await enqueue({ chatId: "A" });
      w.notify(); // without it the next poll is a minute away
      await waitFor(async () => (await row(second)).status === "sending", "the second row to be claimed", 3000);

      let stopped = false;
      const stopping = w.stop().then(() => {
        stopped = true;
      });
      await sleep(100);
      expect(stopped).toBe(false);
      expect((await row(second)).status).toBe("sending");
      gate.release();
      await stopping;
      expect(await row(second)).toMatchObject({ status: "sent", providerMessageId: "gated" });

      const third = await enqueue({ chatId: "A" });
      w.notify();
      await sleep(200);
      expect((await row(third)).status).toBe("pending");
      expect(telegram.calls).toHaveLength(2);
    });

    it("keeps polling after the database fails", async () => {
      let failuresLeft = 2;
      // The poll reads through db.sql, or on PostgreSQL in a transaction of its own (store.ts): both fail.
      const failing = (runner: SqlRunner): SqlRunner => ({
        ...runner,
        query: async <T>(sql: string, params?: readonly unknown[]): Promise<T[]> => {
          if (failuresLeft-- > 0) throw new Error("SQLITE_BUSY: database is locked");
          return runner.query<T>(sql, params);
        },
      });
      const flaky: Database = {
        ...db,
        sql: failing(db.sql),
        transaction: (work, options) => db.transaction((tx) => work(failing(tx)), options),
      };
      const id = await enqueue();
      const w = worker({ db: flaky, options: { pollIntervalMs: 20 } });
      w.start();
      await waitFor(async () => (await row(id)).status === "sent", "the row to be sent after two failed polls");
      await w.stop();
      const pollErrors = logs.filter((l) => l.message === "outbox poll failed");
      expect(pollErrors).toHaveLength(2);
      expect(pollErrors[0]!.fields.error).toContain("database is locked");
    });
  });
}
