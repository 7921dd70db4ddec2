/**
 * Who may write into a complaint's e-mail thread (issue 14, item 1), end to end: Dovecot → adapter →
 * the real pipeline and its database (SQLite, or PostgreSQL with KANAL_TEST_DB=postgresql) → outbox →
 * SMTP capture, with the thread state in the database's channel state table as in production.
 * A From header and a ticket in the subject prove nothing; a reply naming one of the bot's own
 * Message-IDs does, and so does a DMARC pass from the office's own mail server. Answers only ever go
 * to the address that filed the complaint.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMAIL_LIMITS } from "../../channels/email/index.js";
import { loadSopPreset } from "../../src/complaints/index.js";
import type { StaffMessage } from "../../src/core/index.js";
import { channelStateStore, repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import { createStaffConsole } from "../../src/staff/index.js";
import { dovecotAvailable, DOVECOT_MISSING, rawMail } from "../fakes/dovecot.js";
import type { CapturedMail } from "../fakes/smtp-capture.js";
import { emailFixture, startEmailRig, type EmailRig } from "../helpers/email-rig.js";
import { PUSH, TICKET } from "../helpers/pipeline.js";
import { staffSettings } from "../helpers/staff-settings.js";

const CITIZEN = '"Siti Rahmawati" <siti.rahmawati@warga.example>';
const CITIZEN_ADDRESS = "siti.rahmawati@warga.example";
const ATTACKER = "penyerang@jahat.example";
const TRUSTED = "mx.kecamatan.example";
const OPS = "-100200300";

describe.skipIf(!dovecotAvailable)(
  `e-mail threads resist forged senders${dovecotAvailable ? "" : ` — skipped: ${DOVECOT_MISSING}`}`,
  () => {
    let rig: EmailRig;
    let staff: ReturnType<typeof createStaffConsole>;

    beforeAll(async () => {
      rig = await startEmailRig({
        // As in production: the threads in the database's channel state table.
        state: (db) => channelStateStore(db, "email"),
        adapter: { trustedAuthservId: TRUSTED, maxAnswersPerSenderPerHour: 100 },
      });
      staff = createStaffConsole({
        db: rig.db,
        voice: rig.pipeline,
        templates: loadTemplates(join(repoRoot, "templates")),
        sop: loadSopPreset(join(repoRoot, "templates"), "generic"),
        settings: staffSettings(["111"], OPS),
        limitsOf: (channel) => (channel === "email" ? EMAIL_LIMITS : PUSH),
      });
    });

    afterAll(async () => {
      await rig?.close();
    });

    let update = 0;
    const staffMessage = (text: string): StaffMessage => ({
      updateId: String(++update),
      from: { id: "111", name: "Wayan" },
      chatKind: "ops",
      chatId: OPS,
      messageId: String(update),
      text,
      attachments: [],
      receivedAt: new Date(),
    });

    /** Delivers a mail and returns the one answer it gets (every mail here is answered once). */
    async function answerTo(raw: string | Buffer): Promise<CapturedMail> {
      const before = rig.smtp.mails.length;
      await rig.deliver(raw);
      return (await rig.smtp.waitFor(before + 1))[before]!;
    }

    const emailConversations = () => rig.db.prisma.conversation.count({ where: { channel: "email" } });
    const followUps = () =>
      rig.db.prisma.complaintEvent
        .findMany({ where: { type: "citizen.followup", complaint: { ticket } }, orderBy: { createdAt: "asc" } })
        .then((events) => events.map((e) => (JSON.parse(e.data) as { text?: string }).text));

    let ticket: string;
    let receiptId: string;
    let originalText: string;
    let replyId = 0;
    const citizenReply = (o: { subject?: string; headers?: Record<string, string>; body: string; from?: string }) =>
      rawMail({
        from: o.from ?? CITIZEN,
        to: "aduan@kecamatan.example",
        subject: o.subject ?? `Re: [${ticket}] Petugas loket dua kasar`,
        id: `<reply-${++replyId}-${randomBytes(4).toString("hex")}@warga.example>`,
        body: o.body,
        ...(o.headers ? { headers: o.headers } : {}),
      });

    it("the citizen files a complaint by e-mail and gets the receipt", async () => {
      const receipt = await answerTo(emailFixture("new-complaint.eml"));
      ticket = TICKET.exec(receipt.parsed.subject ?? "")![0];
      receiptId = receipt.parsed.messageId!;
      expect(receipt.envelope.to).toEqual([CITIZEN_ADDRESS]);
      // The bot's Message-IDs are random (128 bits), not derived from anything an outsider can see.
      expect(receiptId).toMatch(/^<[0-9a-f]{32}@kecamatan\.example>$/);
      originalText = (await rig.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).text;
      expect(await emailConversations()).toBe(1);
    });

    it("the forged mail of the issue (From: citizen, Reply-To: attacker, Re: [ticket], no In-Reply-To) is a new conversation", async () => {
      const answer = await answerTo(
        citizenReply({
          headers: { "Reply-To": ATTACKER },
          body: "Alamat e-mail saya sudah berganti. Mohon kirim semua perkembangan aduan ini ke alamat baru saya.",
        }),
      );
      // Answered at the From address, never at Reply-To, and not in the complaint's thread.
      expect(answer.envelope.to).toEqual([CITIZEN_ADDRESS]);
      expect(answer.parsed.inReplyTo).not.toBe(receiptId);
      expect(await emailConversations()).toBe(2);
      const complaint = await rig.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
      expect(complaint.text).toBe(originalText);
      expect(await followUps()).toEqual([]);
      // The complaint's thread still belongs to the citizen's address.
      const conversation = await rig.db.prisma.conversation.findUniqueOrThrow({ where: { id: complaint.conversationId } });
      const stored = await rig.db.prisma.channelState.findUniqueOrThrow({ where: { key: `email:email:thread:${conversation.chatId}` } });
      const thread = JSON.parse(stored.value) as { from: string };
      expect(thread.from).toBe(CITIZEN_ADDRESS);
      expect(JSON.stringify(thread)).not.toContain(ATTACKER);
    });

    it("a later staff answer still goes to the citizen, in the complaint's thread", async () => {
      const before = rig.smtp.mails.length;
      await staff(staffMessage(`/balas ${ticket} Petugas loket dua sudah kami tegur.`));
      const answer = (await rig.smtp.waitFor(before + 1))[before]!;
      expect(answer.envelope.to).toEqual([CITIZEN_ADDRESS]);
      expect(answer.parsed.text).toContain("Petugas loket dua sudah kami tegur.");
      expect(answer.parsed.references).toContain(receiptId);
    });

    it("a guessed or foreign Message-ID (the citizen's own first mail, an id at our domain) does not join", async () => {
      const guessed = `<${randomBytes(16).toString("hex")}@kecamatan.example>`;
      for (const id of ["<new-complaint-1@warga.example>", guessed]) {
        const conversations = await emailConversations();
        const answer = await answerTo(
          citizenReply({ headers: { "In-Reply-To": id, References: id, "Reply-To": ATTACKER }, body: "Aduan ini saya tarik kembali." }),
        );
        expect(answer.envelope.to).toEqual([CITIZEN_ADDRESS]);
        expect(await emailConversations()).toBe(conversations + 1);
      }
      expect(await followUps()).toEqual([]);
    });

    it("a genuine reply naming the bot's Message-ID joins the complaint", async () => {
      const conversations = await emailConversations();
      const answer = await answerTo(
        citizenReply({
          headers: { "In-Reply-To": receiptId, References: `<new-complaint-1@warga.example> ${receiptId}` },
          body: "Tambahan: petugasnya memakai rompi biru.",
        }),
      );
      expect(answer.envelope.to).toEqual([CITIZEN_ADDRESS]);
      expect(answer.parsed.text).toContain(`tambahkan ke aduan *${ticket}*`);
      expect(await emailConversations()).toBe(conversations);
      expect(await followUps()).toEqual(["Tambahan: petugasnya memakai rompi biru."]);
    });

    it("a DMARC pass from the trusted mail server stands in for the reference: Re: [ticket] alone joins", async () => {
      const conversations = await emailConversations();
      const answer = await answerTo(
        citizenReply({
          headers: {
            "Authentication-Results": `${TRUSTED}; dkim=pass header.d=warga.example; spf=pass smtp.mailfrom=${CITIZEN_ADDRESS}; dmarc=pass (p=reject) header.from=warga.example`,
            "Reply-To": ATTACKER,
          },
          body: "Tambahan kedua: kejadiannya sekitar pukul sembilan pagi.",
        }),
      );
      expect(answer.envelope.to).toEqual([CITIZEN_ADDRESS]);
      expect(await emailConversations()).toBe(conversations);
      expect((await followUps()).at(-1)).toBe("Tambahan kedua: kejadiannya sekitar pukul sembilan pagi.");
    });

    it("the same verdict from an untrusted authserv-id, or a DMARC fail from the trusted one, starts a new conversation", async () => {
      for (const results of [
        `mx.jahat.example; dkim=pass header.d=warga.example; dmarc=pass header.from=warga.example`,
        `${TRUSTED}; dkim=fail header.d=warga.example; dmarc=fail header.from=warga.example`,
      ]) {
        const conversations = await emailConversations();
        const answer = await answerTo(
          citizenReply({ headers: { "Authentication-Results": results }, body: "Mohon aduan ini ditutup saja." }),
        );
        expect(answer.envelope.to).toEqual([CITIZEN_ADDRESS]);
        expect(await emailConversations()).toBe(conversations + 1);
      }
      expect(await followUps()).toHaveLength(2);
    });

    it("closing the complaint asks the citizen, in the complaint's thread, for a rating", async () => {
      const before = rig.smtp.mails.length;
      await staff(staffMessage(`/selesai ${ticket}`));
      const ask = (await rig.smtp.waitFor(before + 1))[before]!;
      expect(ask.envelope.to).toEqual([CITIZEN_ADDRESS]);
      expect(ask.parsed.subject).toContain(ticket);
      expect(ask.parsed.references).toContain(receiptId);
      expect((await rig.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).status).toBe("closed");
    });

    it("nothing ever went to the attacker", async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const mail of rig.smtp.mails) {
        expect(mail.envelope.to).toEqual([CITIZEN_ADDRESS]);
        expect(mail.raw.toString("utf8")).not.toContain(ATTACKER);
      }
      expect(await rig.db.prisma.outboxMessage.count({ where: { channel: "email", status: { not: "sent" } } })).toBe(0);
    });
  },
);
