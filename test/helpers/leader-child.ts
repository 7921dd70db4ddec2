/**
 * A process that campaigns for leadership and prints one JSON line per transition, for the leader
 * election tests (they stop, kill and resume it with signals). Usage:
 *   node --import tsx test/helpers/leader-child.ts <databaseUrl> <leaseMs> <retryMs>
 */
import { createLeaderElection } from "../../src/db/index.js";

const [databaseUrl, leaseMs, retryMs] = process.argv.slice(2);
const say = (event: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(JSON.stringify({ event, pid: process.pid, ...fields }) + "\n");
const election = createLeaderElection({
  databaseUrl: databaseUrl!,
  leaseMs: Number(leaseMs),
  retryMs: Number(retryMs),
  log: (message, fields) => say("log", { message, ...fields }),
  onElected: async () => {
    say("elected");
  },
  onDeposed: async (reason) => {
    say("deposed", { reason });
  },
});
election.start();
say("started");
process.on("SIGTERM", () => {
  void election.stop().then(() => {
    say("stopped");
    process.exit(0);
  });
});
