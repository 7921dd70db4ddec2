import { describe, expect, it } from "vitest";
import { parseOutboxPayload, retryDelayMs } from "../../src/outbox/index.js";

const backoff = { baseDelayMs: 1000, maxDelayMs: 60_000 };

describe("retryDelayMs", () => {
  it("grows exponentially with the number of earlier failures (full jitter's ceiling)", () => {
    const ceilings = [0, 1, 2, 3, 4].map((failures) => retryDelayMs(failures, undefined, backoff, () => 1));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000]);
  });

  it("draws the delay uniformly below the ceiling", () => {
    expect(retryDelayMs(3, undefined, backoff, () => 0)).toBe(0);
    expect(retryDelayMs(3, undefined, backoff, () => 0.25)).toBe(2000);
    expect(retryDelayMs(3, undefined, backoff, () => 0.999)).toBe(7992);
  });

  it("is capped at maxDelayMs, even after very many failures", () => {
    expect(retryDelayMs(10, undefined, backoff, () => 1)).toBe(60_000);
    expect(retryDelayMs(5000, undefined, backoff, () => 1)).toBe(60_000);
  });

  it("never comes sooner than the provider's retry-after, even past the cap", () => {
    expect(retryDelayMs(0, 30_000, backoff, () => 1)).toBe(30_000);
    expect(retryDelayMs(0, 3_600_000, backoff, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(0, 1500.2, backoff, () => 0)).toBe(1501);
  });

  it("keeps the backoff when it is longer than the retry-after", () => {
    expect(retryDelayMs(3, 2000, backoff, () => 1)).toBe(8000);
  });

  it("ignores nonsense retry-after values and out-of-range randoms", () => {
    expect(retryDelayMs(0, -5, backoff, () => 0)).toBe(0);
    expect(retryDelayMs(0, Number.NaN, backoff, () => 0)).toBe(0);
    expect(retryDelayMs(0, undefined, backoff, () => 7)).toBe(1000);
  });
});

describe("parseOutboxPayload", () => {
  it("reads an OutboundMessage back", () => {
    expect(parseOutboxPayload(JSON.stringify({ text: "Halo", options: ["1", "2"], ticket: "ADU-2026-00042" }))).toEqual({
      ok: true,
      message: { text: "Halo", options: ["1", "2"], ticket: "ADU-2026-00042" },
    });
    expect(parseOutboxPayload(JSON.stringify({ text: "Halo" }))).toEqual({ ok: true, message: { text: "Halo" } });
  });

  it.each([
    ["not json", /not JSON/],
    ["null", /not an object/],
    [JSON.stringify({ options: ["1"] }), /no text/],
    [JSON.stringify({ text: "x", options: [1] }), /options/],
    [JSON.stringify({ text: "x", ticket: 42 }), /ticket/],
  ])("refuses %s", (payload, reason) => {
    const parsed = parseOutboxPayload(payload);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});
