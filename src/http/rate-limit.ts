import rateLimit, { normalizeIP, type FastifyRateLimitStore, type RateLimitOptions } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Locale } from "../core/index.js";

/**
 * The per-client limits (README "Security"). A client is its address (X-Forwarded-For only from a
 * proxy named in TRUST_PROXY), an IPv6 client its /64. `shared` limits protect what every instance
 * shares (the database's size, the disk, the login secrets): they are counted in the database, so
 * that N instances behind a load balancer still allow one budget, not N. The others are counted in
 * each instance's memory: they sit on the hot path, and N instances allow at most N times the budget.
 */
export const LIMITS = {
  /** New web-chat sessions: each is a conversation row; 100,000 of them once grew the database by 123 MB. */
  sessions: { max: 20, windowMs: 10 * 60_000, shared: true },
  /** Web-chat messages: a person types a few a minute; the page's buttons a few more. */
  messages: { max: 120, windowMs: 60_000, shared: false },
  /** Evidence uploads: up to 10 MB each, onto the office's disk. */
  uploads: { max: 20, windowMs: 10 * 60_000, shared: true },
  /** Every login form (WhatsApp Web's operator page, the staff console): a secret must not be guessable. */
  login: { max: 10, windowMs: 15 * 60_000, shared: true },
  /** The public tracking API: each request may cost a code check and a few queries. */
  track: { max: 30, windowMs: 10 * 60_000, shared: true },
  /** Webhook credential checks that failed (a wrong verify token or secret); the providers never fail them. */
  webhookRefusals: { max: 20, windowMs: 15 * 60_000, shared: false },
} as const;

export type LimitName = keyof typeof LIMITS;

/** A counter every instance shares (the RateLimit table): one fixed window per key. */
export type SharedCounter = (key: string, windowMs: number) => Promise<{ hits: number; resetAtMs: number }>;

export interface RateLimitSettings {
  /** RATE_LIMIT: false turns every per-client limit off. */
  enabled: boolean;
  /** Counts the shared limits in the database; without it they are counted in memory like the others. */
  shared?: SharedCounter;
  /** The polite 429 text in the client's language. */
  text(locale: Locale, retryAfterSeconds: number): string;
  defaultLocale: Locale;
}

/** What a refused request answers: the web page shows `error` and may wait `retryAfterSeconds`. */
export class TooManyRequests extends Error {
  readonly statusCode = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = "TooManyRequests";
  }
}

type StoreResult = { current: number; ttl: number };
type Callback = (error: Error | null, result?: StoreResult) => void;

const MEMORY_KEYS = 50_000;

/** Fixed windows in this process's memory, the oldest keys forgotten past MEMORY_KEYS. */
class MemoryCounter {
  private readonly windows = new Map<string, { hits: number; resetAtMs: number }>();

  count(key: string, windowMs: number, increment: boolean): StoreResult {
    const now = Date.now();
    let entry = this.windows.get(key);
    if (!entry || entry.resetAtMs <= now) {
      if (!increment) return { current: 0, ttl: 0 };
      entry = { hits: 0, resetAtMs: now + windowMs };
    }
    if (increment) {
      entry.hits += 1;
      // Re-inserted at the end: Map keeps insertion order, so the first key is the least recent.
      this.windows.delete(key);
      this.windows.set(key, entry);
      if (this.windows.size > MEMORY_KEYS) this.windows.delete(this.windows.keys().next().value!);
    }
    return { current: entry.hits, ttl: entry.resetAtMs - now };
  }
}

/** The plugin's store: each route's child counts in memory or, for a shared limit, in the database. */
function storeClass(memory: MemoryCounter, shared: SharedCounter | undefined) {
  class Store implements FastifyRateLimitStore {
    constructor(
      _options: unknown,
      private readonly useShared = false,
    ) {}

    incr(key: string, callback: Callback, timeWindow: number): void {
      if (this.useShared && shared) {
        shared(key, timeWindow).then(
          ({ hits, resetAtMs }) => callback(null, { current: hits, ttl: Math.max(0, resetAtMs - Date.now()) }),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
        return;
      }
      callback(null, memory.count(key, timeWindow, true));
    }

    /** Reading without counting (webhooks count only their refusals); never needs the database. */
    read(key: string, callback: Callback, timeWindow: number): void {
      callback(null, memory.count(key, timeWindow, false));
    }

    child(routeOptions: unknown): FastifyRateLimitStore {
      return new Store(routeOptions, (routeOptions as { kanalShared?: unknown }).kanalShared === true);
    }
  }
  return Store;
}

/** The client's language for the 429 text: the first of id/en its Accept-Language names. */
function localeOf(request: FastifyRequest, fallback: Locale): Locale {
  const header = request.headers["accept-language"];
  const tags = (Array.isArray(header) ? header.join(",") : (header ?? "")).toLowerCase().split(",");
  for (const tag of tags) {
    const language = tag.trim().split(/[-;_]/)[0];
    if (language === "en") return "en";
    if (language === "id" || language === "in") return "id";
  }
  return fallback;
}

const clientOf = (request: FastifyRequest) => normalizeIP(request.ip);

/**
 * Registers @fastify/rate-limit (no global limit: each limited route names its limit with
 * limitedBy). Nothing is registered when RATE_LIMIT=off.
 */
export async function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  if (!settings.enabled) return;
  await app.register(rateLimit, {
    global: false,
    store: storeClass(new MemoryCounter(), settings.shared),
    keyGenerator: clientOf,
    // The 429 leaves through the error handler as { error, retryAfterSeconds }, with Retry-After.
    errorResponseBuilder: (request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new TooManyRequests(settings.text(localeOf(request, settings.defaultLocale), seconds), seconds);
    },
    addHeadersOnExceeding: { "x-ratelimit-limit": false, "x-ratelimit-remaining": false, "x-ratelimit-reset": false },
    addHeaders: { "x-ratelimit-limit": false, "x-ratelimit-remaining": false, "x-ratelimit-reset": true, "retry-after": true },
  });
}

/**
 * Route options that put a route under one of the LIMITS — for every login form too (the staff
 * console's sign-in: `app.post("/staff/login", limitedBy(settings, "login"), handler)`). Empty when
 * RATE_LIMIT=off.
 */
export function limitedBy(settings: Pick<RateLimitSettings, "enabled">, name: LimitName): { config?: { rateLimit: RateLimitOptions } } {
  if (!settings.enabled) return {};
  const limit = LIMITS[name];
  const options: RateLimitOptions & { kanalShared: boolean } = {
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: (request) => `${name}:${clientOf(request)}`,
    kanalShared: limit.shared,
  };
  return { config: { rateLimit: options } };
}

/**
 * Counts only refusals (a wrong verify token or secret) per client: a client past the limit is
 * refused before its next check. Requests that pass their check are never counted, so a provider's
 * signed deliveries are never limited.
 */
export function refusalLimiter(app: FastifyInstance, settings: RateLimitSettings) {
  if (!settings.enabled) return { blocked: async () => undefined, refused: async () => undefined };
  const limit = LIMITS.webhookRefusals;
  const check = app.createRateLimit({
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: (request) => `webhookRefusals:${clientOf(request)}`,
  });
  return {
    /** The 429 to answer when this client is past its refusals, else undefined. */
    async blocked(request: FastifyRequest): Promise<TooManyRequests | undefined> {
      const state = await check(request, { increment: false });
      if (state.isAllowed || state.remaining > 0) return undefined;
      const seconds = Math.max(1, state.ttlInSeconds);
      return new TooManyRequests(settings.text(localeOf(request, settings.defaultLocale), seconds), seconds);
    },
    async refused(request: FastifyRequest): Promise<void> {
      await check(request);
    },
  };
}
