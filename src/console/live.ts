import type { FastifyInstance } from "fastify";
import type { Database } from "../db/index.js";

/** What a signed-in page hears: new complaints and citizens' messages on complaints since the last tick. */
export interface LiveUpdate {
  complaints: number;
  messages: number;
  tickets: string[];
}

/**
 * An event is stamped before its transaction commits: one stamped a moment before the newest seen
 * can still appear after it. Each tick looks this far back and skips the ids it told already.
 */
const LATE_COMMIT_MS = 10_000;

/** Events that mean "something new from a citizen": a complaint filed, a follow-up on one. */
const NEWS = ["received", "citizen.followup"];

/**
 * New complaints and citizen messages for the console's open pages, as server-sent events. One
 * ticker per instance reads the audit trail every few seconds while anyone listens (however many
 * pages are open, one query a tick); the database is what every instance shares, so a complaint
 * filed through another instance shows up too.
 */
export class LiveFeed {
  private readonly listeners = new Set<(update: LiveUpdate) => void>();
  private timer: NodeJS.Timeout | undefined;
  private since: Date;
  /** Only what happened after the first page started listening is news. */
  private started: number;
  private ticking = false;
  /** Ids told already, with their stamps, while they are inside the look-back. */
  private readonly told = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly clock: () => Date,
    private readonly everyMs: number,
    private readonly log: (message: string, fields: Record<string, unknown>) => void,
  ) {
    this.since = clock();
    this.started = this.since.getTime();
  }

  subscribe(listener: (update: LiveUpdate) => void): () => void {
    if (this.listeners.size === 0) {
      this.since = this.clock();
      this.started = this.since.getTime();
      this.told.clear();
      this.timer = setInterval(() => void this.tick(), this.everyMs);
      this.timer.unref();
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const rows = await this.db.prisma.complaintEvent.findMany({
        where: { type: { in: NEWS }, createdAt: { gt: new Date(this.since.getTime() - LATE_COMMIT_MS) } },
        orderBy: { createdAt: "asc" },
        take: 500,
        select: { id: true, type: true, createdAt: true, complaint: { select: { ticket: true } } },
      });
      const fresh = rows.filter((r) => !this.told.has(r.id) && r.createdAt.getTime() > this.started);
      for (const r of fresh) this.told.set(r.id, r.createdAt.getTime());
      if (rows.length > 0 && rows[rows.length - 1]!.createdAt > this.since) this.since = rows[rows.length - 1]!.createdAt;
      const horizon = this.since.getTime() - LATE_COMMIT_MS;
      for (const [id, at] of this.told) if (at < horizon) this.told.delete(id);
      if (fresh.length === 0) return;
      const update: LiveUpdate = {
        complaints: fresh.filter((r) => r.type === "received").length,
        messages: fresh.filter((r) => r.type !== "received").length,
        tickets: [...new Set(fresh.map((r) => r.complaint.ticket))],
      };
      for (const listener of this.listeners) listener(update);
    } catch (error) {
      // A failed read is tried again at the next tick; the pages keep their connection.
      this.log("console live feed could not read", { error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.ticking = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }
}

/** GET /staff/events: the feed as text/event-stream, with a comment now and then so proxies keep it open. */
export function liveRoutes(feed: LiveFeed) {
  return async (app: FastifyInstance) => {
    const open = new Set<() => void>();
    // Open streams would hold the server's close forever: they end first.
    app.addHook("preClose", async () => {
      for (const end of open) end();
      feed.stop();
    });

    app.get("/events", { config: { background: true } }, (request, reply) => {
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        // nginx and friends buffer responses by default: an event must leave at once.
        "x-accel-buffering": "no",
        connection: "keep-alive",
      });
      raw.write("retry: 5000\n\n");
      const unsubscribe = feed.subscribe((update) => raw.write(`event: update\ndata: ${JSON.stringify(update)}\n\n`));
      const heartbeat = setInterval(() => raw.write(": keep-alive\n\n"), 25_000);
      heartbeat.unref();
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        if (!raw.writableEnded) raw.end();
      };
      open.add(end);
      request.raw.on("close", end);
    });
  };
}
