/**
 * Text PostgreSQL refuses (NUL, lone surrogates) from every way in: a push channel's message (ids,
 * name, text, file name) through pipeline.receive, and staff text through the staff console. The
 * suite runs on SQLite and PostgreSQL (test:pg): both must store the same cleaned text.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSopPreset } from "../../src/complaints/index.js";
import type { StaffMessage } from "../../src/core/index.js";
import { repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import { createStaffConsole } from "../../src/staff/index.js";
import { ANONYMOUS_INTAKE, createTestPipeline, PULL, PUSH, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { staffSettings } from "../helpers/staff-settings.js";

const OPS = "-100200300";
let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("outside text is cleaned once, in the pipeline", () => {
  it("stores a Telegram-like message whose ids, name, text and file name hold NUL and lone surrogates", async () => {
    t = await createTestPipeline();
    const chatId = "77\u000001\ud800";
    const sender = { id: "77\u000001\ud800", displayName: "Ni Luh \u0000Ayu \udfff" };
    const first = await t.pipeline.receive(
      textMessage(chatId, "halo\u0000", { channel: "telegram", sender, providerMessageId: "u\u00001" }),
    );
    expect(first.status).toBe("processed");
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    const withFile = await t.pipeline.receive(
      textMessage(chatId, "foto \ud83d", {
        channel: "telegram",
        sender,
        providerMessageId: "u\u00002",
        attachments: [
          { kind: "image", mime: "image/jpeg\u0000", size: jpeg.byteLength, filename: "bukti\u0000\udc00.jpg", fetch: async () => jpeg },
        ],
      }),
    );
    expect(withFile.status).toBe("processed");
    const conversation = await t.db.prisma.conversation.findUniqueOrThrow({
      where: { channel_chatId: { channel: "telegram", chatId: "7701\ufffd" } },
      include: { messages: { where: { direction: "in" }, orderBy: { id: "asc" } } },
    });
    expect(conversation.senderId).toBe("7701\ufffd");
    expect(conversation.messages.map((m) => [m.providerMessageId, m.text])).toEqual([
      ["u1", "halo"],
      ["u2", "foto \ufffd"],
    ]);
    // The same message redelivered (with its NUL) is the same message.
    const again = await t.pipeline.receive(
      textMessage(chatId, "halo\u0000", { channel: "telegram", sender, providerMessageId: "u\u00001" }),
    );
    expect(again.status).toBe("duplicate");
  });

  it("files a complaint whose text held NUL and lone surrogates", async () => {
    t = await createTestPipeline();
    const intake = ["halo\u0000", ...ANONYMOUS_INTAKE].map((text) => (text.startsWith("Petugas") ? `${text} \u0000\udc00` : text));
    let last = "";
    for (const text of intake) last = (await t.pipeline.receive(textMessage("web-nul", text))).replies.map((r) => r.text).join("\n");
    expect(last).toMatch(TICKET);
    const complaint = await t.db.prisma.complaint.findFirstOrThrow();
    expect(complaint.text).toContain("mempercepat KTP \ufffd");
    expect(complaint.text).not.toContain("\u0000");
  });
});

describe("staff text is cleaned by the staff console", () => {
  it("relays a reply and keeps a note whose text held NUL and a lone surrogate", async () => {
    t = await createTestPipeline({ overrides: { staffFeed: { channel: "telegram", chatId: OPS, locale: "id", replyMode: "reply" } } });
    const staff = createStaffConsole({
      db: t.db,
      voice: t.pipeline,
      templates: loadTemplates(join(repoRoot, "templates")),
      sop: loadSopPreset(join(repoRoot, "templates"), "generic"),
      settings: staffSettings(["111"], OPS),
      limitsOf: (channel) => (channel === "webchat" ? PULL : PUSH),
    });
    let last = "";
    for (const text of ["halo", ...ANONYMOUS_INTAKE])
      last = (await t.pipeline.receive(textMessage("web-staff", text))).replies.map((r) => r.text).join(" ");
    const ticket = TICKET.exec(last)![0];
    const message = (update: string, text: string): StaffMessage => ({
      updateId: `${update}\u0000`,
      from: { id: "111", name: "Wa\u0000yan \ud800" },
      chatKind: "ops",
      chatId: OPS,
      messageId: update,
      text,
      attachments: [],
      receivedAt: new Date(),
    });
    await staff(message("1", `/balas ${ticket} Sudah kami\u0000 tindak lanjuti \udc00`));
    await staff(message("2", `/catatan ${ticket} cek loket\u0000 3 \ud83d`));
    const relayed = await t.db.prisma.message.findFirstOrThrow({ where: { author: "staff" } });
    expect(relayed.text).toContain("Sudah kami tindak lanjuti \ufffd");
    const note = await t.db.prisma.complaintEvent.findFirstOrThrow({ where: { type: "staff.note" } });
    expect(note.data).toContain("cek loket 3");
    expect(note.data).not.toContain("\\u0000");
  });
});
