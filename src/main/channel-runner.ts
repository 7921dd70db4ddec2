import { singletonChannel, type SingletonChannel } from "../cluster/index.js";
import type { ChannelAdapter, ChannelName, ChannelServices, ChannelStatus, InboundSink, Log } from "../core/index.js";
import type { ChannelEntry } from "./channels.js";

/**
 * Every configured channel, started in the background with a time limit so that no channel's
 * start holds the HTTP server or the other channels: the leader's channels (one connection per
 * office) as leader duties, the others at once on every instance.
 */
export interface ChannelRunner {
  /** The leader's channels: the election starts and stops them. */
  readonly leaderOnly: readonly SingletonChannel[];
  /** Starts the channels every instance runs; resolves when each first start is over (either way). */
  startEverywhere(): Promise<void>;
  stopEverywhere(): Promise<void>;
  /** For /health and /metrics: `starting`, `failed` with the reason, `standby`, or the running channel's own state. */
  details(): Record<string, ChannelStatus>;
  /** Channels whose outbox rows wait: another instance's, or still starting here. */
  excluded(isLeader: boolean): string[];
  /** Why a configured channel cannot send here (it failed to start). */
  whyUnavailable(channel: string): string | undefined;
}

export function channelRunner(options: {
  entries: readonly ChannelEntry[];
  sink: InboundSink;
  services: ChannelServices;
  sendable: Map<ChannelName, ChannelAdapter>;
  startTimeoutMs: number;
  log: Log;
  /** Cuts secrets out of a failure's reason before /health or the outbox shows it. */
  redact?: (text: string) => string;
}): ChannelRunner {
  const redact = options.redact ?? ((text: string) => text);
  const managed = options.entries.map((entry) => ({
    leaderOnly: entry.first.singleton === true && entry.create !== undefined,
    channel: singletonChannel({
      first: entry.first,
      create: entry.create,
      sink: options.sink,
      services: options.services,
      sendable: options.sendable,
      startTimeoutMs: options.startTimeoutMs,
      log: options.log,
    }),
  }));
  const everywhere = managed.filter((m) => !m.leaderOnly).map((m) => m.channel);

  const detail = (channel: SingletonChannel): ChannelStatus => {
    const state = channel.state();
    if (state === "running") {
      const status = channel.current().status();
      return status.reason ? { ...status, reason: redact(status.reason) } : status;
    }
    if (state === "failed") return { state, reason: redact(channel.failure() ?? "unknown error") };
    return { state };
  };

  return {
    leaderOnly: managed.filter((m) => m.leaderOnly).map((m) => m.channel),
    startEverywhere: () => Promise.all(everywhere.map((channel) => channel.start())).then(() => undefined),
    stopEverywhere: () => Promise.all(everywhere.map((channel) => channel.stop().catch(() => undefined))).then(() => undefined),
    details: () => Object.fromEntries(managed.map((m) => [m.channel.name, detail(m.channel)])),
    excluded: (isLeader) =>
      managed
        .filter(({ leaderOnly, channel }) => (leaderOnly && !isLeader) || channel.state() === "standby" || channel.state() === "starting")
        .map((m) => m.channel.name),
    whyUnavailable(name) {
      const failed = managed.find((m) => m.channel.name === name && m.channel.state() === "failed");
      return failed ? `channel ${name} failed to start: ${redact(failed.channel.failure() ?? "unknown error")}` : undefined;
    },
  };
}
