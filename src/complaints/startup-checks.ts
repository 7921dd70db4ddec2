import type { Database } from "../db/index.js";
import { missingHolidayYears } from "./holidays.js";
import { stepById, stepLabel, type SopPreset } from "./sop.js";

/** One line for the operator at start-up: what the SOP clocks will and will not know. */
export interface StartupNotice {
  level: "info" | "warn";
  message: string;
  fields: Record<string, unknown>;
}

/**
 * Which days off the preset's office hours skip, and a warning per year the national list is
 * missing for (that year then counts weekends, plus the preset's own days off, only).
 */
export function holidayNotices(sop: SopPreset, now: Date): StartupNotice[] {
  const wt = sop.workingTime;
  if (wt.kind === "calendar") return [];
  const { holidays } = sop;
  const notices: StartupNotice[] = [
    {
      level: "info",
      message: holidays.national
        ? `SOP preset ${sop.file}: office hours skip the national holidays${holidays.cutiBersama ? " and cuti bersama" : " (not cuti bersama)"} of ${
            [...holidays.nationalYears].sort().join(", ") || "no year"
          } and ${holidays.regional} day(s) of its own`
        : `SOP preset ${sop.file}: office hours skip ${holidays.regional} day(s) of its own and no national holiday (nationalHolidays: false)`,
      fields: { preset: sop.name, nationalYears: [...holidays.nationalYears].sort(), regional: holidays.regional },
    },
  ];
  if (!holidays.national) return notices;
  for (const year of missingHolidayYears({ years: holidays.nationalYears }, wt.timeZone, now)) {
    notices.push({
      level: "warn",
      message:
        `the national holiday list for ${year} is missing (templates/holidays/id-${year}.json): SOP time standards in ${year} ` +
        `count weekends${holidays.regional > 0 ? " and the preset's own days off" : ""} only. Add the year's list from the SKB 3 Menteri and restart`,
      fields: { year, preset: sop.name },
    });
  }
  return notices;
}

/**
 * Open complaints on steps the preset in force does not have — SOP_PRESET was changed under them.
 * They show a readable label (stepLabel) but no SOP command can move them; staff can close them.
 */
export async function unknownStepNotice(db: Database, sop: SopPreset): Promise<StartupNotice | undefined> {
  const groups = await db.prisma.complaint.groupBy({ by: ["sopStep"], where: { status: { not: "closed" } }, _count: { _all: true } });
  const unknown = groups.filter((g) => !stepById(sop, g.sopStep)).sort((a, b) => b._count._all - a._count._all);
  if (unknown.length === 0) return undefined;
  const count = unknown.reduce((sum, g) => sum + g._count._all, 0);
  const steps = unknown.map((g) => `${g.sopStep} "${stepLabel(sop, g.sopStep).id}" ×${g._count._all}`).join(", ");
  return {
    level: "warn",
    message:
      `${count} open complaint(s) are on SOP steps that preset ${sop.file} does not have (${steps}): was SOP_PRESET changed? ` +
      `Citizens and staff see the step's label from another preset (or its id made readable); staff can only close them ` +
      `(/selesai). To move them through their steps, run with the preset they were filed under until they are done`,
    fields: { preset: sop.name, count, steps: Object.fromEntries(unknown.map((g) => [g.sopStep, g._count._all])) },
  };
}

/** Everything start-up should say about the SOP preset and the database under it. */
export async function sopStartupNotices(db: Database, sop: SopPreset, now: Date): Promise<StartupNotice[]> {
  const unknown = await unknownStepNotice(db, sop);
  return [...holidayNotices(sop, now), ...(unknown ? [unknown] : [])];
}
