import { describe, expect, it } from "vitest";
import { dutyRoster, singletonChannel, type SingletonChannelDeps } from "../../src/cluster/index.js";
import { KanalError, type ChannelAdapter, type ChannelName } from "../../src/core/index.js";

/** An adapter that records its life; `startWith` decides how each start goes. */
function fakeAdapter(serial: number, startWith: (serial: number) => Promise<void>) {
  const life: string[] = [];
  const adapter: ChannelAdapter & { life: string[]; serial: number } = {
    name: "discord",
    limits: { maxTextLength: 2000, media: true, buttons: false, delivery: "push", canReachLater: true },
    singleton: true,
    life,
    serial,
    async start() {
      life.push("start");
      await startWith(serial);
      life.push("started");
    },
    status: () => ({ state: life.at(-1) === "started" ? "running" : "stopped" }),
    async send() {
      return { ok: true, providerMessageId: "x" };
    },
    async stop() {
      life.push("stop");
    },
  };
  return adapter;
}

function harness(
  startWith: (serial: number) => Promise<void> = async () => undefined,
  retryDelaysMs = [20],
  extra: Partial<SingletonChannelDeps<ReturnType<typeof fakeAdapter>>> = {},
) {
  const made: ReturnType<typeof fakeAdapter>[] = [];
  const make = () => {
    const a = fakeAdapter(made.length + 1, startWith);
    made.push(a);
    return a;
  };
  const sendable = new Map<ChannelName, ChannelAdapter>();
  const logs: string[] = [];
  const channel = singletonChannel({
    first: make(),
    create: make,
    sink: async () => undefined,
    sendable,
    log: (m) => logs.push(m),
    retryDelaysMs,
    ...extra,
  });
  return { channel, made, sendable, logs };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a channel only the leader runs", () => {
  it("is standby until elected, sends from this instance while it runs, and gets a new adapter for every term", async () => {
    const h = harness();
    expect(h.channel.state()).toBe("standby");
    expect(h.sendable.size).toBe(0);

    await h.channel.start();
    expect(h.channel.state()).toBe("running");
    expect(h.sendable.get("discord")).toBe(h.made[0]);

    await h.channel.stop();
    expect(h.channel.state()).toBe("standby");
    expect(h.sendable.size).toBe(0);
    expect(h.made[0]!.life).toEqual(["start", "started", "stop"]);

    await h.channel.start();
    expect(h.made).toHaveLength(2);
    expect(h.sendable.get("discord")).toBe(h.made[1]);
    expect(h.channel.current()).toBe(h.made[1]);
  });

  it("tries again after a failed start while it leads, and not after a refused credential", async () => {
    let failures = 2;
    const h = harness(async () => {
      if (failures-- > 0) throw new Error("gateway unreachable");
    });
    await h.channel.start();
    expect(h.channel.state()).toBe("failed");
    expect(h.channel.failure()).toBe("gateway unreachable");
    expect(h.sendable.size).toBe(0);
    for (let i = 0; i < 50 && h.channel.state() !== "running"; i++) await sleep(10);
    expect(h.channel.state()).toBe("running");
    expect(h.made).toHaveLength(3);
    expect(h.made[0]!.life).toEqual(["start", "stop"]);

    const refused = harness(async () => {
      throw new KanalError("KA_CONFIG", "DISCORD_BOT_TOKEN was refused");
    });
    await refused.channel.start();
    await sleep(80);
    expect(refused.made).toHaveLength(1);
    expect(refused.channel.state()).toBe("failed");
    expect(refused.logs).toEqual(["discord: could not start"]);
  });

  it("stops trying when deposed, and a stop during a slow start waits for it and stops the adapter", async () => {
    let release!: () => void;
    const h = harness((serial) => (serial === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()));
    const starting = h.channel.start();
    expect(h.channel.state()).toBe("starting");
    let stopped = false;
    const stopping = h.channel.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false);
    release();
    await Promise.all([starting, stopping]);
    expect(h.made[0]!.life).toEqual(["start", "started", "stop"]);
    expect(h.sendable.size).toBe(0);
    expect(h.channel.state()).toBe("standby");

    let fail = true;
    const retrying = harness(async () => {
      if (fail) throw new Error("down");
    });
    await retrying.channel.start();
    await retrying.channel.stop();
    fail = false;
    await sleep(60);
    expect(retrying.made).toHaveLength(1);
    expect(retrying.channel.state()).toBe("standby");
  });

  it("a start that does not finish in time fails with a timeout, is stopped, and is tried again with a fresh adapter", async () => {
    const releases: (() => void)[] = [];
    // The first adapter's start hangs (an API that never answers); the second starts at once.
    const h = harness((serial) => (serial === 1 ? new Promise<void>((resolve) => releases.push(resolve)) : Promise.resolve()), [30], {
      startTimeoutMs: 50,
    });
    const started = Date.now();
    await h.channel.start();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(h.channel.state()).toBe("failed");
    expect(h.channel.failure()).toBe("discord did not start within 0.05 s (timeout)");
    expect(h.made[0]!.life).toEqual(["start", "stop"]);
    expect(h.sendable.size).toBe(0);
    for (let i = 0; i < 100 && h.channel.state() !== "running"; i++) await sleep(10);
    expect(h.channel.state()).toBe("running");
    expect(h.sendable.get("discord")).toBe(h.made[1]);
    // The hung start finishing late leaves nothing running: that adapter is stopped again.
    releases[0]!();
    await sleep(10);
    expect(h.made[0]!.life).toEqual(["start", "stop", "started", "stop"]);
    await h.channel.stop();
  });

  it("a channel without a way to make a new adapter is not tried again after a failed start", async () => {
    const h = harness(
      async () => {
        throw new Error("refused");
      },
      [10],
      { create: undefined },
    );
    await h.channel.start();
    await sleep(50);
    expect(h.made).toHaveLength(1);
    expect(h.channel.state()).toBe("failed");
    expect(h.channel.failure()).toBe("refused");
    expect(h.logs).toEqual(["discord: could not start"]);
  });

  it("a roster starts and stops every duty even when one throws", async () => {
    const seen: string[] = [];
    const roster = dutyRoster(
      [
        { name: "a", start: async () => void seen.push("a+"), stop: async () => void seen.push("a-") },
        {
          name: "b",
          start: async () => {
            throw new Error("no");
          },
          stop: async () => void seen.push("b-"),
        },
      ],
      (m) => seen.push(m),
    );
    await roster.startAll();
    await roster.stopAll();
    expect(seen).toEqual(["a+", "leader duty b did not start", "a-", "b-"]);
  });
});
