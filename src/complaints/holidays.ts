import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { KanalError } from "../core/index.js";

/**
 * Indonesia's national holidays (hari libur nasional) and collective leave (cuti bersama), one file
 * a year in templates/holidays/id-<year>.json, as the yearly joint decree of the Ministers of Religious
 * Affairs, Manpower and Administrative Reform (SKB 3 Menteri) sets them. Every SOP preset's office
 * hours skip them unless the preset opts out (sop.ts); a year without a file counts weekends only,
 * and start-up says so (holidayWarnings).
 */

export const HOLIDAY_KINDS = ["libur-nasional", "cuti-bersama"] as const;
export type HolidayKind = (typeof HOLIDAY_KINDS)[number];

/** YYYY-MM-DD of a day that exists (no 2026-02-30). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date such as 2026-12-25")
  .refine((d) => {
    const day = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(d);
  }, "is not a day of the calendar");

/** MM-DD of a day that exists in some year (02-29 included). */
export const monthDay = z
  .string()
  .regex(/^\d{2}-\d{2}$/, "must be a month and day such as 03-30")
  .refine((md) => {
    const day = new Date(`2000-${md}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(`2000-${md}`);
  }, "is not a day of the calendar");

const localized = z.object({ id: z.string().min(1), en: z.string().min(1) }).strict();

const holidayFileSchema = z
  .object({
    country: z.literal("ID"),
    year: z.number().int().min(2000).max(2100),
    title: localized,
    /** The decree the days come from: cite it, so an office can check the list against it. */
    source: z
      .object({
        decree: z.string().min(1),
        number: z.string().min(1),
        date: isoDate,
        related: z.array(z.string()).optional(),
        checked: z.string().optional(),
      })
      .strict(),
    notes: z.array(z.string()).optional(),
    days: z.array(z.object({ date: isoDate, kind: z.enum(HOLIDAY_KINDS), name: localized }).strict()).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.days.forEach((day, i) => {
      if (!day.date.startsWith(`${file.year}-`))
        ctx.addIssue({ code: "custom", path: ["days", i, "date"], message: `${day.date} is not in ${file.year}` });
      if (seen.has(day.date)) ctx.addIssue({ code: "custom", path: ["days", i, "date"], message: `${day.date} is listed twice` });
      seen.add(day.date);
    });
  });

export type HolidayFile = z.output<typeof holidayFileSchema>;

export interface Holiday {
  date: string;
  kind: HolidayKind;
  name: { id: string; en: string };
}

/** The national lists found: the days, and which years have a list at all. */
export interface NationalHolidays {
  days: readonly Holiday[];
  years: ReadonlySet<number>;
  /** Per year, the decree its list comes from ("SKB … Nomor 1497 Tahun 2025, … (2025-09-19)"). */
  sources: ReadonlyMap<number, string>;
}

export const NO_NATIONAL_HOLIDAYS: NationalHolidays = { days: [], years: new Set(), sources: new Map() };

const FILE_NAME = /^id-(\d{4})\.json$/;

/** Parses one year's list; throws one KA_CONFIG line naming the file, the day and the problem. */
export function parseHolidayFile(json: unknown, where: string): HolidayFile {
  const parsed = holidayFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const subject =
    path[0] === "days" && typeof path[1] === "number"
      ? `day #${path[1] + 1}${path[2] ? ` (${path.slice(2).join(".")})` : ""}`
      : path.join(".") || "file";
  throw new KanalError("KA_CONFIG", `holiday list ${where}: ${subject}: ${issue.message}`);
}

/**
 * Reads every templates/holidays/id-<year>.json. No folder is no list (every year then counts
 * weekends only); a file that does not parse stops start-up, like a bad SOP preset.
 */
export function loadNationalHolidays(templatesDir: string): NationalHolidays {
  const dir = join(templatesDir, "holidays");
  if (!existsSync(dir)) return NO_NATIONAL_HOLIDAYS;
  const days: Holiday[] = [];
  const years = new Set<number>();
  const sources = new Map<number, string>();
  for (const name of readdirSync(dir).sort()) {
    const match = FILE_NAME.exec(name);
    if (!match) continue;
    const where = join("templates", "holidays", name);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, name), "utf8"));
    } catch (error) {
      throw new KanalError("KA_CONFIG", `holiday list ${where}: cannot read it: ${(error as Error).message}`);
    }
    const file = parseHolidayFile(json, where);
    if (file.year !== Number(match[1])) {
      throw new KanalError(
        "KA_CONFIG",
        `holiday list ${where}: year is ${file.year} but the file is named for ${match[1]}; make them the same`,
      );
    }
    years.add(file.year);
    sources.set(file.year, `${file.source.decree} ${file.source.number} (${file.source.date})`);
    days.push(...file.days);
  }
  return { days, years, sources };
}

/** The calendar year of an instant in a time zone. */
export function yearIn(timeZone: string, at: Date): number {
  return Number(new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric" }).format(at));
}

/**
 * The years a running office will count in soon whose national list is missing: this year, and
 * from October (the SKB for next year is usually signed in September) next year too, since a step
 * started in December can fall due in January.
 */
export function missingHolidayYears(national: Pick<NationalHolidays, "years">, timeZone: string, now: Date): number[] {
  const year = yearIn(timeZone, now);
  const month = Number(new Intl.DateTimeFormat("en-US", { timeZone, month: "numeric" }).format(now));
  const wanted = month >= 10 ? [year, year + 1] : [year];
  return wanted.filter((y) => !national.years.has(y));
}
