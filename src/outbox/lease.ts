import { describeError, type Log } from "../core/index.js";
import type { OutboxStore } from "./store.js";

export interface HeldLease {
  /** The claim's current token, or undefined once another worker has taken the row. */
  token(): Date | undefined;
  /** Stops renewing; resolves after a renewal in progress has finished, so token() is final. */
  release(): Promise<void>;
}

/**
 * Renews a claim every third of the lease while a send is in flight, so a slow provider does not
 * let another worker take the row over and send it a second time; only a worker that stopped
 * (killed, frozen, cut off from the database) loses its rows.
 */
export function holdLease(
  store: OutboxStore,
  id: string,
  token: Date,
  options: { leaseMs: number; clock: () => Date; log: Log },
): HeldLease {
  let current: Date | undefined = token;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    if (!current) return;
    try {
      current = await store.renew(id, current, options.clock(), options.leaseMs);
      if (!current) options.log("outbox claim lost during a send (lease expired)", { id });
    } catch (error) {
      // The claim may still be valid: keep the token and try again at the next tick.
      options.log("outbox lease renewal failed", { id, error: describeError(error) });
    }
  };
  const timer = setInterval(
    () => {
      renewing = renewing.then(renew);
    },
    Math.max(10, Math.floor(options.leaseMs / 3)),
  );
  timer.unref();
  return {
    token: () => current,
    async release() {
      clearInterval(timer);
      await renewing;
    },
  };
}
