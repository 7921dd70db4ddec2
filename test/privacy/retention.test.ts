import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { ERASED_EVENT, retentionRound } from "../../src/privacy/index.js";
import { createTestPipeline, textMessage, type TestPipeline } from "../helpers/pipeline.js";
import { attachFile, BUDI, close, fileComplaint, monthsBefore, restoreTestKey, SITI } from "./helpers.js";
import { join } from "node:path";

let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  restoreTestKey();
});

describe("the retention duty (RETENTION_MONTHS)", () => {
  it("erases a complaint closed longer ago than the period — identity, texts, files — and keeps what the recap counts", async () => {
    t = await createTestPipeline();
    const now = new Date();
    const old = await fileComplaint(t, "ret-old", SITI, "Petugas loket meminta uang tambahan, saya Siti Aminah dari Banjar Melati");
    await t.pipeline.receive(textMessage("ret-old", "Tambahan: kejadiannya hari Senin", { sender: { id: "ret-old" } }));
    const recent = await fileComplaint(t, "ret-new", BUDI, "Jalan berlubang di depan rumah saya belum diperbaiki");
    const open = await fileComplaint(
      t,
      "ret-open",
      { ...BUDI, name: "Dewi Lestari", email: "dewi@example.id" },
      "Lampu jalan mati sejak seminggu",
    );
    const oldOnly = await attachFile(t, old.id, "evidence only the old complaint has");
    const shared = await attachFile(t, old.id, "the same photo sent to both");
    await attachFile(t, recent.id, "the same photo sent to both");
    await close(t, old.id, monthsBefore(now, 61), { score: 4, comment: "Terima kasih, Siti" });
    await close(t, recent.id, monthsBefore(now, 2), { score: 5, comment: "Cepat, terima kasih Budi" });
    // The open one is older still: only a closing starts the clock.
    await t.db.prisma.complaint.update({ where: { id: open.id }, data: { receivedAt: monthsBefore(now, 80) } });
    const before = await t.db.prisma.complaint.findUniqueOrThrow({ where: { id: old.id }, include: { events: true } });

    const dir = join(t.dir, "attachments");
    expect(await retentionRound(t.db, { months: 60, attachmentsDir: dir, now })).toEqual({ erased: 1 });

    const after = await t.db.prisma.complaint.findUniqueOrThrow({
      where: { id: old.id },
      include: { complainant: true, events: true, attachments: true },
    });
    // Kept: what the recap counts.
    expect(after).toMatchObject({
      ticket: old.ticket,
      kind: before.kind,
      category: before.category,
      channel: before.channel,
      status: "closed",
      sopStep: "done",
      rating: 4,
      receivedAt: before.receivedAt,
      closedAt: before.closedAt,
    });
    expect(after.events.map((e) => e.type)).toEqual(expect.arrayContaining([...before.events.map((e) => e.type), ERASED_EVENT]));
    const erasedEvent = after.events.find((e) => e.type === ERASED_EVENT)!;
    expect(erasedEvent.actor).toBe("system:retention");
    expect(JSON.parse(erasedEvent.data)).toMatchObject({ why: "retention", files: 2 });
    // Gone: the identity, every text, the files.
    expect(after.text).toBe("");
    expect(after.ratingComment).toBeNull();
    expect(after.complainant).toMatchObject({ name: null, email: null, phone: null, address: null });
    expect(await t.db.prisma.channelIdentity.count({ where: { complainantId: after.complainantId } })).toBe(0);
    const followup = after.events.find((e) => e.type === "citizen.followup")!;
    expect(JSON.parse(followup.data)).not.toHaveProperty("text");
    const conversation = await t.db.prisma.conversation.findUniqueOrThrow({
      where: { id: after.conversationId },
      include: { messages: true },
    });
    expect(conversation.chatId).not.toBe("ret-old");
    expect(conversation.messages.length).toBeGreaterThan(5);
    expect(conversation.messages.every((m) => m.text === "")).toBe(true);
    expect(after.attachments).toEqual([]);
    expect(existsSync(oldOnly)).toBe(false);
    // A file another complaint still names stays.
    expect(existsSync(shared)).toBe(true);

    // Untouched: the complaint closed within the period, and the open one.
    const kept = await t.db.prisma.complaint.findUniqueOrThrow({
      where: { id: recent.id },
      include: { complainant: true, attachments: true },
    });
    expect(kept.complainant.name).toBe(BUDI.name);
    expect(kept.text).toContain("Jalan berlubang");
    expect(kept.ratingComment).toBe("Cepat, terima kasih Budi");
    expect(kept.attachments).toHaveLength(1);
    const stillOpen = await t.db.prisma.complaint.findUniqueOrThrow({ where: { id: open.id }, include: { complainant: true } });
    expect(stillOpen.complainant.name).toBe("Dewi Lestari");
    expect(
      (await t.db.prisma.message.findMany({ where: { conversation: { chatId: "ret-new" } } })).some((m) => m.text.includes("Jalan")),
    ).toBe(true);

    // Idempotent; and 0 months keeps everything.
    expect(await retentionRound(t.db, { months: 60, attachmentsDir: dir, now })).toEqual({ erased: 0 });
    expect(await retentionRound(t.db, { months: 0, attachmentsDir: dir, now: monthsBefore(now, -100) })).toEqual({ erased: 0 });
  });

  it("keeps the person while another complaint of theirs remains: only the erased complaint is detached from them", async () => {
    t = await createTestPipeline();
    const now = new Date();
    const first = await fileComplaint(t, "chat-a", SITI, "Pertama: antrean loket terlalu panjang", "same-person");
    const second = await fileComplaint(t, "chat-b", SITI, "Kedua: toilet kantor kotor", "same-person");
    const a = await t.db.prisma.complaint.findUniqueOrThrow({ where: { id: first.id } });
    const b = await t.db.prisma.complaint.findUniqueOrThrow({ where: { id: second.id } });
    expect(a.complainantId).toBe(b.complainantId);
    await close(t, first.id, monthsBefore(now, 13));
    expect(await retentionRound(t.db, { months: 12, attachmentsDir: t.dir, now })).toEqual({ erased: 1 });
    const erased = await t.db.prisma.complaint.findUniqueOrThrow({ where: { id: first.id }, include: { complainant: true } });
    expect(erased.complainantId).not.toBe(a.complainantId);
    expect(erased.complainant).toMatchObject({ name: null, phone: null, email: null, address: null });
    expect(erased.text).toBe("");
    const other = await t.db.prisma.complaint.findUniqueOrThrow({ where: { id: second.id }, include: { complainant: true } });
    expect(other.complainant.name).toBe(SITI.name);
    expect(other.text).toContain("toilet");
    expect(await t.db.prisma.channelIdentity.count({ where: { complainantId: b.complainantId } })).toBe(1);
    // The second complaint's conversation keeps its chat and its messages.
    const conversation = await t.db.prisma.conversation.findUniqueOrThrow({ where: { id: b.conversationId }, include: { messages: true } });
    expect(conversation.chatId).toBe("chat-b");
    expect(conversation.messages.some((m) => m.text.includes("toilet"))).toBe(true);
  });
});
