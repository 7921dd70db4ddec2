/**
 * Working time: when a step's time standard runs. Pure functions of (working time, instant) — no
 * clock — so due dates are the same in tests, in the scheduler and after a restart.
 *
 * - "calendar": the clock runs day and night, every day (minutes/hours add elapsed time; days and
 *   months are calendar days and months in the office's time zone).
 * - "office": the clock runs only inside office hours (e.g. Mon–Fri 08:00–16:00 in the office's
 *   time zone, minus listed holidays). Minutes and hours count working minutes; a day is one
 *   working day's hours; months are calendar months, then moved to the next working moment.
 *   A step started outside office hours starts counting when the office opens.
 */

export interface CalendarTime {
  kind: "calendar";
  /** IANA zone (Asia/Jakarta = WIB, Asia/Makassar = WITA, Asia/Jayapura = WIT). */
  timeZone: string;
}

export interface OfficeHours {
  kind: "office";
  timeZone: string;
  /** ISO weekdays the office works: 1 = Monday … 7 = Sunday. */
  days: readonly number[];
  /** Opening and closing time, minutes after local midnight. */
  startMinute: number;
  endMinute: number;
  /**
   * Local dates (YYYY-MM-DD) the office is closed although it is a working weekday: the national
   * holidays and cuti bersama (templates/holidays/) and the preset's own regional days.
   */
  holidays: ReadonlySet<string>;
  /** Month and day (MM-DD) closed every year, e.g. a kabupaten's anniversary (hari jadi). */
  annualHolidays?: ReadonlySet<string>;
}

export type WorkingTime = CalendarTime | OfficeHours;

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local wall clock of an instant, as if it were UTC, as the time-zone database says (slow: ≈ 10 µs). */
export function exactWallMs(timeZone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const ms = instant - Math.floor(instant / 1000) * 1000;
  return Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second) + ms;
}

/**
 * A zone's offset (wall clock − instant) in each quarter hour of UTC asked about: the same at both
 * ends of the quarter means the same all through it (offsets change at most once in a quarter hour,
 * and at quarter hours), a change inside it (null) means asking the database each time. Every step
 * that confirms a complaint works out its due date and its ticket's year, three or four wall clocks.
 */
const QUARTER_HOUR = 15 * MINUTE;
const OFFSETS_KEPT = 4096;
const offsets = new Map<string, Map<number, number | null>>();

/** The local wall clock of an instant, as if it were UTC (so Date.UTC arithmetic applies): due dates, tickets' years, reports' times. */
export function wallMs(timeZone: string, instant: number): number {
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map<number, number | null>()));
  const quarter = Math.floor(instant / QUARTER_HOUR);
  let offset = zone.get(quarter);
  if (offset === undefined) {
    const start = quarter * QUARTER_HOUR;
    const end = start + QUARTER_HOUR - 1;
    const atStart = exactWallMs(timeZone, start) - start;
    offset = exactWallMs(timeZone, end) - end === atStart ? atStart : null;
    if (zone.size >= OFFSETS_KEPT) zone.clear();
    zone.set(quarter, offset);
  }
  return offset === null ? exactWallMs(timeZone, instant) : instant + offset;
}

/** The calendar year of an instant in a time zone (a ticket's year). */
export function localYear(timeZone: string, instant: Date): number {
  return new Date(wallMs(timeZone, instant.getTime())).getUTCFullYear();
}

/** The instant whose local wall clock is `wall` (two passes: the offset may differ across a change). */
function fromWall(timeZone: string, wall: number): number {
  const first = wall - (wallMs(timeZone, wall) - wall);
  return wall - (wallMs(timeZone, first) - first);
}

function localDate(wall: number): string {
  return new Date(wall).toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday) of a local wall time. */
function weekday(wall: number): number {
  return ((new Date(wall).getUTCDay() + 6) % 7) + 1;
}

function isWorkingDay(wt: OfficeHours, wallDayStart: number): boolean {
  if (!wt.days.includes(weekday(wallDayStart))) return false;
  const date = localDate(wallDayStart);
  return !wt.holidays.has(date) && !wt.annualHolidays?.has(date.slice(5));
}

/** Minutes in one working day (a "day" of a time standard under office hours). */
export function workingDayMinutes(wt: WorkingTime): number {
  return wt.kind === "office" ? wt.endMinute - wt.startMinute : 1440;
}

/**
 * The instant `minutes` of working time after `from`. With 0 minutes: `from` itself if the office
 * is open then, else the moment it next opens.
 */
export function addWorkingMinutes(wt: WorkingTime, from: Date, minutes: number): Date {
  if (wt.kind === "calendar") return new Date(from.getTime() + minutes * MINUTE);
  let remaining = Math.max(0, minutes) * MINUTE;
  let wall = wallMs(wt.timeZone, from.getTime());
  // A year of closed days would mean a misconfigured calendar; stop rather than loop for ever.
  for (let guard = 0; guard < 3700; guard++) {
    const dayStart = Math.floor(wall / DAY) * DAY;
    const open = dayStart + wt.startMinute * MINUTE;
    const close = dayStart + wt.endMinute * MINUTE;
    if (isWorkingDay(wt, dayStart) && wall < close) {
      const begin = Math.max(wall, open);
      if (remaining <= close - begin) return new Date(fromWall(wt.timeZone, begin + remaining));
      remaining -= close - begin;
    }
    wall = dayStart + DAY;
  }
  throw new Error(`working time in ${wt.timeZone} has no open hours within ten years: check workingTime.days and holidays`);
}

/** Working minutes between two instants (0 if `to` is not after `from`). */
export function workingMinutesBetween(wt: WorkingTime, from: Date, to: Date): number {
  if (to.getTime() <= from.getTime()) return 0;
  if (wt.kind === "calendar") return (to.getTime() - from.getTime()) / MINUTE;
  const end = wallMs(wt.timeZone, to.getTime());
  let wall = wallMs(wt.timeZone, from.getTime());
  let total = 0;
  while (wall < end) {
    const dayStart = Math.floor(wall / DAY) * DAY;
    if (isWorkingDay(wt, dayStart)) {
      const begin = Math.max(wall, dayStart + wt.startMinute * MINUTE);
      const finish = Math.min(end, dayStart + wt.endMinute * MINUTE);
      if (finish > begin) total += finish - begin;
    }
    wall = dayStart + DAY;
  }
  return total / MINUTE;
}

/** The same local time `days` calendar days later (no daylight saving in Indonesia, but be exact anyway). */
export function addCalendarDays(wt: WorkingTime, from: Date, days: number): Date {
  const wall = wallMs(wt.timeZone, from.getTime());
  return new Date(fromWall(wt.timeZone, wall + days * DAY));
}

/** The same local day and time `months` later; the 31st becomes the month's last day. */
export function addCalendarMonths(wt: WorkingTime, from: Date, months: number): Date {
  const wall = new Date(wallMs(wt.timeZone, from.getTime()));
  const y = wall.getUTCFullYear();
  const m = wall.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const target = Date.UTC(
    y,
    m,
    Math.min(wall.getUTCDate(), lastDay),
    wall.getUTCHours(),
    wall.getUTCMinutes(),
    wall.getUTCSeconds(),
    wall.getUTCMilliseconds(),
  );
  return new Date(fromWall(wt.timeZone, target));
}
