/**
 * SOP_PRESET changed on a database with open complaints: start-up says how many are on steps the
 * new preset lacks, and wherever a step is shown (the citizen's status answer, staff /status,
 * /terlambat, the refusal of /lanjut, the logbook) it reads as words, not as the raw id.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSopPreset, stepLabel, unknownStepNotice, type SopPreset } from "../../src/complaints/index.js";
import type { StaffMessage } from "../../src/core/index.js";
import { repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import { logbookReport } from "../../src/reports/index.js";
import { createStaffConsole } from "../../src/staff/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { ANONYMOUS_INTAKE, createTestPipeline, PULL, PUSH, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { staffSettings } from "../helpers/staff-settings.js";

const TEMPLATES = join(repoRoot, "templates");
const templates = loadTemplates(TEMPLATES);
const generic = loadSopPreset(TEMPLATES, "generic");
const palaran = loadSopPreset(TEMPLATES, "palaran");
const OPS = "-100200300";
const STAFF = "999";

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  // The later pipelines and the app share the first one's database: close them first, it drops it.
  for (const o of opened.splice(0).reverse()) await o.close();
});

let now = new Date("2026-11-23T09:00:00+07:00");
const clock = () => now;

async function pipeline(sop: SopPreset, databaseUrl?: string): Promise<TestPipeline> {
  const t = await createTestPipeline({ overrides: { sop, clock }, ...(databaseUrl ? { databaseUrl } : {}) });
  opened.push(t);
  return t;
}

async function file(t: TestPipeline, chatId: string): Promise<string> {
  let last: ReceiveResult | undefined;
  for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t.pipeline.receive(textMessage(chatId, text, { receivedAt: now }));
  return TICKET.exec(last!.replies.map((r) => r.text).join(" "))![0];
}

let update = 0;
function staffConsole(t: TestPipeline, sop: SopPreset) {
  const staff = createStaffConsole({
    db: t.db,
    voice: t.pipeline,
    templates,
    sop,
    settings: staffSettings([STAFF], OPS),
    limitsOf: (channel) => (channel === "webchat" ? PULL : PUSH),
    clock,
  });
  return async (text: string) => {
    const message: StaffMessage = {
      updateId: `pc-${++update}`,
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
}

/** Two open complaints filed under `generic` (on its "register" step) and a closed one. */
async function filedUnderGeneric() {
  now = new Date("2026-11-23T09:00:00+07:00");
  const before = await pipeline(generic);
  const first = await file(before, "warga-1");
  const second = await file(before, "warga-2");
  const closed = await file(before, "warga-3");
  expect(await staffConsole(before, generic)(`/selesai ${closed}`)).toContain(closed);
  return { before, first, second };
}

describe("after SOP_PRESET changes from generic to palaran", () => {
  it("start-up counts the open complaints on steps palaran lacks, naming the steps", async () => {
    const { before } = await filedUnderGeneric();
    const notice = await unknownStepNotice(before.db, palaran);
    expect(notice).toMatchObject({ level: "warn", fields: { preset: "palaran", count: 2, steps: { register: 2 } } });
    expect(notice!.message).toMatch(
      /^2 open complaint\(s\) are on SOP steps that preset templates\/sop\/palaran\.json does not have \(register "Diterima dan dicatat di logbook" ×2\): was SOP_PRESET changed\?/,
    );
    expect(await unknownStepNotice(before.db, generic)).toBeUndefined();

    // npm start's own log, on the same database.
    const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
    const app: TestApp = await startApp({
      env: { DATABASE_URL: before.url, SOP_PRESET: "palaran" },
      log: (msg, fields) => lines.push({ msg, fields }),
    });
    opened.push(app);
    const warning = lines.find((l) => l.msg.startsWith("2 open complaint(s) are on SOP steps"));
    expect(warning?.fields).toMatchObject({ level: "warn", count: 2, steps: { register: 2 } });
    expect(lines.map((l) => l.msg)).toContain(
      "SOP preset templates/sop/palaran.json: office hours skip the national holidays and cuti bersama of 2026 and 0 day(s) of its own",
    );
  });

  it("the citizen's status answer, staff /status, /terlambat and the refusal of /lanjut show the step in words", async () => {
    const { before, first } = await filedUnderGeneric();
    const after = await pipeline(palaran, before.url);
    const status = (await after.pipeline.receive(textMessage("warga-1", `status ${first}`))).replies.map((r) => r.text).join("\n");
    expect(status).toContain("Diterima dan dicatat di logbook");
    expect(status).not.toMatch(/\bregister\b/);

    const say = staffConsole(after, palaran);
    expect(await say(`/status ${first}`)).toContain("Diterima dan dicatat di logbook");
    now = new Date("2026-11-24T09:00:00+07:00"); // past the 30-minute standard
    const late = await say("/terlambat");
    expect(late).toContain(`*${first}* — «Diterima dan dicatat di logbook»`);
    expect(late).not.toMatch(/«register»/);
    expect(await say(`/lanjut ${first} selesai`)).toBe(
      `Tahap «Diterima dan dicatat di logbook» dari ${first} tidak ada di SOP yang berlaku (templates/sop/palaran.json). Tutup dengan /selesai ${first} atau minta admin memeriksa SOP_PRESET.`,
    );
  });

  it("the logbook shows the step in words", async () => {
    const { before } = await filedUnderGeneric();
    const settings = { officeName: "Kecamatan Uji", timeZone: "Asia/Jakarta", locale: "id" as const, clock };
    const csv = (await logbookReport(before.db, "2026-11", "csv", { ...settings, sop: palaran })).content.toString("utf8");
    const underGeneric = (await logbookReport(before.db, "2026-11", "csv", { ...settings, sop: generic })).content.toString("utf8");
    expect(csv).toContain("Diterima dan dicatat di logbook");
    expect(csv).not.toMatch(/[;,"]register[;,"]/);
    expect(csv).toBe(underGeneric);
  });
});

describe("a step no preset knows, or two presets label differently", () => {
  it("reads as its id in words", async () => {
    expect(stepLabel(palaran, "catat-ulang_berkas")).toEqual({ id: "Catat ulang berkas", en: "Catat ulang berkas" });
    // "klarifikasi" is Denpasar Utara's, Madiun's and Palaran's, each with its own label.
    expect(stepLabel(generic, "klarifikasi")).toEqual({ id: "Klarifikasi", en: "Klarifikasi" });
    expect(stepLabel(palaran, "klarifikasi").id).toBe("Identifikasi, klarifikasi, koordinasi dengan Kasubbag/Kasi, lapor ke Camat");
    expect(stepLabel(generic, "telaah").id).toBe("Penelaahan permasalahan");

    const { before, first } = await filedUnderGeneric();
    await before.db.prisma.complaint.update({ where: { ticket: first }, data: { sopStep: "catat-ulang-berkas" } });
    const status = (await before.pipeline.receive(textMessage("warga-1", `status ${first}`))).replies.map((r) => r.text).join("\n");
    expect(status).toContain("Catat ulang berkas");
  });
});
