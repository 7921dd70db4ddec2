import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSopPreset } from "../../src/complaints/index.js";
import { repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import {
  createStaffCommands,
  createStaffConsole,
  STAFF_COMMANDS,
  type StaffActor,
  type StaffCommandDeps,
  type StaffCommands,
} from "../../src/staff/index.js";
import { ANONYMOUS_INTAKE, createTestPipeline, PULL, PUSH, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { staffSettings } from "../helpers/staff-settings.js";

/** The command table as a web front end calls it: an actor that is not Telegram-shaped, data back. */

const templates = loadTemplates(join(repoRoot, "templates"));
const sop = loadSopPreset(join(repoRoot, "templates"), "generic");
const OPS = "-100200300";

let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A head of office who signs in on the web and has no Telegram account. */
const ANI: StaffActor = { staffId: "web-ani", name: "Ani Wulandari", role: "pimpinan", via: "web" };

async function setup(): Promise<{ commands: StaffCommands; deps: StaffCommandDeps }> {
  t = await createTestPipeline({ overrides: { staffFeed: { channel: "telegram", chatId: OPS, locale: "id", replyMode: "reply" } } });
  const deps: StaffCommandDeps = {
    db: t.db,
    voice: t.pipeline,
    templates,
    sop,
    settings: staffSettings(["111"], OPS),
    limitsOf: (channel) => (channel === "webchat" ? PULL : PUSH),
  };
  return { commands: createStaffCommands(deps), deps };
}

async function fileComplaint(chatId: string): Promise<string> {
  let last: ReceiveResult | undefined;
  for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t!.pipeline.receive(textMessage(chatId, text));
  return TICKET.exec(last!.replies.map((r) => r.text).join(" "))![0];
}

/** What the staff group was told under the complaint's card, besides the card itself. */
async function groupNotices(): Promise<{ text: string; threadOf?: string; complaintId: string | null }[]> {
  const rows = await t!.db.prisma.outboxMessage.findMany({ where: { chatId: OPS, kind: "staff" }, orderBy: { id: "asc" } });
  return rows.map((r) => ({ ...(JSON.parse(r.payload) as { text: string; threadOf?: string }), complaintId: r.complaintId }));
}

const citizenTexts = async (chatId: string) =>
  (await t!.db.prisma.message.findMany({ where: { direction: "out", conversation: { chatId } }, orderBy: { id: "asc" } })).map(
    (m) => m.text,
  );

describe("the staff command table", () => {
  it("has one module per command kind, each about a complaint or about the office", () => {
    const scopes = Object.fromEntries(Object.entries(STAFF_COMMANDS).map(([kind, command]) => [kind, command.scope]));
    expect(scopes).toEqual({
      reply: "complaint",
      note: "complaint",
      close: "complaint",
      status: "complaint",
      history: "complaint",
      identity: "complaint",
      advance: "complaint",
      assign: "complaint",
      decide: "complaint",
      forward: "complaint",
      archive: "complaint",
      list: "office",
      help: "office",
      overdue: "office",
      logbook: "office",
      recap: "office",
    });
  });

  it("a reply from the web reaches the citizen through the pipeline, is audited as the web's, and shows in the group under the card", async () => {
    const { commands } = await setup();
    const ticket = await fileComplaint("web-1");
    const complaint = await t!.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    const result = await commands.run({ actor: ANI, intent: { kind: "reply", ticket, text: "Petugas sudah kami tegur." }, once: "web:r1" });
    expect(result.outcome).toBe("done");
    expect(result.complaint).toEqual({ id: complaint.id, ticket });
    expect(result.messages.map((m) => m.text).join("\n")).toMatch(/diteruskan|tersimpan/);
    expect((await citizenTexts("web-1")).at(-1)).toContain("Petugas sudah kami tegur.");
    const event = await t!.db.prisma.complaintEvent.findFirstOrThrow({ where: { type: "staff.reply" } });
    expect(event.actor).toBe("staff:web-ani");
    expect(JSON.parse(event.data)).toMatchObject({ by: "Ani Wulandari", via: "web", text: "Petugas sudah kami tegur." });
    const notices = await groupNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain(`${ticket}* — via web oleh Ani Wulandari`);
    expect(notices[0]!.text).toContain("Petugas sudah kami tegur.");
    expect(notices[0]).toMatchObject({ threadOf: complaint.id, complaintId: complaint.id });
  });

  it("a web request sent twice acts once", async () => {
    const { commands } = await setup();
    const ticket = await fileComplaint("web-2");
    const request = { actor: ANI, intent: { kind: "reply" as const, ticket, text: "Sekali saja." }, once: "web:twice" };
    expect((await commands.run(request)).outcome).toBe("done");
    expect(await commands.run(request)).toEqual({ outcome: "duplicate", messages: [] });
    expect((await citizenTexts("web-2")).filter((text) => text.includes("Sekali saja."))).toHaveLength(1);
    expect(await t!.db.prisma.complaintEvent.count({ where: { type: "staff.reply" } })).toBe(1);
    expect(await groupNotices()).toHaveLength(1);
  });

  it("the same request delivered twice at once acts once", async () => {
    const { commands } = await setup();
    const ticket = await fileComplaint("web-2b");
    const request = { actor: ANI, intent: { kind: "close" as const, ticket }, once: "web:race" };
    const outcomes = (await Promise.all([commands.run(request), commands.run(request), commands.run(request)])).map((r) => r.outcome);
    expect(outcomes.sort()).toEqual(["done", "duplicate", "duplicate"]);
    expect(await t!.db.prisma.complaintEvent.count({ where: { type: "staff.close" } })).toBe(1);
    expect((await citizenTexts("web-2b")).filter((text) => /1.*5/s.test(text))).toHaveLength(1);
  });

  it("staff actions and the citizen's own messages on one complaint at once all go through, in one order", async () => {
    const { commands } = await setup();
    const ticket = await fileComplaint("web-2c");
    const staff = Array.from({ length: 5 }, (_, i) =>
      commands.run({ actor: ANI, intent: { kind: "reply", ticket, text: `balasan ${i}` }, once: `web:mix-${i}` }),
    );
    const citizen = Array.from({ length: 5 }, (_, i) => t!.pipeline.receive(textMessage("web-2c", `tambahan ${i}`)));
    const [answers, receipts] = await Promise.all([Promise.all(staff), Promise.all(citizen)]);
    expect(answers.map((a) => a.outcome)).toEqual(["done", "done", "done", "done", "done"]);
    expect(receipts.map((r) => r.status)).toEqual(["processed", "processed", "processed", "processed", "processed"]);
    const said = await citizenTexts("web-2c");
    for (let i = 0; i < 5; i++) expect(said.filter((text) => text.includes(`balasan ${i}`))).toHaveLength(1);
    expect(await t!.db.prisma.complaintEvent.count({ where: { type: "staff.reply" } })).toBe(5);
    expect(await t!.db.prisma.complaintEvent.count({ where: { type: "citizen.followup" } })).toBe(5);
  });

  it("a note from the web stays internal; a close asks the citizen for a rating; both are told to the group", async () => {
    const { commands } = await setup();
    const ticket = await fileComplaint("web-3");
    const before = (await citizenTexts("web-3")).length;
    expect((await commands.run({ actor: ANI, intent: { kind: "note", ticket, text: "Cek CCTV loket" } })).outcome).toBe("done");
    expect(await citizenTexts("web-3")).toHaveLength(before);
    expect((await commands.run({ actor: ANI, intent: { kind: "close", ticket } })).outcome).toBe("done");
    expect((await citizenTexts("web-3")).at(-1)).toMatch(/1.*5/);
    const notices = (await groupNotices()).map((n) => n.text);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/via web oleh Ani Wulandari:\ncatatan internal \(Ani Wulandari\): Cek CCTV loket/);
    expect(notices[1]).toMatch(/via web oleh Ani Wulandari:\nditutup oleh Ani Wulandari/);
    // A second close changes nothing and tells nobody.
    const again = await commands.run({ actor: ANI, intent: { kind: "close", ticket } });
    expect(again.outcome).toBe("refused");
    expect(again.messages[0]!.text).toContain("sudah ditutup");
    expect(await groupNotices()).toHaveLength(2);
  });

  it("an SOP step moved on the web is told to the group with the step names", async () => {
    const { commands } = await setup();
    const ticket = await fileComplaint("web-4");
    const result = await commands.run({ actor: ANI, intent: { kind: "advance", ticket, text: "sudah dicatat" } });
    expect(result.outcome).toBe("done");
    const [notice] = await groupNotices();
    expect(notice!.text).toMatch(/via web oleh Ani Wulandari:\ntahap «.+» → «.+» \(Ani Wulandari\): sudah dicatat/);
    const event = await t!.db.prisma.complaintEvent.findFirstOrThrow({ where: { type: "sop.advance" } });
    expect(JSON.parse(event.data)).toMatchObject({ by: "Ani Wulandari", via: "web", note: "sudah dicatat" });
  });

  it("the web's identity view is audited, never announced; refused where others could read it", async () => {
    const { commands } = await setup();
    const ticket = await fileComplaint("web-5");
    const shown = await commands.run({ actor: ANI, intent: { kind: "identity", ticket }, privateView: true, place: "web" });
    expect(shown.outcome).toBe("done");
    const refused = await commands.run({ actor: ANI, intent: { kind: "identity", ticket } });
    expect(refused.outcome).toBe("refused");
    const audit = await t!.db.prisma.complaintEvent.findMany({ where: { type: "staff.identity" } });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.data)).toMatchObject({ chat: "web", via: "web", by: "Ani Wulandari" });
    expect(await groupNotices()).toEqual([]);
  });

  it("refuses an unknown ticket and a complaint command without one, changing nothing", async () => {
    const { commands } = await setup();
    const unknown = await commands.run({ actor: ANI, intent: { kind: "close", ticket: "ADU-2026-99999" } });
    expect(unknown).toMatchObject({ outcome: "refused", messages: [{ text: expect.stringContaining("ADU-2026-99999") as string }] });
    const missing = await commands.run({ actor: ANI, intent: { kind: "note", text: "tanpa tiket" } });
    expect(missing.outcome).toBe("refused");
    expect(await t!.db.prisma.complaintEvent.count()).toBe(0);
    expect(await groupNotices()).toEqual([]);
  });

  it("answers in the request's language", async () => {
    const { commands } = await setup();
    const ticket = await fileComplaint("web-6");
    const status = await commands.run({ actor: ANI, intent: { kind: "status", ticket }, locale: "en" });
    expect(status.messages[0]!.text).toMatch(/open/i);
    expect(status.messages[0]!.text).not.toMatch(/terbuka/);
  });

  it("what the group does shows in the same history the web reads, without a web notice", async () => {
    const { commands, deps } = await setup();
    const ticket = await fileComplaint("web-7");
    const group = createStaffConsole(deps);
    await group({
      updateId: "g-1",
      from: { id: "111", name: "Wayan" },
      chatKind: "ops",
      chatId: OPS,
      messageId: "1",
      text: `/catatan ${ticket} dari grup`,
      attachments: [],
      receivedAt: new Date(),
    });
    await commands.run({ actor: ANI, intent: { kind: "note", ticket, text: "dari web" } });
    const history = await commands.run({ actor: ANI, intent: { kind: "history", ticket } });
    expect(history.messages[0]!.text).toMatch(
      /catatan internal \(staf 111\): dari grup[\s\S]*catatan internal \(Ani Wulandari\): dari web/,
    );
    expect((await groupNotices()).map((n) => n.text)).toEqual([expect.stringContaining("dari web")]);
  });
});
