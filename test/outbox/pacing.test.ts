import { describe, expect, it } from "vitest";
import { Pacer } from "../../src/outbox/index.js";

/** A pacer on a fake clock: sleeping advances time, so the waits it asks for can be read off. */
function pacedClock() {
  let now = 1_000_000;
  const slept: number[] = [];
  const pacer = new Pacer(
    () => now,
    async (ms) => {
      slept.push(ms);
      now += ms;
    },
  );
  return { pacer, slept, now: () => now, advance: (ms: number) => (now += ms) };
}

const TELEGRAM = { perChatMs: 1000, groupPerMinute: 20, globalPerSecond: 30 };

describe("Pacer (Telegram's limits)", () => {
  it("spaces messages to one chat by a second, and lets other chats through at once", async () => {
    const c = pacedClock();
    await c.pacer.wait("telegram", "42", TELEGRAM);
    await c.pacer.wait("telegram", "43", TELEGRAM);
    expect(c.slept).toEqual([]);
    await c.pacer.wait("telegram", "42", TELEGRAM);
    expect(c.slept).toEqual([1000]);
  });

  it("sends at most 20 messages a minute into a group", async () => {
    const c = pacedClock();
    const start = c.now();
    for (let i = 0; i < 21; i++) await c.pacer.wait("telegram", "-100123", TELEGRAM);
    // 20 go at one per second; the 21st waits for the first to leave the minute window.
    expect(c.now() - start).toBe(60_000);
  });

  it("keeps 30 messages per second overall", async () => {
    const c = pacedClock();
    const start = c.now();
    for (let i = 0; i < 31; i++) await c.pacer.wait("telegram", `chat-${i}`, TELEGRAM);
    expect(c.now() - start).toBe(1000);
  });

  it("does nothing for a channel without limits", async () => {
    const c = pacedClock();
    for (let i = 0; i < 50; i++) await c.pacer.wait("webchat", "x", undefined);
    expect(c.slept).toEqual([]);
  });
});
