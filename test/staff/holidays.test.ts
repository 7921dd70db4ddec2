/**
 * National holidays through the running parts: a complaint filed the working day before Idul Fitri
 * 1447 H is due after the holidays and cuti bersama for its stored due time, /terlambat, the SOP
 * scheduler's warning, /metrics and the recap's time-standard compliance — and, for a preset that
 * opts out, a week earlier. SQLite, and PostgreSQL under `npm run test:pg`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  loadNationalHolidays,
  parseSopPreset,
  staffFeedNotifier,
  startSopScheduler,
  type SopPreset,
  type SopScheduler,
} from "../../src/complaints/index.js";
import type { StaffMessage } from "../../src/core/index.js";
import { collectMetrics, repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import { recapReport } from "../../src/reports/index.js";
import { createStaffConsole } from "../../src/staff/index.js";
import { ANONYMOUS_INTAKE, createTestPipeline, PULL, PUSH, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { staffSettings } from "../helpers/staff-settings.js";

const TEMPLATES = join(repoRoot, "templates");
const templates = loadTemplates(TEMPLATES);
const national = loadNationalHolidays(TEMPLATES);
const OPS = "-100200300";
const STAFF = "999";
const wib = (local: string) => new Date(`${local}+07:00`);

function generic(workingTime: Record<string, unknown> = {}): SopPreset {
  const json = JSON.parse(readFileSync(join(TEMPLATES, "sop", "generic.json"), "utf8")) as { workingTime: Record<string, unknown> };
  json.workingTime = { ...json.workingTime, ...workingTime };
  return parseSopPreset(json, "templates/sop/generic.json", { timeZone: "Asia/Jakarta", nationalHolidays: national });
}

let t: TestPipeline | undefined;
let scheduler: SopScheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  await t?.close();
  t = undefined;
});

let now = wib("2026-03-17T15:45:00");
const clock = () => now;
let update = 0;

async function office(sop: SopPreset) {
  now = wib("2026-03-17T15:45:00"); // Tuesday: the last working day before Nyepi, Idul Fitri and their cuti bersama
  t = await createTestPipeline({
    overrides: { sop, clock, staffFeed: { channel: "telegram", chatId: OPS, locale: "id", replyMode: "reply" } },
  });
  const staff = createStaffConsole({
    db: t.db,
    voice: t.pipeline,
    templates,
    sop,
    settings: staffSettings([STAFF], OPS),
    limitsOf: (channel) => (channel === "webchat" ? PULL : PUSH),
    clock,
  });
  const say = async (text: string) => {
    const message: StaffMessage = {
      updateId: `hol-${++update}`,
      from: { id: STAFF, name: "Petugas" },
      chatKind: "ops",
      chatId: OPS,
      messageId: String(update),
      text,
      attachments: [],
      receivedAt: now,
    };
    return (await staff(message)).messages.map((m) => m.text).join("\n");
  };
  scheduler = startSopScheduler({
    db: t.db,
    sop,
    clock,
    timer: false,
    notify: staffFeedNotifier({
      sop,
      templates,
      officeName: "Kecamatan Uji",
      timeZone: "Asia/Jakarta",
      feed: { channel: "telegram", chatId: OPS, locale: "id" },
    }),
  });
  let last: ReceiveResult | undefined;
  for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t.pipeline.receive(textMessage("warga", text, { receivedAt: now }));
  const ticket = TICKET.exec(last!.replies.map((r) => r.text).join(" "))![0];
  const complaint = () => t!.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
  const overdueMetric = async () => /^kanal_steps_overdue (\d+)$/m.exec(await collectMetrics(t!.db, now, {}))![1];
  const compliance = async () => {
    const { recap } = await recapReport(t!.db, "2026-03", {
      officeName: "Kecamatan Uji",
      timeZone: "Asia/Jakarta",
      locale: "id",
      sop,
      clock,
    });
    return recap.timeStandard.steps.find((s) => s.step === "register");
  };
  return { ticket, say, complaint, overdueMetric, compliance, tick: () => scheduler!.tick() };
}

describe("a complaint filed the working day before Idul Fitri 1447 H", () => {
  it("is due when the office reopens after the holidays and cuti bersama, and nothing calls it late before", async () => {
    const o = await office(generic());
    // 30 office minutes from Tue 15:45: 15 that day, 15 on Wednesday 25 March.
    expect((await o.complaint()).stepDueAt).toEqual(wib("2026-03-25T08:15:00"));

    now = wib("2026-03-23T10:00:00"); // Monday: cuti bersama Idul Fitri
    expect(await o.say("/terlambat")).toBe("Tidak ada aduan yang lewat batas waktu tahap. 👍");
    expect(await o.overdueMetric()).toBe("0");
    expect(await o.tick()).toBe(0);

    now = wib("2026-03-25T08:10:00"); // 80 % of 30 office minutes is 08:09
    expect(await o.tick()).toBe(1);
    expect(await o.say(`/lanjut ${o.ticket} sudah dicatat`)).toMatch(/Verifikasi data pelapor/);
    expect(await o.compliance()).toMatchObject({ entered: 1, met: 1, missed: 0 });
  });

  it("is late a week early under a preset that opts out of the national holidays", async () => {
    const o = await office(generic({ nationalHolidays: false }));
    expect((await o.complaint()).stepDueAt).toEqual(wib("2026-03-18T08:15:00"));

    now = wib("2026-03-23T10:00:00");
    expect(await o.say("/terlambat")).toMatch(
      new RegExp(`Aduan lewat batas waktu tahap \\(1\\):\\n• \\*${o.ticket}\\* — «Diterima dan dicatat`),
    );
    expect(await o.overdueMetric()).toBe("1");
    expect(await o.tick()).toBe(1); // the escalation (no warning first: it is past due already)

    now = wib("2026-03-25T08:10:00");
    await o.say(`/lanjut ${o.ticket} sudah dicatat`);
    expect(await o.compliance()).toMatchObject({ entered: 1, met: 0, missed: 1 });
  });
});
