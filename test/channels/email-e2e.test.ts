/**
 * The e-mail channel end to end: Dovecot → adapter → the real pipeline (SQLite) → outbox worker →
 * adapter → SMTP capture. A citizen's first e-mail is filed at once and answered in its thread;
 * the citizen's replies in the thread continue the same conversation; a redelivery after a
 * UIDVALIDITY change is recorded once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dovecotAvailable, DOVECOT_MISSING, eventually, MemoryState, rawMail } from "../fakes/dovecot.js";
import { emailFixture, startEmailRig, type EmailRig } from "../helpers/email-rig.js";
import { TICKET } from "../helpers/pipeline.js";

const CITIZEN = '"Siti Rahmawati" <siti.rahmawati@warga.example>';

describe.skipIf(!dovecotAvailable)(`e-mail end to end${dovecotAvailable ? "" : ` — skipped: ${DOVECOT_MISSING}`}`, () => {
  let rig: EmailRig;
  // The test's own, so that it can make the adapter forget the UIDVALIDITY it saw.
  const state = new MemoryState();

  beforeAll(async () => {
    rig = await startEmailRig({ state: () => state });
  });

  afterAll(async () => {
    await rig?.close();
  });

  let receipt: { messageId: string; ticket: string };

  it("a complaint e-mail is filed at once and answered in its thread with the ticket and the guessed category", async () => {
    await rig.deliver(emailFixture("new-complaint.eml"));
    const [mail] = await rig.smtp.waitFor(1);
    const p = mail!.parsed;
    const ticket = TICKET.exec(p.subject ?? "")?.[0];
    expect(ticket).toBeDefined();
    expect(p.subject).toBe(`Re: [${ticket}] Petugas loket dua kasar`);
    expect(p.inReplyTo).toBe("<new-complaint-1@warga.example>");
    expect(p.references).toBe("<new-complaint-1@warga.example>");
    expect(p.from?.value[0]).toEqual({ name: "Kecamatan Uji", address: "aduan@kecamatan.example" });
    expect(mail!.envelope.to).toEqual(["siti.rahmawati@warga.example"]);
    expect(p.text).toContain(`nomor tiket *${ticket}*`);
    expect(p.text).toContain("Kategori menurut isi e-mail: *Perilaku Pegawai*");
    // The name came from the From header: only the category is asked, with the numbers to reply with.
    expect(p.text).not.toContain("Nama:");
    expect(p.text).toMatch(/\n {2}1\. Perilaku Pegawai\n {2}2\. Pelayanan\n {2}3\. Sarana Prasarana\n {2}4\. Lain-lain\n/);
    expect(p.html).toContain(`<b>${ticket}</b>`);

    const complaint = await rig.db.prisma.complaint.findFirstOrThrow({ include: { complainant: true } });
    expect(complaint).toMatchObject({ ticket, category: "Perilaku Pegawai", channel: "email" });
    expect(complaint.text).toContain("membentak saya dan meminta uang\nrokok");
    expect(complaint.complainant.name).toBe("Siti Rahmawati");
    expect(complaint.complainant.email).toBe("siti.rahmawati@warga.example");
    // Recorded, so flagged \Seen.
    await eventually(async () => (await rig.dovecot.messages(rig.box.user))[0]?.flags.includes("\\Seen"), "the \\Seen flag");
    receipt = { messageId: p.messageId!, ticket: ticket! };
  });

  it("the citizen's replies in the thread continue the same conversation", async () => {
    const { messageId, ticket } = receipt;
    await rig.deliver(
      rawMail({
        from: CITIZEN,
        subject: `Re: [${ticket}] Petugas loket dua kasar`,
        id: "<reply-1@warga.example>",
        headers: { "In-Reply-To": messageId, References: `<new-complaint-1@warga.example> ${messageId}` },
        body: `2\n\nPada tanggal Sen, 5 Jan 2026 pukul 09.20 Kecamatan Uji <aduan@kecamatan.example> menulis:\n> Terima kasih, e-mail Bapak/Ibu telah kami terima\n> nomor tiket ${ticket}`,
      }),
    );
    const second = (await rig.smtp.waitFor(2))[1]!.parsed;
    expect(second.subject).toBe(`Re: [${ticket}] Petugas loket dua kasar`);
    expect(second.inReplyTo).toBe("<reply-1@warga.example>");
    expect(second.references).toEqual(["<new-complaint-1@warga.example>", messageId, "<reply-1@warga.example>"]);
    // "2" answered the receipt's question: the category correction, not a follow-up.
    expect(second.text).toContain(`kategori aduan *${ticket}* telah kami ubah menjadi *Pelayanan*`);

    await rig.deliver(
      rawMail({
        from: CITIZEN,
        subject: `RE: Re: [${ticket}] Petugas loket dua kasar`,
        id: "<reply-2@warga.example>",
        headers: { "In-Reply-To": second.messageId!, References: `<new-complaint-1@warga.example> ${second.messageId}` },
        body: "Tambahan: petugasnya memakai rompi biru dan berkacamata.\n\n-----Original Message-----\nFrom: Kecamatan Uji\nSent: Monday\nTo: Siti\nSubject: Re: ...\n\nTerima kasih",
      }),
    );
    const third = (await rig.smtp.waitFor(3))[2]!.parsed;
    expect(third.subject).toBe(`Re: [${ticket}] Petugas loket dua kasar`);
    expect(third.text).toContain(`tambahkan ke aduan *${ticket}*`);

    expect(await rig.db.prisma.conversation.count({ where: { channel: "email" } })).toBe(1);
    expect(await rig.db.prisma.complaint.count()).toBe(1);
    const events = await rig.db.prisma.complaintEvent.findMany({ where: { type: "citizen.followup" } });
    expect(events.map((e) => (JSON.parse(e.data ?? "{}") as { text?: string }).text)).toEqual([
      "Tambahan: petugasnya memakai rompi biru dan berkacamata.",
    ]);
  });

  it("a short first e-mail from someone else starts its own conversation with the greeting and menu, in one mail", async () => {
    await rig.deliver(emailFixture("short-greeting.eml"));
    const mails = await rig.smtp.waitFor(4);
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.smtp.mails).toHaveLength(4);
    const text = mails[3]!.parsed.text ?? "";
    expect(text).toContain("Selamat datang");
    expect(text).toMatch(/1\. Buat aduan baru/);
    expect(mails[3]!.parsed.inReplyTo).toBe("<short-1@warga.example>");
    expect(mails[3]!.parsed.subject).toBe("Re: Halo");
    expect(await rig.db.prisma.conversation.count({ where: { channel: "email" } })).toBe(2);
  });

  it("mail read again after a UIDVALIDITY change is recorded once and not answered twice", async () => {
    const key = [...state.values.keys()].find((k) => k.endsWith(":uidvalidity"))!;
    state.values.set(key, "1");
    await rig.deliver(rawMail({ from: "ani@warga.example", subject: "Halo", id: "<after-reset@warga.example>", body: "halo" }));
    await rig.smtp.waitFor(5);
    await new Promise((r) => setTimeout(r, 500));
    expect(rig.smtp.mails).toHaveLength(5);
    expect(rig.smtp.mails[4]!.envelope.to[0]).toBe("ani@warga.example");
    expect(await rig.db.prisma.complaint.count()).toBe(1);
    expect(await rig.db.prisma.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0);
  });
});
