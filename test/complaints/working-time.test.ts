/**
 * The wall clock behind due dates and tickets' years (src/complaints/working-time.ts) keeps each
 * zone's offset per quarter hour instead of asking the time-zone database every time: it must
 * still say what the database says, across offset changes too.
 */
import { describe, expect, it } from "vitest";
import { addWorkingMinutes, exactWallMs, localYear, wallMs, type OfficeHours } from "../../src/complaints/working-time.js";

function disagreements(timeZone: string, around: string, spanMs: number, stepMs: number): string[] {
  const centre = Date.parse(around);
  const wrong: string[] = [];
  for (let t = centre - spanMs; t <= centre + spanMs; t += stepMs) {
    if (wallMs(timeZone, t) !== exactWallMs(timeZone, t)) wrong.push(new Date(t).toISOString());
  }
  return wrong;
}

const HOUR = 3_600_000;

describe("the wall clock of a time zone", () => {
  it("agrees with the time-zone database across daylight-saving changes, whole and half hours", () => {
    const changes: [string, string][] = [
      ["Asia/Jakarta", "2026-12-31T17:00:00Z"],
      ["Asia/Makassar", "2026-06-01T00:00:00Z"],
      ["Asia/Jayapura", "2026-06-01T00:00:00Z"],
      ["Europe/Berlin", "2026-03-29T01:00:00Z"],
      ["Europe/Berlin", "2026-10-25T01:00:00Z"],
      ["America/St_Johns", "2026-03-08T05:30:00Z"],
      ["Australia/Lord_Howe", "2026-04-04T15:00:00Z"],
      ["Australia/Lord_Howe", "2026-10-03T15:30:00Z"],
    ];
    for (const [zone, at] of changes) expect(disagreements(zone, at, 6 * HOUR, 7 * 60_000 + 13_457), `${zone} ${at}`).toEqual([]);
  });

  it("agrees where an offset changed inside a quarter hour (Jakarta's local mean time, 1924)", () => {
    // Asia/Jakarta went from +07:07:12 to +07:20 at 1923-12-31T16:40:00Z, inside the quarter from 16:30.
    expect(disagreements("Asia/Jakarta", "1923-12-31T16:40:00Z", 20 * 60_000, 37_001)).toEqual([]);
  });

  it("gives the ticket's year in the office's zone: New Year comes seven hours before UTC's in WIB", () => {
    expect(localYear("Asia/Jakarta", new Date("2026-12-31T16:59:59.999Z"))).toBe(2026);
    expect(localYear("Asia/Jakarta", new Date("2026-12-31T17:00:00.000Z"))).toBe(2027);
    expect(localYear("Asia/Jayapura", new Date("2026-12-31T15:00:00.000Z"))).toBe(2027);
  });

  it("counts office hours across a daylight-saving change (Friday 15:30 + 2 h = Monday 09:30, an hour less of UTC)", () => {
    const berlin: OfficeHours = {
      kind: "office",
      timeZone: "Europe/Berlin",
      days: [1, 2, 3, 4, 5],
      startMinute: 480,
      endMinute: 960,
      holidays: new Set(),
    };
    // Friday 27 March 2026 15:30 CET (UTC+1); Monday 30 March is CEST (UTC+2).
    expect(addWorkingMinutes(berlin, new Date("2026-03-27T14:30:00Z"), 120).toISOString()).toBe("2026-03-30T07:30:00.000Z");
  });
});
