import { afterEach, describe, expect, it } from "vitest";
import { ANONYMOUS_INTAKE, createTestPipeline, PUSH, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function talk(pipeline: TestPipeline["pipeline"], chatId: string, lines: string[], extra = {}) {
  const all = [];
  for (const line of lines) all.push(await pipeline.receive(textMessage(chatId, line, extra)));
  return all;
}

describe("pipeline.receive", () => {
  it("takes a citizen from the first message to a stored complaint with a ticket", async () => {
    t = await createTestPipeline();
    const results = await talk(t.pipeline, "chat-1", ["halo", ...ANONYMOUS_INTAKE]);
    const receipt = results
      .at(-1)!
      .replies.map((r) => r.text)
      .join("\n");
    const ticket = TICKET.exec(receipt)?.[0];
    expect(ticket).toBeDefined();

    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket: ticket! } });
    expect(complaint).toMatchObject({ kind: "complaint", category: "Pelayanan", channel: "webchat", status: "open", sopStep: "register" });
    expect(complaint.text).toContain("biaya tambahan");
    expect(complaint.stepDueAt!.getTime()).toBeGreaterThan(complaint.receivedAt.getTime());
    const complainant = await t.db.prisma.complainant.findUniqueOrThrow({ where: { id: complaint.complainantId } });
    expect(complainant).toMatchObject({ anonymous: true, name: null, phone: null });
    const events = await t.db.prisma.complaintEvent.findMany({ where: { complaintId: complaint.id } });
    expect(events.map((e) => e.type)).toEqual(["received"]);

    // Every message in and out is stored, in order, on the conversation.
    const messages = await t.db.prisma.message.findMany({ orderBy: { id: "asc" } });
    expect(messages.filter((m) => m.direction === "in")).toHaveLength(1 + ANONYMOUS_INTAKE.length);
    expect(messages.at(-1)!.text).toContain(ticket!);
    const conversation = await t.db.prisma.conversation.findFirstOrThrow();
    expect(conversation.step).toBe("filed");
    expect(conversation.complaintId).toBe(complaint.id);
    // A pull channel (web chat) never goes through the outbox.
    expect(await t.db.prisma.outboxMessage.count()).toBe(0);
  });

  it("queues every reply of a push channel in the outbox, in the same transaction", async () => {
    t = await createTestPipeline();
    const results = await talk(t.pipeline, "tg-7", ["halo", ...ANONYMOUS_INTAKE], {
      channel: "telegram",
      sender: { id: "7", displayName: "Budi" },
    });
    const replies = results.flatMap((r) => r.replies);
    const outbox = await t.db.prisma.outboxMessage.findMany({ orderBy: { createdAt: "asc" } });
    expect(outbox).toHaveLength(replies.length);
    expect(outbox.every((row) => row.status === "pending" && row.channel === "telegram" && row.chatId === "tg-7")).toBe(true);
    const last = JSON.parse(outbox.at(-1)!.payload) as { text: string; ticket?: string };
    expect(last.ticket).toMatch(TICKET);
    expect(t.outboxWakeups).toBeGreaterThan(0);
  });

  it("processes a redelivered message once and answers it with the same replies", async () => {
    t = await createTestPipeline();
    await t.pipeline.receive(textMessage("dup", "halo"));
    const first = await t.pipeline.receive(textMessage("dup", "1", { providerMessageId: "same-id" }));
    const again = await t.pipeline.receive(textMessage("dup", "1", { providerMessageId: "same-id" }));
    expect(first.status).toBe("processed");
    expect(again.status).toBe("duplicate");
    expect(again.replies).toEqual(first.replies);
    expect(await t.db.prisma.message.count({ where: { direction: "in" } })).toBe(2);
    const state = JSON.parse((await t.db.prisma.conversation.findFirstOrThrow()).state) as { step: string };
    expect(state.step).toBe("askName");
  });

  it("stores a duplicate once even when both copies arrive at the same moment", async () => {
    t = await createTestPipeline();
    const copies = await Promise.all(
      Array.from({ length: 10 }, () => t!.pipeline.receive(textMessage("burst", "halo", { providerMessageId: "burst-1" }))),
    );
    expect(copies.filter((c) => c.status === "processed")).toHaveLength(1);
    expect(await t.db.prisma.message.count({ where: { direction: "in" } })).toBe(1);
    expect(new Set(copies.map((c) => JSON.stringify(c.replies))).size).toBe(1);
  });

  it("gives unique, consecutive tickets to 150 confirmations racing each other", async () => {
    t = await createTestPipeline();
    const chats = Array.from({ length: 150 }, (_, i) => `race-${i}`);
    const before = ["halo", ...ANONYMOUS_INTAKE.slice(0, -1)];
    await Promise.all(chats.map((chat) => talk(t!.pipeline, chat, before)));
    const receipts = await Promise.all(chats.map((chat) => t!.pipeline.receive(textMessage(chat, "ya"))));
    const tickets = receipts.map((r) => TICKET.exec(r.replies.map((x) => x.text).join(" "))?.[0]);
    expect(tickets.every(Boolean)).toBe(true);
    expect(new Set(tickets).size).toBe(150);
    const numbers = tickets.map((x) => Number(x!.split("-")[2])).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(await t.db.prisma.complaint.count()).toBe(150);
  });

  it("answers `status <ticket>` only to the complainant who filed it", async () => {
    t = await createTestPipeline();
    const results = await talk(t.pipeline, "owner", ["halo", ...ANONYMOUS_INTAKE]);
    const ticket = TICKET.exec(
      results
        .at(-1)!
        .replies.map((r) => r.text)
        .join(" "),
    )![0];

    const own = await t.pipeline.receive(textMessage("owner", `status ${ticket}`));
    expect(own.replies.map((r) => r.text).join("\n")).toContain(ticket);
    expect(own.replies[0]!.text).toMatch(/Diterima dan dicatat/);

    await t.pipeline.receive(textMessage("stranger", "halo"));
    const stranger = await t.pipeline.receive(textMessage("stranger", `status ${ticket}`));
    const missing = await t.pipeline.receive(textMessage("stranger", "status ADU-2026-99999"));
    // The same answer as for a ticket that does not exist (apart from the number itself).
    expect(stranger.replies[0]!.text.replaceAll(ticket, "X")).toBe(missing.replies[0]!.text.replaceAll("ADU-2026-99999", "X"));
    expect(stranger.replies[0]!.text).not.toMatch(/Diterima dan dicatat|Pelayanan/);
  });

  it("adds a citizen's later messages to the filed complaint and acknowledges them with the ticket", async () => {
    t = await createTestPipeline();
    const results = await talk(t.pipeline, "follow", ["halo", ...ANONYMOUS_INTAKE]);
    const ticket = TICKET.exec(
      results
        .at(-1)!
        .replies.map((r) => r.text)
        .join(" "),
    )![0];
    const more = await t.pipeline.receive(textMessage("follow", "Kejadiannya hari Senin pukul 10 pagi"));
    expect(more.replies.map((r) => r.text).join(" ")).toContain(ticket);
    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket }, include: { events: true } });
    const followup = complaint.events.find((e) => e.type === "citizen.followup");
    expect(JSON.parse(followup!.data)).toMatchObject({ text: "Kejadiannya hari Senin pukul 10 pagi" });
  });

  it("fills a WhatsApp-style known phone into the complainant without asking for it", async () => {
    t = await createTestPipeline();
    const lines = [
      "1",
      "Siti Aminah",
      "siti@example.id",
      "Jl. Melati 3, Denpasar",
      "3",
      "Lampu jalan di depan kantor desa mati sejak seminggu",
      "lewati",
      "ya",
    ];
    const extra = { channel: "telegram" as const, sender: { id: "6281234567890", phone: "+6281234567890", displayName: "Siti" } };
    await t.pipeline.receive(textMessage("wa-1", "halo", extra));
    const results = await talk(t.pipeline, "wa-1", lines, extra);
    const ticket = TICKET.exec(
      results
        .at(-1)!
        .replies.map((r) => r.text)
        .join(" "),
    )![0];
    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({
      where: { ticket },
      include: { complainant: { include: { identities: true } } },
    });
    expect(complaint.category).toBe("Sarana Prasarana");
    expect(complaint.complainant).toMatchObject({
      name: "Siti Aminah",
      email: "siti@example.id",
      phone: "+6281234567890",
      address: "Jl. Melati 3, Denpasar",
      anonymous: false,
    });
    expect(complaint.complainant.identities).toEqual([expect.objectContaining({ channel: "telegram", externalId: "6281234567890" })]);
  });

  it("records an information request as such, not as a complaint", async () => {
    t = await createTestPipeline();
    const results = await talk(t.pipeline, "info", ["halo", "3", "Apa saja syarat membuat akta kelahiran untuk anak kedua?"]);
    const ticket = TICKET.exec(
      results
        .at(-1)!
        .replies.map((r) => r.text)
        .join(" "),
    )?.[0];
    expect(ticket).toBeDefined();
    const row = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket: ticket! } });
    expect(row.kind).toBe("information");
    expect(row.category).toBeNull();
  });
});

describe("the e-mail variant's corrections", () => {
  it("stores a corrected category and a given name on the complaint filed from a first e-mail", async () => {
    t = await createTestPipeline({ limits: { email: { ...PUSH, oneMessagePerStep: true } } });
    const extra = { channel: "email" as const, sender: { id: "warga@example.id", email: "warga@example.id" } };
    const first = await t.pipeline.receive(
      textMessage(
        "warga@example.id#1",
        "Lampu penerangan jalan di depan kantor kelurahan sudah mati dua minggu dan belum diperbaiki sampai sekarang.",
        extra,
      ),
    );
    const ticket = TICKET.exec(first.replies.map((r) => r.text).join(" "))![0];
    const filed = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    expect(filed.category).toBe("Sarana Prasarana");
    // One mail for the step, however many replies it has.
    expect(await t.db.prisma.outboxMessage.count({ where: { channel: "email" } })).toBe(1);

    await t.pipeline.receive(textMessage("warga@example.id#1", "2", extra));
    expect((await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).category).toBe("Pelayanan");
    await t.pipeline.receive(textMessage("warga@example.id#1", "Nama: Dewi Lestari", extra));
    const person = await t.db.prisma.complainant.findUniqueOrThrow({ where: { id: filed.complainantId } });
    expect(person.name).toBe("Dewi Lestari");
    const types = (await t.db.prisma.complaintEvent.findMany({ where: { complaintId: filed.id }, orderBy: { createdAt: "asc" } })).map(
      (e) => e.type,
    );
    expect(types).toEqual(expect.arrayContaining(["received", "citizen.category", "citizen.name"]));
  });
});
