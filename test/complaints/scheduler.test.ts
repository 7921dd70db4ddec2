import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  applyMove,
  loadSopPreset,
  noticeKey,
  staffFeedNotifier,
  startSopScheduler,
  transition,
  type SopNotice,
  type SopScheduler,
  type SopSchedulerDeps,
} from "../../src/complaints/index.js";
import { openDatabase, repoRoot, type Database } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import { copyComplaint } from "../helpers/copies.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { createPostgresDatabase } from "../helpers/postgres.js";

const TEMPLATES = join(repoRoot, "templates");
const templates = loadTemplates(TEMPLATES);
const sop = loadSopPreset(TEMPLATES, "palaran"); // office hours in WITA; 09:00 WIB = 10:00 WITA
const OPS = "-100200300";
const wib = (local: string) => new Date(`${local}+07:00`);

let now = wib("2026-11-23T09:00:00");
const clock = () => now;

let t: TestPipeline | undefined;
const schedulers: SopScheduler[] = [];
const extraDbs: Database[] = [];
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  await Promise.all(extraDbs.splice(0).map((d) => d.close()));
  await t?.close();
  t = undefined;
});

async function setup(databaseUrl?: string): Promise<{ ticket: string; id: string }> {
  now = wib("2026-11-23T09:00:00");
  t = await createTestPipeline({ overrides: { sop, clock }, ...(databaseUrl ? { databaseUrl } : {}) });
  await t.db.prisma.staff.createMany({
    data: [
      { id: "s1", telegramId: "101", name: "Bu Rina", role: "staf" },
      { id: "s2", telegramId: "102", name: "Pak Sekcam", role: "sekretaris" },
      { id: "s3", telegramId: "103", name: "Pak Camat", role: "pimpinan" },
    ],
  });
  let last: ReceiveResult | undefined;
  for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t.pipeline.receive(textMessage("citizen", text));
  const ticket = TICKET.exec(last!.replies.map((r) => r.text).join(" "))![0];
  const { id } = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
  return { ticket, id };
}

function scheduler(db: Database, overrides: Partial<SopSchedulerDeps> = {}): SopScheduler {
  const s = startSopScheduler({
    db,
    sop,
    clock,
    timer: false,
    notify: staffFeedNotifier({
      sop,
      templates,
      officeName: "Kecamatan Palaran",
      timeZone: "Asia/Makassar",
      feed: { channel: "telegram", chatId: OPS, locale: "id" },
    }),
    ...overrides,
  });
  schedulers.push(s);
  return s;
}

const notices = async () =>
  (await t!.db.prisma.outboxMessage.findMany({ where: { chatId: OPS, kind: "staff" }, orderBy: { createdAt: "asc" } })).map(
    (row) => JSON.parse(row.payload) as { text: string; threadOf: string },
  );
const eventTypes = async (id: string) =>
  (await t!.db.prisma.complaintEvent.findMany({ where: { complaintId: id, type: { startsWith: "sop." } } })).map((e) => e.type).sort();

describe("the time-standard scheduler", () => {
  it("warns the holder at 80 %, escalates to the head when overdue — each once, across restarts and clock jumps", async () => {
    const { ticket, id } = await setup();
    const complaint = await t!.db.prisma.complaint.findUniqueOrThrow({ where: { id } });
    expect(complaint.stepDueAt).toEqual(wib("2026-11-23T09:30:00")); // 30 office minutes
    const first = scheduler(t!.db);

    now = wib("2026-11-23T09:20:00");
    expect(await first.tick()).toBe(0);
    now = wib("2026-11-23T09:25:00"); // 80 % of 30 minutes is 09:24
    expect(await first.tick()).toBe(1);
    expect(await first.tick()).toBe(0);
    const [warning] = await notices();
    expect(warning).toEqual({
      text: `⏳ *${ticket}*: tahap «Menerima pengaduan, mencatat di buku pengaduan, melapor ke Sekretaris» harus selesai 23 Nov 2026, 10.30 WITA (sisa 5 menit). Pemegang: Staf (Bu Rina).`,
      threadOf: id,
    });

    now = wib("2026-11-23T09:31:00");
    expect(await first.tick()).toBe(1);
    expect(await first.tick()).toBe(0);
    const escalation = (await notices())[1]!;
    expect(escalation.text).toBe(
      `🚨 *${ticket}* lewat batas waktu tahap «Menerima pengaduan, mencatat di buku pengaduan, melapor ke Sekretaris» (1 menit, batas 23 Nov 2026, 10.30 WITA). Pemegang: Staf (Bu Rina). Mohon perhatian Camat (Pak Camat).`,
    );
    expect(escalation.threadOf).toBe(id);

    // A restart: a new scheduler on the same database.
    await first.stop();
    const second = scheduler(t!.db);
    now = wib("2026-11-23T11:00:00");
    expect(await second.tick()).toBe(0);
    // The clock jumps back into the warning window, and before the step started.
    now = wib("2026-11-23T09:26:00");
    expect(await second.tick()).toBe(0);
    now = wib("2026-11-23T08:00:00");
    expect(await second.tick()).toBe(0);
    expect(await notices()).toHaveLength(2);
    expect(await eventTypes(id)).toEqual(["sop.escalated", "sop.warned"]);
    const keys = (await t!.db.prisma.processedUpdate.findMany({ where: { key: { startsWith: "sop:" } } })).map((k) => k.key).sort();
    expect(keys).toEqual([
      noticeKey("escalate", id, "terima-catat", complaint.stepStartedAt),
      noticeKey("warn", id, "terima-catat", complaint.stepStartedAt),
    ]);
  });

  it("a step moved on starts a new watch: the next step is escalated once too", async () => {
    const { id } = await setup();
    const s = scheduler(t!.db);
    now = wib("2026-11-23T10:00:00");
    expect(await s.tick()).toBe(1);
    const row = await t!.db.prisma.complaint.findUniqueOrThrow({ where: { id } });
    const moved = transition(sop, row, { telegramId: "101", role: "staf" }, { type: "advance", text: "" }, now);
    if (!moved.ok || moved.type !== "move") throw new Error("expected a move");
    expect(await applyMove(t!.db, row, moved, { actor: "staff:101", by: "Bu Rina" }, now)).toBe(true);
    now = wib("2026-11-23T10:09:00"); // 10-minute step: warning at 8 minutes
    expect(await s.tick()).toBe(1);
    now = wib("2026-11-23T10:11:00");
    expect(await s.tick()).toBe(1);
    expect(await s.tick()).toBe(0);
    const texts = (await notices()).map((n) => n.text);
    expect(texts[1]).toMatch(/^⏳ .*«Identifikasi.*Pemegang: Sekretaris Kecamatan \(Pak Sekcam\)\.$/);
    expect(texts[2]).toMatch(/^🚨 .*«Identifikasi.*Mohon perhatian Camat \(Pak Camat\)\.$/);
  });

  it("an office with hundreds of complaints due at once gets each escalated, once", async () => {
    const { id } = await setup();
    // 600 more like the first (copies under new ids and tickets, made by the database: filing them
    // through the flow would take a while): a round's once-only keys number over a thousand, past
    // Prisma's 999 parameters on SQLite, which it splits itself for a plain IN lookup like that one.
    const copies = 600;
    await copyComplaint(t!.db, id, copies + 1);
    now = wib("2026-11-24T09:00:00");
    const s = scheduler(t!.db);
    expect(await s.tick()).toBe(copies + 1);
    expect(await s.tick()).toBe(0);
    expect(await t!.db.prisma.processedUpdate.count({ where: { key: { startsWith: "sop:" } } })).toBe(copies + 1);
  }, 60_000);

  it("after being down past the due time, sends the escalation and not a stale warning", async () => {
    const { id } = await setup();
    now = wib("2026-11-24T09:00:00");
    expect(await scheduler(t!.db).tick()).toBe(1);
    expect(await eventTypes(id)).toEqual(["sop.escalated"]);
    now = wib("2026-11-23T09:25:00");
    expect(await scheduler(t!.db).tick()).toBe(0);
  });

  it("two schedulers on one database at the same moment send once", async () => {
    await setup();
    now = wib("2026-11-23T09:45:00");
    // Both read the due complaints before either claims: the claim in the transaction decides.
    const sent = await Promise.all([scheduler(t!.db).tick(), scheduler(t!.db).tick(), scheduler(t!.db).tick()]);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    // Another connection (another process) sees the claim too.
    const other = await openDatabase(t!.url, { migrate: false });
    extraDbs.push(other);
    expect(await scheduler(other).tick()).toBe(0);
    expect(await notices()).toHaveLength(1);
  });

  it("a notice that could not be written is not recorded, and goes out on the next round", async () => {
    const { id } = await setup();
    const seen: SopNotice[] = [];
    let fail = true;
    const errors: Error[] = [];
    const s = scheduler(t!.db, {
      notify: async (notice) => {
        if (fail) throw new Error("disk full");
        seen.push(notice);
      },
      onError: (error) => errors.push(error),
    });
    now = wib("2026-11-23T09:40:00");
    expect(await s.tick()).toBe(0);
    expect(errors.map((e) => e.message)).toEqual(["disk full"]);
    expect(await eventTypes(id)).toEqual([]);
    fail = false;
    expect(await s.tick()).toBe(1);
    expect(seen.map((n) => [n.kind, n.step.id, n.holderRole.id, n.head.id])).toEqual([["escalate", "terima-catat", "staf", "camat"]]);
  });

  it("ignores closed complaints, and runs by itself on its timer", async () => {
    const { id } = await setup();
    now = wib("2026-11-23T09:45:00");
    const s = startSopScheduler({
      db: t!.db,
      sop,
      clock,
      intervalMs: 20,
      notify: staffFeedNotifier({
        sop,
        templates,
        officeName: "Kecamatan Palaran",
        timeZone: "Asia/Makassar",
        feed: { channel: "telegram", chatId: OPS, locale: "id" },
      }),
    });
    schedulers.push(s);
    for (let i = 0; i < 100 && (await notices()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await notices()).toHaveLength(1);
    await s.stop();
    await t!.db.prisma.complaint.update({ where: { id }, data: { status: "closed", closedAt: now } });
    await t!.db.prisma.processedUpdate.deleteMany({ where: { key: { startsWith: "sop:" } } });
    expect(await scheduler(t!.db).tick()).toBe(0);
  });
});

const postgres = await createPostgresDatabase();
const skip = "skip" in postgres ? postgres.skip : undefined;
afterAll(async () => {
  if ("drop" in postgres) await postgres.drop();
});

describe.skipIf(Boolean(skip))(`the time-standard scheduler on PostgreSQL${skip ? ` — skipped: ${skip}` : ""}`, () => {
  it("claims each notice once, even with schedulers racing, and follows the complaint to its next step", async () => {
    const { id } = await setup("url" in postgres ? postgres.url : undefined);
    now = wib("2026-11-23T09:25:00");
    const racing = await Promise.all([scheduler(t!.db).tick(), scheduler(t!.db).tick(), scheduler(t!.db).tick()]);
    expect(racing.reduce((a, b) => a + b, 0)).toBe(1);
    now = wib("2026-11-23T09:31:00");
    expect(await scheduler(t!.db).tick()).toBe(1);
    now = wib("2026-11-23T09:26:00");
    expect(await scheduler(t!.db).tick()).toBe(0);
    expect(await eventTypes(id)).toEqual(["sop.escalated", "sop.warned"]);

    now = wib("2026-11-23T09:40:00");
    const row = await t!.db.prisma.complaint.findUniqueOrThrow({ where: { id } });
    const moved = transition(sop, row, { telegramId: "103", role: "pimpinan" }, { type: "advance", text: "diambil alih" }, now);
    if (!moved.ok || moved.type !== "move") throw new Error("expected a move");
    expect(await applyMove(t!.db, row, moved, { actor: "staff:103", by: "Pak Camat" }, now)).toBe(true);
    expect(await applyMove(t!.db, row, moved, { actor: "staff:103", by: "Pak Camat" }, now)).toBe(false); // already moved
    expect(await t!.db.prisma.complaint.findUniqueOrThrow({ where: { id } })).toMatchObject({
      sopStep: "klarifikasi",
      stepStartedAt: now,
      stepDueAt: wib("2026-11-23T09:50:00"),
    });
    now = wib("2026-11-23T10:00:00");
    expect(await scheduler(t!.db).tick()).toBe(1);
    expect((await notices()).map((n) => [...n.text][0])).toEqual(["⏳", "🚨", "🚨"]);
  });
});
