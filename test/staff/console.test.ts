import { afterEach, describe, expect, it } from "vitest";
import { loadSopPreset } from "../../src/complaints/index.js";
import type { StaffMessage } from "../../src/core/index.js";
import { repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import { createStaffConsole, parseStaffMessage, type StaffFileStore } from "../../src/staff/index.js";
import { join } from "node:path";
import { ANONYMOUS_INTAKE, createTestPipeline, PULL, PUSH, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { outboxSaying } from "../helpers/outbox.js";
import { staffSettings } from "../helpers/staff-settings.js";

const templates = loadTemplates(join(repoRoot, "templates"));
const sop = loadSopPreset(join(repoRoot, "templates"), "generic");
const OPS = "-100200300";

let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

let update = 0;
function staffMessage(text: string, extra: Partial<StaffMessage> = {}): StaffMessage {
  return {
    updateId: String(++update),
    from: { id: "111", name: "Wayan" },
    chatKind: "ops",
    chatId: OPS,
    messageId: String(update),
    text,
    attachments: [],
    receivedAt: new Date(),
    ...extra,
  };
}

async function setup(replyMode: "reply" | "command" = "reply", storeFile?: StaffFileStore) {
  t = await createTestPipeline({ overrides: { staffFeed: { channel: "telegram", chatId: OPS, locale: "id", replyMode } } });
  const console = createStaffConsole({
    db: t.db,
    voice: t.pipeline,
    templates,
    sop,
    settings: staffSettings(["111"], OPS, { replyMode }),
    limitsOf: (channel) => (channel === "webchat" ? PULL : PUSH),
    ...(storeFile ? { storeFile } : {}),
  });
  return console;
}

async function fileComplaint(chatId = "citizen-1", channel: "webchat" | "telegram" = "webchat") {
  let last: ReceiveResult | undefined;
  const extra = { channel, sender: { id: chatId } };
  for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t!.pipeline.receive(textMessage(chatId, text, extra));
  return TICKET.exec(last!.replies.map((r) => r.text).join(" "))![0];
}

const texts = (answer: { messages: { text: string }[] }) => answer.messages.map((m) => m.text).join("\n");

describe("parseStaffMessage", () => {
  it.each([
    ["/balas ADU-2026-00001 Sudah kami tindak lanjuti", { kind: "reply", ticket: "ADU-2026-00001", text: "Sudah kami tindak lanjuti" }],
    ["/reply adu-2026-00001 Done", { kind: "reply", ticket: "ADU-2026-00001", text: "Done" }],
    ["/catatan ADU-2026-00001 cek loket 3", { kind: "note", ticket: "ADU-2026-00001", text: "cek loket 3" }],
    ["/selesai ADU-2026-00001", { kind: "close", ticket: "ADU-2026-00001" }],
    ["/close", { kind: "close", ticket: undefined }],
    ["/daftar", { kind: "list" }],
    ["/bantuan", { kind: "help" }],
    ["/identitas ADU-2026-00007", { kind: "identity", ticket: "ADU-2026-00007" }],
    ["/foo", { kind: "unknownCommand", command: "foo" }],
    ["rapat jam 10 ya", { kind: "chatter" }],
  ])("%s", (text, intent) => {
    expect(parseStaffMessage(staffMessage(text), "reply")).toEqual(intent);
  });

  it("a reply to a bot message is relayed in reply mode, a note in command mode, and catatan: is always a note", () => {
    const reply = staffMessage("Mohon datang ke kantor", { replyToMessageId: "9" });
    expect(parseStaffMessage(reply, "reply")).toEqual({ kind: "reply", text: "Mohon datang ke kantor" });
    expect(parseStaffMessage(reply, "command")).toEqual({ kind: "note", text: "Mohon datang ke kantor" });
    expect(parseStaffMessage(staffMessage("catatan: jangan dibalas dulu", { replyToMessageId: "9" }), "reply")).toEqual({
      kind: "note",
      text: "jangan dibalas dulu",
    });
    expect(parseStaffMessage(staffMessage("Note: internal", { replyToMessageId: "9" }), "reply")).toEqual({
      kind: "note",
      text: "internal",
    });
  });

  it("reads card buttons", () => {
    expect(parseStaffMessage(staffMessage("", { callbackData: "close:ADU-2026-00003" }), "reply")).toEqual({
      kind: "close",
      ticket: "ADU-2026-00003",
    });
    expect(parseStaffMessage(staffMessage("", { callbackData: "history:ADU-2026-00003" }), "reply")).toEqual({
      kind: "history",
      ticket: "ADU-2026-00003",
    });
  });
});

describe("the staff console", () => {
  it("posts a masked card for a new complaint in the same transaction", async () => {
    await setup();
    const named = [
      "1",
      "Budi Santoso",
      "budi@example.id",
      "Jl. Kenanga 7",
      "1",
      "Petugas loket bersikap kasar kepada warga lanjut usia",
      "lewati",
      "ya",
    ];
    for (const text of ["halo", ...named]) await t!.pipeline.receive(textMessage("named", text));
    const card = await t!.db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: "card" } });
    expect(card).toMatchObject({ channel: "telegram", chatId: OPS, status: "pending" });
    const payload = JSON.parse(card.payload) as { text: string; buttons: { label: string; data: string }[][] };
    expect(payload.text).toMatch(TICKET);
    expect(payload.text).toContain("Perilaku Pegawai");
    expect(payload.text).toContain("B. S.");
    expect(payload.text).not.toMatch(/Budi|Santoso|budi@example|Kenanga/);
    expect(payload.buttons[0]!.map((b) => b.data)).toEqual([expect.stringMatching(/^close:ADU-/), expect.stringMatching(/^history:ADU-/)]);
  });

  it("relays /balas to the citizen's own channel with the office name and ticket, and audits it", async () => {
    const staff = await setup();
    const ticket = await fileComplaint("web-1", "webchat");
    const answer = await staff(staffMessage(`/balas ${ticket} Terima kasih, petugas sudah kami tegur.`));
    expect(texts(answer)).toMatch(/tersimpan|diteruskan/);
    const last = await t!.db.prisma.message.findFirstOrThrow({ where: { author: "staff" } });
    expect(last.text).toContain("Kecamatan Uji");
    expect(last.text).toContain(ticket);
    expect(last.text).toContain("petugas sudah kami tegur");
    const events = await t!.db.prisma.complaintEvent.findMany({ where: { type: "staff.reply" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.actor).toBe("staff:111");
  });

  it("sends the files the store keeps and names the ones it declined; with no text and no file left, sends nothing", async () => {
    // The store keeps photos and declines the rest, as the evidence types do for an executable.
    const storeFile: StaffFileStore = async (file) =>
      file.mime.startsWith("image/")
        ? {
            accepted: true,
            path: "/tmp/foto.jpg",
            mime: file.mime,
            filename: file.filename,
            record: { sha256: "ab", size: file.size, storagePath: "staff/foto.jpg" },
          }
        : { accepted: false, reason: "type", filename: file.filename };
    const staff = await setup("reply", storeFile);
    const ticket = await fileComplaint("tg-files", "telegram");
    const attachment = (filename: string, mime: string) => ({
      kind: mime.startsWith("image/") ? ("image" as const) : ("document" as const),
      mime,
      size: 3,
      filename,
      fetch: async () => new Uint8Array([1, 2, 3]),
    });
    const answer = await staff(
      staffMessage(`/balas ${ticket} Foto perbaikan terlampir`, {
        attachments: [attachment("foto.jpg", "image/jpeg"), attachment("setup.exe", "application/octet-stream")],
      }),
    );
    expect(texts(answer)).toMatch(/diteruskan/);
    expect(texts(answer)).toContain("Berkas berikut tidak ikut diteruskan");
    expect(texts(answer)).toContain("setup.exe");
    expect(await t!.db.prisma.complaintEvent.count({ where: { type: "staff.reply" } })).toBe(1);

    const nothing = await staff(staffMessage(`/balas ${ticket}`, { attachments: [attachment("setup.exe", "application/octet-stream")] }));
    expect(texts(nothing)).toContain(`Balasan untuk ${ticket} tidak dikirim`);
    expect(texts(nothing)).toContain("setup.exe");
    expect(await t!.db.prisma.complaintEvent.count({ where: { type: "staff.reply" } })).toBe(1);
  });

  it("relays a Telegram reply to the card, found through the card's message id", async () => {
    const staff = await setup();
    const ticket = await fileComplaint("tg-citizen", "telegram");
    await t!.db.prisma.outboxMessage.updateMany({ where: { kind: "card" }, data: { status: "sent", providerMessageId: "555" } });
    const answer = await staff(staffMessage("Mohon kirim foto KTP Anda", { replyToMessageId: "555" }));
    expect(texts(answer)).toContain(ticket);
    const toCitizen = await t!.db.prisma.outboxMessage.findMany({
      where: { channel: "telegram", chatId: "tg-citizen" },
      orderBy: { createdAt: "desc" },
      take: 1,
    });
    expect((JSON.parse(toCitizen[0]!.payload) as { text: string }).text).toContain("Mohon kirim foto KTP Anda");
  });

  it("keeps internal notes from the citizen, in both reply modes", async () => {
    const staff = await setup("command");
    const ticket = await fileComplaint("web-2");
    await t!.db.prisma.outboxMessage.updateMany({ where: { kind: "card" }, data: { status: "sent", providerMessageId: "777" } });
    expect(texts(await staff(staffMessage("ini catatan biasa", { replyToMessageId: "777" })))).toMatch(/Catatan internal/);
    expect(texts(await staff(staffMessage(`/catatan ${ticket} sudah koordinasi`)))).toMatch(/Catatan internal/);
    expect(await t!.db.prisma.message.count({ where: { author: "staff" } })).toBe(0);
    expect(await t!.db.prisma.complaintEvent.count({ where: { type: "staff.note" } })).toBe(2);
  });

  it("closes a complaint, asks the citizen for a rating, and stores the rating", async () => {
    const staff = await setup();
    const ticket = await fileComplaint("web-3");
    expect(texts(await staff(staffMessage(`/selesai ${ticket}`)))).toContain("ditutup");
    const complaint = await t!.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    expect(complaint.status).toBe("closed");
    const ask = await t!.db.prisma.message.findFirstOrThrow({ where: { direction: "out" }, orderBy: { id: "desc" } });
    expect(ask.text).toMatch(/1.*5/);
    const rated = await t!.pipeline.receive(textMessage("web-3", "5"));
    const thanks = await t!.pipeline.receive(textMessage("web-3", "Pelayanannya cepat"));
    expect([...rated.replies, ...thanks.replies].map((r) => r.text).join(" ")).toContain(ticket);
    expect(await t!.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).toMatchObject({
      rating: 5,
      ratingComment: "Pelayanannya cepat",
    });
    expect(texts(await staff(staffMessage(`/selesai ${ticket}`)))).toContain("sudah ditutup");
    expect((await outboxSaying(t!.db, { chatId: OPS }, "5/5")).length).toBeGreaterThan(0);
  });

  it("lists open complaints and answers /status and history", async () => {
    const staff = await setup();
    const a = await fileComplaint("web-4");
    const b = await fileComplaint("web-5");
    const list = texts(await staff(staffMessage("/daftar")));
    expect(list).toContain(a);
    expect(list).toContain(b);
    expect(texts(await staff(staffMessage(`/status ${a}`)))).toMatch(/terbuka[\s\S]*Pelayanan/);
    await staff(staffMessage(`/catatan ${a} dicek`));
    const history = texts(await staff(staffMessage("", { callbackData: `history:${a}` })));
    expect(history).toMatch(/diterima via chat website[\s\S]*catatan internal \(Wayan|staf 111\)?/);
  });

  it("refuses a stranger politely and changes nothing", async () => {
    const staff = await setup();
    const ticket = await fileComplaint("web-6");
    const answer = await staff(staffMessage(`/selesai ${ticket}`, { from: { id: "999", name: "Orang Lain" } }));
    expect(texts(answer)).toMatch(/belum terdaftar sebagai petugas/);
    expect((await t!.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).status).toBe("open");
    const relay = await staff(staffMessage(`/balas ${ticket} halo`, { from: { id: "999" } }));
    expect(texts(relay)).toMatch(/belum terdaftar/);
    expect(await t!.db.prisma.message.count({ where: { author: "staff" } })).toBe(0);
  });

  it("acts on complaints only in the staff group", async () => {
    const staff = await setup();
    const ticket = await fileComplaint("web-7");
    expect(texts(await staff(staffMessage(`/selesai ${ticket}`, { chatKind: "other", chatId: "-5" })))).toMatch(
      /hanya berlaku di grup petugas/,
    );
    expect(texts(await staff(staffMessage(`/selesai ${ticket}`, { chatKind: "private", chatId: "111" })))).toMatch(
      /hanya berlaku di grup petugas/,
    );
    expect((await t!.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).status).toBe("open");
  });

  it("shows a reporter's identity only in private, to allowed roles, and audits it", async () => {
    const staff = await setup();
    for (const text of [
      "halo",
      "1",
      "Siti Aminah",
      "siti@example.id",
      "Jl. Melati 3",
      "2",
      "Antrean KTP terlalu lama hingga lima jam",
      "lewati",
      "ya",
    ]) {
      await t!.pipeline.receive(textMessage("web-8", text));
    }
    const ticket = (await t!.db.prisma.complaint.findFirstOrThrow()).ticket;
    expect(texts(await staff(staffMessage(`/identitas ${ticket}`)))).toMatch(/chat pribadi/);
    expect(texts(await staff(staffMessage(`/identitas ${ticket}`, { chatKind: "private", chatId: "111" })))).toMatch(/tidak berwenang/);
    await t!.db.prisma.staff.create({ data: { id: "s1", telegramId: "111", name: "Wayan", role: "pimpinan" } });
    const shown = texts(await staff(staffMessage(`/identitas ${ticket}`, { chatKind: "private", chatId: "111" })));
    expect(shown).toContain("Siti Aminah");
    expect(shown).toContain("siti@example.id");
    const audit = await t!.db.prisma.complaintEvent.findMany({
      where: { type: { in: ["staff.identity", "staff.identityDenied"] } },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((e) => e.type)).toEqual(["staff.identityDenied", "staff.identity"]);
    expect(audit.every((e) => e.actor === "staff:111")).toBe(true);
  });

  it("acts once on a redelivered update", async () => {
    const staff = await setup();
    const ticket = await fileComplaint("web-9");
    const message = staffMessage(`/balas ${ticket} satu kali saja`);
    await staff(message);
    const again = await staff(message);
    expect(again.messages).toEqual([]);
    expect(await t!.db.prisma.message.count({ where: { author: "staff" } })).toBe(1);
  });

  it("threads a citizen's follow-up under the complaint's card", async () => {
    await setup();
    const ticket = await fileComplaint("web-10");
    await t!.pipeline.receive(textMessage("web-10", "Tambahan: kejadian hari Senin"));
    const followup = await t!.db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: "staff", chatId: OPS } });
    const payload = JSON.parse(followup.payload) as { text: string; threadOf: string };
    expect(payload.text).toContain(ticket);
    expect(payload.text).toContain("kejadian hari Senin");
    expect(payload.threadOf).toBe(followup.complaintId);
  });
});

describe("reply windows (WhatsApp, Messenger, Instagram)", () => {
  it("tells staff at once when a reply cannot be delivered outside the window, and relays none", async () => {
    t = await createTestPipeline({ overrides: { staffFeed: { channel: "telegram", chatId: OPS, locale: "id", replyMode: "reply" } } });
    const windowed = { ...PUSH, replyWindow: { hours: 24, outside: "none" as const } };
    let now = new Date();
    const staff = createStaffConsole({
      db: t.db,
      voice: t.pipeline,
      templates,
      sop,
      settings: staffSettings(["111"], OPS),
      limitsOf: (channel) => (channel === "whatsapp-cloud" ? windowed : PUSH),
      clock: () => now,
    });
    const ticket = await (async () => {
      let last: ReceiveResult | undefined;
      const extra = { channel: "whatsapp-cloud" as const, sender: { id: "6281234", phone: "+6281234" } };
      for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t.pipeline.receive(textMessage("6281234", text, extra));
      return TICKET.exec(last!.replies.map((r) => r.text).join(" "))![0];
    })();
    const inside = await staff(staffMessage(`/balas ${ticket} masih dalam 24 jam`));
    expect(texts(inside)).toMatch(/diteruskan/);
    now = new Date(Date.now() + 25 * 3_600_000);
    const outside = await staff(staffMessage(`/balas ${ticket} sudah lewat sehari`));
    expect(texts(outside)).toMatch(/tidak dapat dikirim via WhatsApp.*24 jam/s);
    expect(await t.db.prisma.message.count({ where: { author: "staff" } })).toBe(1);
    expect(await t.db.prisma.complaintEvent.count({ where: { type: "staff.replyUndeliverable" } })).toBe(1);
  });
});
