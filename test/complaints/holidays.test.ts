import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  addWorkingMinutes,
  dueAt,
  holidayNotices,
  loadNationalHolidays,
  loadSopPreset,
  parseSopPreset,
  warnAt,
  workingMinutesBetween,
  type SopPreset,
  type SopStep,
} from "../../src/complaints/index.js";
import { repoRoot } from "../../src/db/index.js";

const TEMPLATES = join(repoRoot, "templates");
const PRESETS = ["generic", "denpasar-utara", "palaran", "jenawi", "madiun-inspektorat", "buleleng-disdukcapil"];
const wib = (local: string) => new Date(`${local}+07:00`);
const national = loadNationalHolidays(TEMPLATES);
const genericJson = JSON.parse(readFileSync(join(TEMPLATES, "sop", "generic.json"), "utf8")) as {
  name: string;
  workingTime: Record<string, unknown>;
};

/** The generic preset with its workingTime changed, checked like any preset file. */
function generic(workingTime: Record<string, unknown> = {}): SopPreset {
  const json = structuredClone(genericJson);
  json.workingTime = { ...json.workingTime, ...workingTime };
  return parseSopPreset(json, "templates/sop/generic.json", { timeZone: "Asia/Jakarta", nationalHolidays: national });
}

/** A step of `sop` with another time standard. */
const timed = (sop: SopPreset, unit: SopStep["time"]["unit"], amount: number): SopStep => ({ ...sop.steps[0]!, time: { unit, amount } });

/** The local dates between two instants on which the office is open at all. */
function openDays(sop: SopPreset, from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d = new Date(d.getTime() + 86_400_000)) {
    const day = d.toISOString().slice(0, 10);
    if (workingMinutesBetween(sop.workingTime, wib(`${day}T00:00:00`), wib(`${day}T23:59:00`)) > 0) days.push(day);
  }
  return days;
}

describe("the 2026 national holidays (templates/holidays/id-2026.json)", () => {
  const file = JSON.parse(readFileSync(join(TEMPLATES, "holidays", "id-2026.json"), "utf8")) as {
    source: { decree: string; number: string; date: string };
    days: { date: string; kind: string; name: { id: string; en: string } }[];
  };

  it("cite the SKB 3 Menteri they come from: its number and date", () => {
    expect(file.source.decree).toMatch(/Menteri Agama, Menteri Ketenagakerjaan, dan Menteri Pendayagunaan Aparatur Negara/);
    expect(file.source.number).toBe("Nomor 1497 Tahun 2025, Nomor 2 Tahun 2025, Nomor 5 Tahun 2025");
    expect(file.source.date).toBe("2025-09-19");
    expect(national.sources.get(2026)).toContain("1497 Tahun 2025");
  });

  it("hold the SKB's 17 days of libur nasional and 8 of cuti bersama, each cuti bersama on a weekday", () => {
    expect(national.years).toEqual(new Set([2026]));
    expect(national.days.filter((d) => d.kind === "libur-nasional")).toHaveLength(17);
    const cuti = national.days.filter((d) => d.kind === "cuti-bersama");
    expect(cuti.map((d) => d.date)).toEqual([
      "2026-02-16",
      "2026-03-18",
      "2026-03-20",
      "2026-03-23",
      "2026-03-24",
      "2026-05-15",
      "2026-05-28",
      "2026-12-24",
    ]);
    for (const day of cuti) expect(new Date(`${day.date}T00:00:00Z`).getUTCDay(), day.date).not.toBeOneOf([0, 6]);
    const idulFitri = national.days.filter((d) => d.name.id.startsWith("Idul Fitri 1447"));
    expect(idulFitri.map((d) => d.date)).toEqual(["2026-03-21", "2026-03-22"]);
  });

  it.each(PRESETS)("%s skips them: nobody works from Nyepi's cuti bersama to the end of Idul Fitri's", (name) => {
    const sop = loadSopPreset(TEMPLATES, name);
    expect(sop.holidays).toMatchObject({ national: true, cutiBersama: true, nationalYears: new Set([2026]) });
    const wt = sop.workingTime;
    if (wt.kind !== "office") throw new Error(`${name} has no office hours`);
    // Wednesday 18 March, opening time in the preset's own zone → Wednesday 25 March, opening time.
    const zoneOffset = { "Asia/Jakarta": "+07:00", "Asia/Makassar": "+08:00" }[wt.timeZone as "Asia/Jakarta"];
    const open = `${String(Math.floor(wt.startMinute / 60)).padStart(2, "0")}:${String(wt.startMinute % 60).padStart(2, "0")}:00`;
    expect(addWorkingMinutes(wt, new Date(`2026-03-18T${open}${zoneOffset}`), 0)).toEqual(new Date(`2026-03-25T${open}${zoneOffset}`));
  });
});

describe("a step started the working day before Idul Fitri 1447 H", () => {
  // Nyepi (Thu 19 March) and the cuti bersama around it (Wed 18, Fri 20) and Idul Fitri's (Mon 23,
  // Tue 24) make Tuesday 17 March the last working day before Idul Fitri (Sat 21 – Sun 22 March).
  const sop = generic();
  const start = wib("2026-03-17T10:00:00");

  it("is due after the holidays and cuti bersama: 10 working days end Wednesday 8 April, not Tuesday 31 March", () => {
    expect(openDays(sop, "2026-03-16", "2026-04-10")).toEqual([
      "2026-03-16",
      "2026-03-17",
      "2026-03-25",
      "2026-03-26",
      "2026-03-27",
      "2026-03-30",
      "2026-03-31",
      "2026-04-01",
      "2026-04-02",
      // Friday 3 April: Wafat Yesus Kristus
      "2026-04-06",
      "2026-04-07",
      "2026-04-08",
      "2026-04-09",
      "2026-04-10",
    ]);
    expect(dueAt(timed(sop, "maxDays", 10), start)).toEqual(wib("2026-04-08T10:00:00"));
    expect(dueAt(timed(sop, "days", 2), start)).toEqual(wib("2026-03-26T10:00:00"));
    // 30 office minutes started at 15:45 on the 17th: 15 that day, 15 when the office opens again.
    expect(dueAt(timed(sop, "minutes", 30), wib("2026-03-17T15:45:00"))).toEqual(wib("2026-03-25T08:15:00"));
    // A month-long standard that ends on a holiday moves to the next office moment.
    expect(dueAt(timed(sop, "months", 1), wib("2026-02-18T10:00:00"))).toEqual(wib("2026-03-25T08:00:00"));
  });

  it("is warned at 80 % of its working time, which skips the holidays too", () => {
    const step = timed(sop, "days", 2);
    const due = dueAt(step, start);
    expect(workingMinutesBetween(sop.workingTime, start, due)).toBe(2 * 8 * 60);
    // 12.8 office hours after Tue 10:00: 6 on the 17th, 6.8 from 08:00 on Wed 25 March.
    expect(warnAt(step, start, due, 80)).toEqual(wib("2026-03-25T14:48:00"));
  });

  it("counts the holidays as working days when the preset opts out of the national list", () => {
    const optedOut = generic({ nationalHolidays: false });
    expect(optedOut.holidays.national).toBe(false);
    expect(dueAt(timed(optedOut, "maxDays", 10), start)).toEqual(wib("2026-03-31T10:00:00"));
  });

  it("works on the cuti bersama days, but not on the libur nasional, with cutiBersama: false", () => {
    const noCuti = generic({ cutiBersama: false });
    expect(openDays(noCuti, "2026-03-16", "2026-03-27")).toEqual([
      "2026-03-16",
      "2026-03-17",
      "2026-03-18",
      "2026-03-20",
      "2026-03-23",
      "2026-03-24",
      "2026-03-25",
      "2026-03-26",
      "2026-03-27",
    ]);
    expect(dueAt(timed(noCuti, "maxDays", 10), start)).toEqual(wib("2026-04-01T10:00:00"));
  });
});

describe("regional holidays in the preset", () => {
  it("are skipped on top of the national list: a dated day, a named one, and a day every year", () => {
    const bali = generic({
      holidays: ["2026-06-17", { date: "2026-06-18", name: "Umanis Galungan" }, { every: "03-30", name: "Hari Jadi Kabupaten Uji" }],
    });
    expect(bali.holidays.regional).toBe(3);
    // Tue 16 June is 1 Muharam (national), Wed 17 and Thu 18 the office's own: Mon 15 → Fri 19.
    expect(dueAt(timed(bali, "days", 1), wib("2026-06-15T10:00:00"))).toEqual(wib("2026-06-19T10:00:00"));
    // The anniversary every year: Mon 30 March 2026 and Tue 30 March 2027.
    expect(dueAt(timed(bali, "days", 1), wib("2026-03-27T10:00:00"))).toEqual(wib("2026-03-31T10:00:00"));
    expect(dueAt(timed(bali, "days", 1), wib("2027-03-29T10:00:00"))).toEqual(wib("2027-03-31T10:00:00"));
    // Without them the same steps are due sooner: the regional days are what moved them.
    const plain = generic();
    expect(dueAt(timed(plain, "days", 1), wib("2026-06-15T10:00:00"))).toEqual(wib("2026-06-17T10:00:00"));
    expect(dueAt(timed(plain, "days", 1), wib("2026-03-27T10:00:00"))).toEqual(wib("2026-03-30T10:00:00"));
  });

  it("still apply when the preset opts out of the national list", () => {
    const own = generic({ nationalHolidays: false, holidays: [{ date: "2026-03-18", name: "Libur daerah" }] });
    expect(dueAt(timed(own, "days", 1), wib("2026-03-17T10:00:00"))).toEqual(wib("2026-03-19T10:00:00"));
  });

  it("refuse what is not a day, naming the file and the entry", () => {
    const bad = (holidays: unknown[]) => () => generic({ holidays });
    expect(bad(["2026-02-30"])).toThrow("SOP preset templates/sop/generic.json: workingTime.holidays.0: is not a day of the calendar");
    expect(bad(["17-06-2026"])).toThrow(/workingTime\.holidays\.0: must be a date such as 2026-12-25/);
    expect(bad([{ date: "2026-06-17" }])).toThrow(/workingTime\.holidays\.0: must be a date such as "2026-06-17", \{ "date"/);
    expect(bad([{ every: "02-30", name: "x" }])).toThrow(/workingTime\.holidays\.0\.every: is not a day of the calendar/);
    expect(() => generic({ nationalHolidays: "ya" })).toThrow(/workingTime\.nationalHolidays/);
  });
});

describe("a year with no national list", () => {
  const sop = loadSopPreset(TEMPLATES, "generic");

  it("counts weekends only: New Year's Day 2027 is a working day until id-2027.json exists", () => {
    expect(national.years.has(2027)).toBe(false);
    expect(dueAt(timed(sop, "days", 1), wib("2026-12-31T10:00:00"))).toEqual(wib("2027-01-01T10:00:00"));
  });

  it("is named at start-up: this year's always, next year's from October", () => {
    const warnings = (at: string) => holidayNotices(sop, wib(at)).filter((n) => n.level === "warn");
    expect(warnings("2026-06-01T09:00:00")).toEqual([]);
    expect(warnings("2026-12-03T09:00:00").map((n) => n.message)).toEqual([
      "the national holiday list for 2027 is missing (templates/holidays/id-2027.json): SOP time standards in 2027 count weekends only. Add the year's list from the SKB 3 Menteri and restart",
    ]);
    expect(warnings("2027-01-04T09:00:00").map((n) => n.fields.year)).toEqual([2027]);
    expect(warnings("2028-11-01T09:00:00").map((n) => n.fields.year)).toEqual([2028, 2029]);
    const [info] = holidayNotices(sop, wib("2026-06-01T09:00:00"));
    expect(info!.message).toBe(
      "SOP preset templates/sop/generic.json: office hours skip the national holidays and cuti bersama of 2026 and 0 day(s) of its own",
    );
  });

  it("is not a warning for a preset that opted out, or runs around the clock", () => {
    expect(holidayNotices(generic({ nationalHolidays: false }), wib("2027-01-04T09:00:00")).filter((n) => n.level === "warn")).toEqual([]);
    const calendar = structuredClone(genericJson);
    calendar.workingTime = { kind: "calendar" };
    expect(holidayNotices(parseSopPreset(calendar, "x", { nationalHolidays: national }), wib("2027-01-04T09:00:00"))).toEqual([]);
  });
});

describe("a holiday list that is wrong stops loading with one line naming the file and the day", () => {
  const original = readFileSync(join(TEMPLATES, "holidays", "id-2026.json"), "utf8");
  function withList(name: string, edit: (file: { year: number; days: Record<string, unknown>[] }) => void): () => unknown {
    const dir = mkdtempSync(join(tmpdir(), "ka-holidays-"));
    mkdirSync(join(dir, "holidays"));
    cpSync(join(TEMPLATES, "sop"), join(dir, "sop"), { recursive: true });
    const file = JSON.parse(original) as { year: number; days: Record<string, unknown>[] };
    edit(file);
    writeFileSync(join(dir, "holidays", name), JSON.stringify(file));
    return () => loadSopPreset(dir, "generic");
  }

  it("a day outside its year, twice, of an unknown kind, or not a day", () => {
    expect(withList("id-2026.json", (f) => (f.days[0]!.date = "2027-01-01"))).toThrow(
      "holiday list templates/holidays/id-2026.json: day #1 (date): 2027-01-01 is not in 2026",
    );
    expect(withList("id-2026.json", (f) => (f.days[1]!.date = f.days[0]!.date))).toThrow(/day #2 \(date\): 2026-01-01 is listed twice/);
    expect(withList("id-2026.json", (f) => (f.days[2]!.kind = "libur-daerah"))).toThrow(/day #3 \(kind\): Invalid option/);
    expect(withList("id-2026.json", (f) => (f.days[3]!.date = "2026-02-29"))).toThrow(/day #4 \(date\): is not a day of the calendar/);
  });

  it("a file named for another year", () => {
    expect(withList("id-2027.json", () => undefined)).toThrow(
      "holiday list templates/holidays/id-2027.json: year is 2026 but the file is named for 2027; make them the same",
    );
  });

  it("no holidays folder at all is no list, not an error", () => {
    const dir = mkdtempSync(join(tmpdir(), "ka-holidays-"));
    cpSync(join(TEMPLATES, "sop"), join(dir, "sop"), { recursive: true });
    const sop = loadSopPreset(dir, "generic");
    expect(sop.holidays.nationalYears.size).toBe(0);
    expect(dueAt(timed(sop, "days", 1), wib("2026-03-17T10:00:00"))).toEqual(wib("2026-03-18T10:00:00"));
  });
});
