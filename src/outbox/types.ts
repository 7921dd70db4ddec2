import type { Pacer } from "./pacing.js";
import type { ChannelAdapter, ChannelName } from "../core/index.js";
import type { Database } from "../db/index.js";

/**
 * pending → sending (claimed, `lockedUntil` = end of the lease) → sent | failed.
 * A retryable failure puts the row back to pending with a later `nextAttemptAt`.
 */
export type OutboxStatus = "pending" | "sending" | "sent" | "failed";

/** One OutboxMessage row (prisma/models.prisma.part) as the worker reads it. */
export interface OutboxRow {
  id: string;
  channel: string;
  chatId: string;
  conversationId: string | null;
  complaintId: string | null;
  messageId: number | null;
  /** JSON of a core OutboundMessage: `{ text, options?, ticket? }`. */
  payload: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lastError: string | null;
  providerMessageId: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

export interface OutboxWorkerOptions {
  /** How often to look for due rows when nobody calls notify(). Default 500. */
  pollIntervalMs: number;
  /** Rows fetched per poll. Default 20. */
  batchSize: number;
  /**
   * How long a claim holds; a live worker renews it every third of this while a send is in flight.
   * Default 15 s: after a worker is killed mid-send, its chat waits at most this long (and the
   * interrupted message goes again: delivery is at least once).
   */
  leaseMs: number;
  /** Attempts (failed sends, interrupted sends, "channel not configured") before a row fails for good. Default 12. */
  maxAttempts: number;
  /** Backoff: a random delay in [0, min(maxDelayMs, baseDelayMs · 2^attempts)] (full jitter). Default 1000. */
  baseDelayMs: number;
  /** Default 15 min. A provider's retry-after longer than this is still honoured. */
  maxDelayMs: number;
  /** Delay before looking again at a row whose channel has no adapter. Default 5 min. */
  unconfiguredDelayMs: number;
}

export type AdapterLookup = ReadonlyMap<ChannelName, ChannelAdapter> | ((name: ChannelName) => ChannelAdapter | undefined);

export type OutboxLog = (message: string, fields: Record<string, unknown>) => void;

export interface OutboxWorkerDeps {
  db: Database;
  adapters: AdapterLookup;
  clock?: () => Date;
  /** In [0, 1); the backoff's jitter. Default Math.random. */
  random?: () => number;
  options?: Partial<OutboxWorkerOptions>;
  /** Called once per row that failed for good (status "failed", `lastError` set), so staff can be told. */
  onPermanentFailure?: (row: OutboxRow) => Promise<void> | void;
  /** Default: one line on stderr. Only what needs attention is logged (retries, failures, errors). */
  log?: OutboxLog;
  /**
   * Channels whose rows this worker leaves alone for now: on an instance that is not the leader,
   * the channels only the leader runs (their connection, and so their sending, lives there).
   */
  excludeChannels?: () => readonly string[];
  /**
   * Why a channel has no adapter here, when it is not simply unconfigured (a channel that failed to
   * start: its token refused): the row's lastError and the log line say that instead.
   */
  whyUnavailable?: (channel: string) => string | undefined;
  /** Keeps the channels' sending limits (ChannelLimits.pacing); tests pass one with a fake clock. */
  pacer?: Pacer;
}

export interface OutboxWorker {
  /** Starts polling (the first poll runs at once). Calling it twice does nothing. */
  start(): void;
  /** Stops polling and resolves once every send in flight has finished and been recorded. */
  stop(): Promise<void>;
  /** Claims and processes one batch of due rows; resolves with how many rows it claimed. */
  runOnce(): Promise<number>;
  /** Look now: the pipeline calls this after committing new outbox rows. */
  notify(): void;
}
