import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  addWorkingMinutes,
  dueAt,
  firstStep,
  headRole,
  loadSopPreset,
  presetRolesOf,
  stepById,
  warnAt,
  workingMinutesBetween,
  type SopPreset,
} from "../../src/complaints/index.js";
import { repoRoot } from "../../src/db/index.js";

const TEMPLATES = join(repoRoot, "templates");
const PRESETS = ["generic", "denpasar-utara", "palaran", "jenawi", "madiun-inspektorat", "buleleng-disdukcapil"];
const load = (name: string) => loadSopPreset(TEMPLATES, name);
const wib = (local: string) => new Date(`${local}+07:00`);
const wita = (local: string) => new Date(`${local}+08:00`);

describe("the SOP presets", () => {
  it.each(PRESETS)("%s loads, with one head role and steps that all lead somewhere", (name) => {
    const sop = load(name);
    expect(sop.name).toBe(name);
    expect(headRole(sop).head).toBe(true);
    expect(sop.steps.at(-1)!.archive).toBe(true);
    for (const step of sop.steps) {
      expect(step.output.id.length, step.id).toBeGreaterThan(0);
      const targets = [step.next, ...step.branches.map((b) => b.to), step.decision?.approve, step.decision?.reject].filter(
        Boolean,
      ) as string[];
      for (const to of targets) expect(stepById(sop, to), `${step.id} → ${to}`).toBeDefined();
    }
    expect(sop.steps.some((s) => s.answer)).toBe(true);
  });

  it("take the seeds' roles, steps and time standards", () => {
    const denpasar = load("denpasar-utara");
    expect(denpasar.steps).toHaveLength(9);
    expect(denpasar.steps.map((s) => s.time.amount)).toEqual([5, 5, 15, 15, 60, 15, 5, 5, 5]);
    expect(headRole(denpasar).id).toBe("camat");
    expect(stepById(denpasar, "putusan")!.decision).toEqual({ approve: "sampaikan", reject: "sampaikan" });
    expect(denpasar.steps.at(-1)).toMatchObject({ id: "arsip-teruskan", archive: true, forward: true });
    expect(denpasar.roles.find((r) => r.external)!.label.id).toBe("Walikota/Dinas/Instansi terkait");

    const palaran = load("palaran");
    expect(palaran.steps.map((s) => [s.role, s.time.unit, s.time.amount])).toEqual([
      ["staf", "minutes", 30],
      ["sekretaris", "minutes", 10],
      ["camat", "maxDays", 10],
      ["sekretaris", "hours", 1],
      ["staf", "minutes", 30],
    ]);
    const madiun = load("madiun-inspektorat");
    expect(headRole(madiun).id).toBe("inspektur");
    expect(madiun.steps.map((s) => s.role)).toEqual(["jfu", "sekretaris", "inspektur", "sekretaris", "jfu"]);

    const jenawi = load("jenawi");
    expect(firstStep(jenawi).id).toBe("input"); // step 1 is the reporter's own, done by the intake
    expect(stepById(jenawi, "klasifikasi")!.branches.map((b) => [b.id, b.to])).toEqual([
      ["informasi", "jawab"],
      ["aduan", "tanggapan"],
    ]);
    expect(stepById(jenawi, "tanggapan")!.time).toEqual({ unit: "days", amount: 2 });

    const buleleng = load("buleleng-disdukcapil");
    expect(buleleng.steps).toHaveLength(8);
    expect(stepById(buleleng, "rekap-bulanan")!.time).toEqual({ unit: "months", amount: 1 });
    expect(stepById(buleleng, "periksa")!.decision).toEqual({ approve: "tindak-lanjut", reject: "solusi" });
    expect(headRole(buleleng).id).toBe("kepala-dinas");
  });

  it("say their working time: office hours, in the office's zone (generic: OFFICE_TIMEZONE)", () => {
    expect(load("denpasar-utara").workingTime).toMatchObject({
      kind: "office",
      timeZone: "Asia/Makassar",
      days: [1, 2, 3, 4, 5],
      startMinute: 480,
      endMinute: 960,
    });
    expect(load("jenawi").workingTime).toMatchObject({ kind: "office", timeZone: "Asia/Jakarta" });
    expect(loadSopPreset(TEMPLATES, "generic", { timeZone: "Asia/Jayapura" }).workingTime.timeZone).toBe("Asia/Jayapura");
    expect(load("generic").workingTime.timeZone).toBe("Asia/Jakarta");
  });

  it("map staff roles to preset roles; STAFF_TELEGRAM_IDS staff ('staf') to the receiving role", () => {
    const palaran = load("palaran");
    expect([...presetRolesOf(palaran, "pimpinan")]).toEqual(["camat"]);
    expect([...presetRolesOf(palaran, "sekretaris")]).toEqual(["sekretaris"]);
    expect([...presetRolesOf(palaran, "kasi")]).toEqual(["kasubbag-kasi"]);
    const madiun = load("madiun-inspektorat");
    expect([...presetRolesOf(madiun, "staf")]).toEqual(["jfu"]);
    expect([...presetRolesOf(load("denpasar-utara"), "staf")]).toEqual(["unit-pengaduan"]);
    expect([...presetRolesOf(load("generic"), "admin")]).toEqual([]);
  });
});

describe("due dates", () => {
  const generic = load("generic");
  const officeStep = (unit: string, amount: number, preset: SopPreset = generic) => ({
    ...preset.steps[0]!,
    time: { unit: unit as "hours", amount },
  });

  it("a step started Friday 15:30 with 2 hours is due Monday 09:30 WIB under working hours", () => {
    expect(dueAt(officeStep("hours", 2), wib("2026-11-27T15:30:00"))).toEqual(wib("2026-11-30T09:30:00"));
  });

  it("count office minutes from the opening when a step starts outside office hours", () => {
    expect(dueAt(officeStep("minutes", 30), wib("2026-11-28T10:00:00"))).toEqual(wib("2026-11-30T08:30:00")); // Saturday
    expect(dueAt(officeStep("minutes", 30), wib("2026-11-24T06:00:00"))).toEqual(wib("2026-11-24T08:30:00"));
    expect(dueAt(officeStep("minutes", 30), wib("2026-11-24T17:00:00"))).toEqual(wib("2026-11-25T08:30:00"));
    expect(dueAt(officeStep("minutes", 30), wib("2026-11-24T15:30:00"))).toEqual(wib("2026-11-24T16:00:00"));
  });

  it("count days as working days, and 'max 10 days' the same", () => {
    expect(dueAt(officeStep("days", 2), wib("2026-11-26T10:00:00"))).toEqual(wib("2026-11-30T10:00:00")); // Thu → Mon
    expect(dueAt(officeStep("maxDays", 10), wib("2026-11-23T09:00:00"))).toEqual(wib("2026-12-07T09:00:00"));
  });

  it("count months as calendar months, then the next office moment", () => {
    expect(dueAt(officeStep("months", 1), wib("2026-11-27T10:00:00"))).toEqual(wib("2026-12-28T08:00:00")); // Dec 27 is a Sunday
    expect(dueAt(officeStep("months", 1), wib("2027-01-31T10:00:00"))).toEqual(wib("2027-03-01T08:00:00")); // Feb 28 2027 is a Sunday
  });

  it("skip holidays the preset lists, and use the preset's own time zone", () => {
    const holiday = { ...generic.workingTime, holidays: new Set(["2026-11-30"]) } as typeof generic.workingTime;
    expect(dueAt({ ...officeStep("hours", 2), workingTime: holiday }, wib("2026-11-27T15:30:00"))).toEqual(wib("2026-12-01T09:30:00"));
    const denpasar = load("denpasar-utara");
    expect(dueAt(denpasar.steps[0]!, wita("2026-11-27T15:58:00"))).toEqual(wita("2026-11-30T08:03:00"));
  });

  it("run around the clock under calendar time", () => {
    const calendar = { ...generic.steps[0]!, workingTime: { kind: "calendar" as const, timeZone: "Asia/Jakarta" } };
    expect(dueAt({ ...calendar, time: { unit: "hours", amount: 2 } }, wib("2026-11-27T15:30:00"))).toEqual(wib("2026-11-27T17:30:00"));
    expect(dueAt({ ...calendar, time: { unit: "days", amount: 2 } }, wib("2026-11-27T15:30:00"))).toEqual(wib("2026-11-29T15:30:00"));
    expect(dueAt({ ...calendar, time: { unit: "months", amount: 1 } }, wib("2026-01-31T15:30:00"))).toEqual(wib("2026-02-28T15:30:00"));
  });

  it("warn at 80 % of the working time between start and due", () => {
    const step = officeStep("hours", 2);
    const start = wib("2026-11-27T15:30:00");
    const due = dueAt(step, start);
    expect(workingMinutesBetween(step.workingTime, start, due)).toBe(120);
    expect(warnAt(step, start, due, 80)).toEqual(wib("2026-11-30T09:06:00"));
    expect(addWorkingMinutes(step.workingTime, wib("2026-11-28T12:00:00"), 0)).toEqual(wib("2026-11-30T08:00:00"));
  });
});

describe("an invalid preset stops loading with one line naming the file, the step and the problem", () => {
  const base = JSON.parse(readFileSync(join(TEMPLATES, "sop", "palaran.json"), "utf8")) as {
    name: string;
    roles: Record<string, unknown>[];
    steps: Record<string, unknown>[];
    workingTime: Record<string, unknown>;
  };
  function tryLoad(edit: (preset: typeof base) => void): () => SopPreset {
    const preset = structuredClone(base);
    preset.name = "kantor-uji";
    edit(preset);
    const dir = mkdtempSync(join(tmpdir(), "ka-sop-"));
    mkdirSync(join(dir, "sop"));
    writeFileSync(join(dir, "sop", "kantor-uji.json"), JSON.stringify(preset));
    return () => loadSopPreset(dir, "kantor-uji");
  }

  it("a bad time unit", () => {
    expect(tryLoad((p) => (p.steps[1]!.time = { weeks: 2 }))).toThrow(
      'SOP preset templates/sop/kantor-uji.json: step "klarifikasi" (time): unknown time unit "weeks" (use one of minutes, hours, days, maxDays, months)',
    );
    expect(tryLoad((p) => (p.steps[2]!.time = { days: 1, hours: 2 }))).toThrow(/step "keputusan" \(time\): give exactly one time unit/);
    expect(tryLoad((p) => (p.steps[0]!.time = { minutes: 0 }))).toThrow(
      /step "terima-catat" \(time.minutes\): must be a whole number above 0/,
    );
  });

  it("an unknown role", () => {
    expect(tryLoad((p) => (p.steps[3]!.role = "sekdes"))).toThrow(
      /^SOP preset templates\/sop\/kantor-uji\.json: step "jawaban" \(role\): unknown role "sekdes" \(roles: camat, sekretaris, kasubbag-kasi, staf\)$/,
    );
  });

  it("a duplicate step id", () => {
    expect(tryLoad((p) => (p.steps[4]!.id = "klarifikasi"))).toThrow(
      /step "klarifikasi" \(id\): duplicate step id "klarifikasi" \(also step 2\)/,
    );
  });

  it("a branch or decision to nowhere, no head or two heads, bad office hours", () => {
    expect(tryLoad((p) => (p.steps[2]!.decision = { approve: "jawaban", reject: "banding" }))).toThrow(
      /step "keputusan" \(decision.reject\): unknown step "banding"/,
    );
    expect(tryLoad((p) => delete p.roles[0]!.head)).toThrow(/roles: no role has "head": true/);
    expect(tryLoad((p) => (p.roles[1]!.head = true))).toThrow(/role "sekretaris" \(head\): only one role may be the head/);
    expect(tryLoad((p) => (p.workingTime.end = "07:00"))).toThrow(/workingTime.end: start must be before end/);
    expect(tryLoad((p) => (p.steps[0]!.minutes = 30))).toThrow(/step "terima-catat": Unrecognized key/);
  });

  it("a preset that does not exist names the ones that do", () => {
    expect(() => loadSopPreset(TEMPLATES, "kecamatan-antah")).toThrow(
      /templates\/sop\/kecamatan-antah\.json: cannot read .*presets: buleleng-disdukcapil, denpasar-utara, generic, jenawi/,
    );
  });
});
