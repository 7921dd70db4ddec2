import { describeError } from "../core/index.js";
import type { Duty } from "./duties.js";

type Log = (message: string, fields?: Record<string, unknown>) => void;

/**
 * A leader duty that runs `round` at once when this instance is elected, then every `everyMs`
 * (never two rounds at a time); stop() waits for a round in progress. A failed round is logged and
 * the next one tries again.
 */
export function periodicDuty(name: string, everyMs: number, round: () => Promise<void>, log: Log): Duty {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = round()
      .catch((error: unknown) => log(`${name}: round failed; trying again later`, { error: describeError(error) }))
      .finally(() => (running = undefined));
  };
  return {
    name,
    async start() {
      clearInterval(timer);
      timer = setInterval(tick, everyMs);
      timer.unref();
      tick();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
