import {
  CHANNEL_NAMES,
  describeError,
  KanalError,
  type ChannelAdapter,
  type ChannelName,
  type SendResult,
  type Log,
} from "../core/index.js";
import { retryDelayMs } from "./backoff.js";
import { holdLease } from "./lease.js";
import { Pacer } from "./pacing.js";
import { parseOutboxPayload } from "./payload.js";
import { outboxStore, type DueRow } from "./store.js";
import type { AdapterLookup, OutboxRow, OutboxWorker, OutboxWorkerDeps, OutboxWorkerOptions } from "./types.js";

export const OUTBOX_DEFAULTS: Readonly<OutboxWorkerOptions> = {
  pollIntervalMs: 500,
  batchSize: 20,
  leaseMs: 15_000,
  maxAttempts: 12,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  unconfiguredDelayMs: 5 * 60_000,
};

/** What one attempt came to, before it is written down. */
type Verdict =
  | { kind: "sent"; providerMessageId: string }
  | { kind: "retry"; reason: string; delayMs: number }
  | { kind: "fail"; reason: string; attempted: boolean };

/** "skipped": not claimed (another worker has it, or it is no longer due). "lost": claimed, but the claim ended before the outcome was written. */
type Outcome = "sent" | "failed" | "retry" | "lost" | "skipped";

interface BatchResult {
  claimed: number;
  finished: number;
}

/**
 * The durable delivery worker: every outgoing message is an OutboxMessage row first (written by the
 * pipeline or the staff console in the transaction that caused it) and is sent here. See store.ts for
 * why claiming is safe with several processes, and docs/ARCHITECTURE.md (rule 5).
 */
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const pacer = deps.pacer ?? new Pacer();
  const options = resolveOptions(deps.options);
  const clock = deps.clock ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const log = deps.log ?? defaultLog;
  const store = outboxStore(deps.db);
  const adapterFor = adapterLookup(deps.adapters);

  let running = false;
  /** Set while stop() waits: lanes finish the send in hand and claim nothing more. */
  let draining = false;
  let loopDone: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const inFlight = new Set<Promise<unknown>>();

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    const forget = () => inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  async function runBatch(): Promise<BatchResult> {
    const due = await store.findDue(clock(), options.batchSize, deps.excludeChannels?.());
    const results = await Promise.all(lanesOf(due).map(runLane));
    return results.reduce((sum, r) => ({ claimed: sum.claimed + r.claimed, finished: sum.finished + r.finished }), {
      claimed: 0,
      finished: 0,
    });
  }

  /**
   * One chat's due rows, strictly one after another, each claimed just before it is sent: a row
   * that does not finish (retry, lost claim, someone else's claim) holds back the rest of its chat.
   * Different chats run side by side.
   */
  async function runLane(ids: string[]): Promise<BatchResult> {
    const result = { claimed: 0, finished: 0 };
    for (const id of ids) {
      if (draining) break;
      let outcome: Outcome;
      try {
        outcome = await processRow(id);
      } catch (error) {
        // A database error: the row keeps whatever state it reached; an unfinished claim is
        // taken over after its lease. The loop goes on.
        log("outbox row could not be processed", { id, error: describeError(error) });
        break;
      }
      if (outcome === "skipped") break;
      result.claimed += 1;
      if (outcome !== "sent" && outcome !== "failed") break;
      result.finished += 1;
    }
    return result;
  }

  async function processRow(id: string): Promise<Outcome> {
    const claimed = await store.claim(id, clock(), options.leaseMs);
    if (!claimed) return "skipped";
    const attempt = await attemptDelivery(claimed.row, claimed.token);
    return record(claimed.row, attempt.token, attempt.verdict);
  }

  async function attemptDelivery(row: OutboxRow, token: Date): Promise<{ verdict: Verdict; token: Date | undefined }> {
    let adapter: ChannelAdapter | undefined;
    try {
      adapter = isChannelName(row.channel) ? adapterFor(row.channel) : undefined;
    } catch (error) {
      return { verdict: backoff(row, `adapter lookup failed: ${describeError(error)}`), token };
    }
    if (!adapter) {
      // Counted as an attempt, so a channel that stays unconfigured (or failed to start, as
      // whyUnavailable then says) ends in "failed" (and staff hear of it) instead of keeping the
      // row, and everything behind it in that chat, forever.
      const reason = deps.whyUnavailable?.(row.channel) ?? `channel ${row.channel} not configured`;
      return { verdict: { kind: "retry", reason, delayMs: options.unconfiguredDelayMs }, token };
    }
    const parsed = parseOutboxPayload(row.payload);
    if (!parsed.ok) return { verdict: { kind: "fail", reason: parsed.reason, attempted: false }, token };

    const lease = holdLease(store, row.id, token, { leaseMs: options.leaseMs, clock, log });
    let result: SendResult;
    try {
      const message = { ...parsed.message };
      // A card is sent before anything threaded under it (rows of one chat go in order).
      if (parsed.threadOf) message.replyTo ??= await store.cardMessageId(parsed.threadOf, row.channel, row.chatId);
      await pacer.wait(row.channel, row.chatId, adapter.limits.pacing);
      result = await adapter.send(row.chatId, message);
    } catch (error) {
      // A thrown error is the network, not the provider's answer (a refusal is a SendResult): retry.
      result = { ok: false, retryable: true, reason: `send threw: ${describeError(error)}` };
    } finally {
      await lease.release();
    }
    return { verdict: verdictOf(row, result), token: lease.token() };
  }

  function verdictOf(row: OutboxRow, result: SendResult): Verdict {
    if (result.ok) return { kind: "sent", providerMessageId: result.providerMessageId };
    if (!result.retryable) return { kind: "fail", reason: result.reason, attempted: true };
    return backoff(row, result.reason, result.retryAfterMs);
  }

  function backoff(row: OutboxRow, reason: string, retryAfterMs?: number): Verdict {
    return { kind: "retry", reason, delayMs: retryDelayMs(row.attempts, retryAfterMs, options, random) };
  }

  async function record(row: OutboxRow, token: Date | undefined, verdict: Verdict): Promise<Outcome> {
    switch (verdict.kind) {
      case "sent": {
        // First thing after the provider said yes: the next crash must not send it again.
        const marked = await withRetries(() => store.markSent(row.id, verdict.providerMessageId, clock()));
        if (!marked) log("outbox message was already marked sent: it was delivered twice", { id: row.id, ...about(row) });
        return "sent";
      }
      case "retry": {
        const attempts = row.attempts + 1;
        if (attempts >= options.maxAttempts) {
          return fail(row, token, `${verdict.reason} (gave up after ${attempts} attempts)`, attempts);
        }
        const now = clock();
        const nextAttemptAt = new Date(now.getTime() + verdict.delayMs);
        if (!token || !(await store.reschedule(row.id, token, { attempts, nextAttemptAt, lastError: verdict.reason }, now))) {
          return lost(row, verdict.reason);
        }
        log("outbox send will be retried", {
          id: row.id,
          ...about(row),
          attempts,
          nextAttemptAt: nextAttemptAt.toISOString(),
          reason: verdict.reason,
        });
        return "retry";
      }
      case "fail":
        return fail(row, token, verdict.reason, verdict.attempted ? row.attempts + 1 : row.attempts);
    }
  }

  async function fail(row: OutboxRow, token: Date | undefined, reason: string, attempts: number): Promise<Outcome> {
    const now = clock();
    if (!token || !(await store.markFailed(row.id, token, { attempts, lastError: reason }, now))) return lost(row, reason);
    log("outbox message failed permanently", { id: row.id, ...about(row), attempts, reason });
    if (deps.onPermanentFailure) {
      const failed: OutboxRow = { ...row, status: "failed", attempts, lastError: reason, lockedUntil: null, updatedAt: now };
      try {
        await deps.onPermanentFailure(failed);
      } catch (error) {
        log("outbox onPermanentFailure threw", { id: row.id, error: describeError(error) });
      }
    }
    return "failed";
  }

  function lost(row: OutboxRow, reason: string): Outcome {
    // Another worker took the row over after our lease ran out; its outcome is the one that counts.
    log("outbox claim lost before the outcome was recorded", { id: row.id, ...about(row), reason });
    return "lost";
  }

  async function loop(): Promise<void> {
    while (running) {
      woken = false;
      let finished = 0;
      try {
        finished = (await track(runBatch())).finished;
      } catch (error) {
        log("outbox poll failed", { error: describeError(error) });
      }
      if (!running) return;
      // A finished row may have let the next one of its chat through: look again at once.
      if (finished > 0 || woken) continue;
      await pause(options.pollIntervalMs);
    }
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeUp = done;
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      loopDone = loop();
    },
    async stop() {
      running = false;
      draining = true;
      wakeUp?.();
      try {
        await loopDone;
        await Promise.allSettled([...inFlight]);
      } finally {
        draining = false;
        loopDone = undefined;
      }
    },
    async runOnce() {
      return (await track(runBatch())).claimed;
    },
    notify() {
      woken = true;
      wakeUp?.();
    },
  };
}

/**
 * What a log line says about a row: its channel, conversation and complaint — never the chat id,
 * which is a citizen's phone number or address on several channels (identity is confidential).
 */
function about(row: OutboxRow): Record<string, string> {
  return {
    channel: row.channel,
    ...(row.conversationId ? { conversationId: row.conversationId } : {}),
    ...(row.complaintId ? { complaintId: row.complaintId } : {}),
  };
}

function lanesOf(due: DueRow[]): string[][] {
  const lanes = new Map<string, string[]>();
  for (const row of due) {
    const key = JSON.stringify([row.channel, row.chatId]);
    const lane = lanes.get(key);
    if (lane) lane.push(row.id);
    else lanes.set(key, [row.id]);
  }
  return [...lanes.values()];
}

function adapterLookup(adapters: AdapterLookup): (name: ChannelName) => ChannelAdapter | undefined {
  return typeof adapters === "function" ? adapters : (name) => adapters.get(name);
}

function isChannelName(value: string): value is ChannelName {
  return (CHANNEL_NAMES as readonly string[]).includes(value);
}

async function withRetries<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

function resolveOptions(given: Partial<OutboxWorkerOptions> = {}): OutboxWorkerOptions {
  const options = { ...OUTBOX_DEFAULTS, ...stripUndefined(given) };
  const minimum: Record<keyof OutboxWorkerOptions, number> = {
    pollIntervalMs: 1,
    batchSize: 1,
    leaseMs: 1,
    maxAttempts: 1,
    baseDelayMs: 0,
    maxDelayMs: 0,
    unconfiguredDelayMs: 0,
  };
  for (const [name, min] of Object.entries(minimum) as [keyof OutboxWorkerOptions, number][]) {
    const value = options[name];
    if (!Number.isFinite(value) || value < min) {
      throw new KanalError("KA_CONFIG", `outbox option ${name} must be a number ≥ ${min} (got ${String(value)})`);
    }
  }
  return options;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const defaultLog: Log = (message, fields) => {
  process.stderr.write(`[outbox] ${message} ${JSON.stringify(fields ?? {})}\n`);
};
