/**
 * The batch's timestamp formatter (src/db/timestamp.ts) writes exactly what toISOString writes —
 * the database reads these texts back as dates, so one digit off is a wrong deadline.
 */
import { describe, expect, it } from "vitest";
import { isoTimestamp } from "../../src/db/timestamp.js";

const sameAsV8 = (date: Date) => {
  expect(isoTimestamp(date)).toBe(date.toISOString());
  expect(isoTimestamp(date, "+00:00")).toBe(date.toISOString().replace("Z", "+00:00"));
};

describe("isoTimestamp", () => {
  it("writes each edge of a day, a leap day and the years around 1970 as toISOString does", () => {
    for (const text of [
      "2026-12-06T00:00:00.000Z",
      "2026-12-06T23:59:59.999Z",
      "2026-12-31T23:59:59.999Z",
      "2027-01-01T00:00:00.000Z",
      "2028-02-29T12:34:56.789Z",
      "1970-01-01T00:00:00.000Z",
      "1969-12-31T23:59:59.999Z",
      "1900-03-01T07:08:09.010Z",
      "0000-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z",
    ])
      sameAsV8(new Date(text));
  });

  it("agrees with toISOString on 200 000 instants between 1950 and 2100 (more days than its cache holds)", () => {
    let seed = 17;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const from = Date.UTC(1950, 0, 1);
    const to = Date.UTC(2100, 0, 1);
    for (let i = 0; i < 200_000; i++) {
      const date = new Date(Math.floor(from + next() * (to - from)));
      if (isoTimestamp(date) !== date.toISOString()) expect(isoTimestamp(date)).toBe(date.toISOString());
    }
    // And every millisecond of one second, every second of one day's last minute.
    const base = Date.UTC(2026, 11, 6, 23, 59, 0, 0);
    for (let ms = 0; ms < 60_000; ms++) {
      const date = new Date(base + ms);
      if (isoTimestamp(date) !== date.toISOString()) expect(isoTimestamp(date)).toBe(date.toISOString());
    }
  });

  it("writes years outside 0–9999 as toISOString does (signed, six digits)", () => {
    sameAsV8(new Date("+010000-01-01T00:00:00.000Z"));
    sameAsV8(new Date("-000001-06-15T10:00:00.000Z"));
  });

  it("refuses an invalid date as toISOString does", () => {
    expect(() => isoTimestamp(new Date(NaN))).toThrow(RangeError);
  });
});
