import { wallMs } from "../complaints/index.js";
import type { Locale } from "../core/index.js";

/** A calendar month in the office's time zone: [start, end) as instants. */
export interface MonthRange {
  /** "2026-11" */
  month: string;
  year: number;
  /** 1–12 */
  monthNumber: number;
  start: Date;
  end: Date;
  timeZone: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

/**
 * The month's boundaries at local midnight in `timeZone`: November 2026 in Asia/Jakarta (WIB,
 * UTC+7) runs from 2026-10-31T17:00Z to 2026-11-30T17:00Z, so a complaint at 2026-11-30T18:00Z
 * belongs to December.
 */
export function monthRange(month: string, timeZone: string): MonthRange {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`month must be YYYY-MM, got "${month}"`);
  const year = Number(m[1]);
  const monthNumber = Number(m[2]);
  const next = monthNumber === 12 ? { y: year + 1, m: 1 } : { y: year, m: monthNumber + 1 };
  return {
    month,
    year,
    monthNumber,
    start: localMidnight(year, monthNumber, 1, timeZone),
    end: localMidnight(next.y, next.m, 1, timeZone),
    timeZone,
  };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `date`, in milliseconds. */
export function zoneOffsetMs(date: Date, timeZone: string): number {
  return wallMs(timeZone, date.getTime()) - date.getTime();
}

function localMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  // Two passes: the offset at the guess may differ from the offset at the answer (DST zones).
  let t = guess - zoneOffsetMs(new Date(guess), timeZone);
  t = guess - zoneOffsetMs(new Date(t), timeZone);
  return new Date(t);
}

/**
 * A Date whose UTC fields are the office's wall clock. Excel cells have no time zone: exceljs turns
 * a Date into a serial from its UTC value, so this is what makes Excel show the office's time.
 */
export function wallClockDate(date: Date, timeZone: string): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000 + zoneOffsetMs(date, timeZone));
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "30/11/2026 08:15" in the office's time zone: the same text the logbook's Excel cells show. */
export function formatStamp(date: Date, timeZone: string): string {
  const wall = new Date(wallMs(timeZone, date.getTime()));
  return `${pad(wall.getUTCDate())}/${pad(wall.getUTCMonth() + 1)}/${wall.getUTCFullYear()} ${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`;
}

/** "5 Desember 2026" (id) or "5 December 2026" (en), as letters are dated. */
export function formatLongDate(date: Date, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale === "id" ? "id-ID" : "en-GB", { day: "numeric", month: "long", year: "numeric", timeZone }).format(
    date,
  );
}

/** "5 Desember 2026 10.30 WIB" */
export function formatLongDateTime(date: Date, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale === "id" ? "id-ID" : "en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(date);
}

/** "November 2026" / "Desember 2026" */
export function monthTitle(range: Pick<MonthRange, "year" | "monthNumber">, locale: Locale): string {
  // Noon UTC on the 15th is inside the month in every time zone.
  const mid = new Date(Date.UTC(range.year, range.monthNumber - 1, 15, 12));
  return new Intl.DateTimeFormat(locale === "id" ? "id-ID" : "en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(mid);
}

/** "1 j 5 mnt" style durations; the unit words come from the report texts. */
export function formatDuration(ms: number, units: { day: string; hour: string; minute: string }): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = [
    d > 0 ? `${d} ${units.day}` : "",
    h > 0 ? `${h} ${units.hour}` : "",
    m > 0 || (d === 0 && h === 0) ? `${m} ${units.minute}` : "",
  ];
  return parts.filter(Boolean).join(" ");
}
