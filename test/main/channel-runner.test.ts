/**
 * src/main/channel-runner.ts: every channel starts in the background, bounded in time; /health's
 * details say starting, failed (with the reason, secrets cut out) or the running adapter's own state.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import type { ChannelAdapter, ChannelName } from "../../src/core/index.js";
import { channelRunner } from "../../src/main/channel-runner.js";
import { secretRedactor } from "../../src/main/redact.js";

const TOKEN = "123456:AAH-very-secret-bot-token";

function adapter(name: ChannelName, start: () => Promise<void>, extra: Partial<ChannelAdapter> = {}): ChannelAdapter {
  let started = false;
  return {
    name,
    limits: { maxTextLength: 1000, media: false, buttons: false, delivery: "push", canReachLater: true },
    async start() {
      await start();
      started = true;
    },
    status: () => ({ state: started ? "webhook" : "stopped" }),
    send: async () => ({ ok: true, providerMessageId: "x" }),
    stop: async () => undefined,
    ...extra,
  };
}

const never = () => new Promise<void>(() => undefined);

function runner() {
  const sendable = new Map<ChannelName, ChannelAdapter>();
  const config = loadConfig({ DATABASE_URL: "file:./unused.db", TELEGRAM_BOT_TOKEN: TOKEN }, "/nonexistent/.env");
  const leader = () => adapter("discord", never, { singleton: true });
  const made = channelRunner({
    entries: [
      { first: adapter("messenger", async () => undefined) },
      { first: adapter("instagram", never) },
      {
        first: adapter("whatsapp-cloud", async () => {
          throw new Error(`request to http://127.0.0.1/bot${TOKEN}/getMe failed`);
        }),
      },
      { first: leader(), create: leader },
    ],
    sink: async () => undefined,
    services: {},
    sendable,
    startTimeoutMs: 100,
    log: () => undefined,
    redact: secretRedactor(config),
  });
  return { made, sendable };
}

describe("channel runner", () => {
  it("starts every instance's channels in the background, each bounded by the start timeout", async () => {
    const { made, sendable } = runner();
    expect(made.leaderOnly.map((c) => c.name)).toEqual(["discord"]);
    const starting = made.startEverywhere();
    expect(made.details().instagram).toEqual({ state: "starting" });
    expect(made.excluded(true)).toEqual(expect.arrayContaining(["instagram", "messenger", "whatsapp-cloud", "discord"]));

    const before = Date.now();
    await starting;
    expect(Date.now() - before).toBeLessThan(2000);
    expect(made.details()).toEqual({
      messenger: { state: "webhook" },
      instagram: { state: "failed", reason: "instagram did not start within 0.1 s (timeout)" },
      "whatsapp-cloud": { state: "failed", reason: "request to http://127.0.0.1/bot[redacted]/getMe failed" },
      discord: { state: "standby" },
    });
    expect([...sendable.keys()]).toEqual(["messenger"]);
    // A follower leaves the leader's channel alone; the leader too while it has not started it.
    expect(made.excluded(false)).toEqual(["discord"]);
    expect(made.excluded(true)).toEqual(["discord"]);
    expect(made.whyUnavailable("whatsapp-cloud")).toBe(
      "channel whatsapp-cloud failed to start: request to http://127.0.0.1/bot[redacted]/getMe failed",
    );
    expect(made.whyUnavailable("messenger")).toBeUndefined();
    expect(JSON.stringify(made.details())).not.toContain("very-secret");
    await made.stopEverywhere();
  });

  it("cuts every configured secret out of a text, the longest first", () => {
    const config = loadConfig(
      { DATABASE_URL: "file:./unused.db", TELEGRAM_BOT_TOKEN: TOKEN, DISCORD_BOT_TOKEN: "discord-token-1234" },
      "/nonexistent/.env",
    );
    const redact = secretRedactor(config);
    expect(redact(`a ${TOKEN} b discord-token-1234 c`)).toBe("a [redacted] b [redacted] c");
    expect(redact("nothing secret here")).toBe("nothing secret here");
  });
});
