/**
 * The e-mail channel against real servers: Dovecot for IMAP (test/fakes/dovecot.ts) and
 * smtp-server capturing what is sent (test/fakes/smtp-capture.ts). Each test has its own mailbox
 * (a fresh Dovecot user) and its own state store.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createEmailAdapter,
  EMAIL_LIMITS,
  type EmailAdapter,
  type EmailAdapterOptions,
  type UnreadableMail,
} from "../../channels/email/index.js";
import { KanalError, type InboundMessage, type InboundSink } from "../../src/core/index.js";
import {
  dovecotAvailable,
  DOVECOT_MISSING,
  eventually,
  MemoryState,
  rawMail as mail,
  startDovecot,
  type FakeDovecot,
} from "../fakes/dovecot.js";
import { startSmtpCapture, type SmtpCapture } from "../fakes/smtp-capture.js";
import { matching } from "../helpers/match.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "email");
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const OFFICE = "Kantor Uji Coba";
const FROM = "aduan@kantor.example";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!dovecotAvailable)(`e-mail channel${dovecotAvailable ? "" : ` — skipped: ${DOVECOT_MISSING}`}`, () => {
  let dovecot: FakeDovecot;
  let smtp: SmtpCapture;
  const open: EmailAdapter[] = [];

  beforeAll(async () => {
    [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
  });
  afterAll(async () => {
    await smtp?.close();
    await dovecot?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((a) => a.stop()));
    smtp.mails.length = 0;
  });

  /** A fresh mailbox and an adapter on it. */
  async function setup(overrides: Partial<EmailAdapterOptions> = {}, user?: { name: string; password: string }) {
    const { user: name, password } = user ? { user: user.name, password: user.password } : dovecot.freshMailbox();
    const state = (overrides.state as MemoryState | undefined) ?? new MemoryState();
    const logs: string[] = [];
    const unreadable: UnreadableMail[] = [];
    const adapter = createEmailAdapter({
      imap: { host: dovecot.host, port: dovecot.port, secure: false, user: name, password, mailbox: "INBOX" },
      smtp: { host: smtp.host, port: smtp.port, secure: false },
      from: `"Layanan Aduan" <${FROM}>`,
      officeName: OFFICE,
      state,
      maxAttachmentBytes: 1024 * 1024,
      log: (message, fields) => {
        logs.push(message);
        if (process.env.EMAIL_DEBUG) console.log(Date.now() % 100000, message, fields ?? "");
      },
      reconnect: { initialMs: 100, maxMs: 400 },
      idleDelayMs: 100,
      // Long: new mail must be announced by IDLE, not found by the safety-net poll.
      pollIntervalMs: 60_000,
      onUnreadable: async (info) => void unreadable.push(info),
      ...overrides,
    });
    open.push(adapter);
    const deliver = (raw: string | Buffer, flags?: string[]) => dovecot.deliver(raw, name, flags);
    const messages = () => dovecot.messages(name);
    return { adapter, state, logs, unreadable, deliver, messages, name, password };
  }

  /** A sink that keeps what it got. */
  function collecting() {
    const received: InboundMessage[] = [];
    const sink: InboundSink = async (m) => void received.push(m);
    return { received, sink };
  }

  it("normalises a new complaint mail and flags it \\Seen once the sink resolved", async () => {
    const { adapter, deliver, messages } = await setup();
    const { received, sink } = collecting();
    await adapter.start(sink);
    expect(adapter.status().state).toBe("watching");
    await deliver(fixture("new-complaint.eml"));
    const [m] = await eventually(() => received.length > 0 && received, "the mail");
    expect(m).toMatchObject({
      channel: "email",
      providerMessageId: "<new-complaint-1@warga.example>",
      sender: { id: "siti.rahmawati@warga.example", displayName: "Siti Rahmawati", email: "siti.rahmawati@warga.example" },
      attachments: [],
    });
    expect(m!.chatId).toMatch(/^siti\.rahmawati@warga\.example#[\w-]{16}$/);
    // The subject heads the text; the signature is gone.
    expect(m!.text).toMatch(/^Petugas loket dua kasar\n\nSelamat pagi Bapak\/Ibu,\n\nSaya mau melaporkan petugas loket dua yang membentak/);
    expect(m!.text).not.toContain("Jl. Melati");
    expect(m!.receivedAt).toBeInstanceOf(Date);
    await eventually(async () => (await messages())[0]?.flags.includes("\\Seen"), "the \\Seen flag");
  });

  it("decodes HTML-only, base64, quoted-printable, ISO-8859-1 and windows-1252 mails", async () => {
    const { adapter, deliver } = await setup();
    const { received, sink } = collecting();
    await adapter.start(sink);
    for (const name of ["html-only.eml", "base64.eml", "quoted-printable.eml", "iso-8859-1.eml", "windows-1252.eml"])
      await deliver(fixture(name));
    await eventually(() => received.length === 5 && received, "five mails");
    const texts = received.map((m) => m.text);
    expect(texts[0]).toContain("Lampu parkir di depan gedung & toilet umum rusak sejak minggu lalu.");
    expect(texts[0]).not.toMatch(/<\/?(p|b|i|div)>/);
    expect(texts[1]).toBe(
      "Antrean KTP — lama\n\nAntrean pembuatan KTP elektronik sangat lama — saya menunggu lima jam. Mohon perbaikan layanan.",
    );
    expect(texts[2]).toContain(
      "petugas bilang sistemnya “sedang gangguan” sejak pagi dan kami disuruh menunggu tanpa kepastian sampai siang hari.",
    );
    expect(texts[3]).toContain("Le café de la cantine est très sale, les tables ne sont jamais nettoyées. Déçu.");
    expect(received[3]!.sender.displayName).toBe("José Mourão");
    expect(texts[4]).toContain("Petugas meminta “uang administrasi” sebesar €5 – tanpa kuitansi… sangat tidak sopan.");
  });

  it("hands attachments over lazily, declaring the size; one over the limit is refused, not read", async () => {
    const { adapter, deliver } = await setup({ maxAttachmentBytes: 1000 });
    const { received, sink } = collecting();
    await adapter.start(sink);
    await deliver(fixture("attachment.eml"));
    const [m] = await eventually(() => received.length > 0 && received, "the mail");
    expect(m!.attachments.map(({ kind, mime, size, filename }) => ({ kind, mime, size, filename }))).toEqual([
      { kind: "image", mime: "image/png", size: 67, filename: "atap.png" },
      { kind: "document", mime: "application/pdf", size: 1660, filename: "surat.pdf" },
    ]);
    const png = await m!.attachments[0]!.fetch();
    expect(Buffer.from(png).subarray(1, 4).toString("ascii")).toBe("PNG");
    await expect(m!.attachments[1]!.fetch()).rejects.toSatisfy((e: unknown) => e instanceof KanalError && e.code === "KA_TOO_LARGE");
  });

  it("never answers auto-replies, lists, bounces or its own mail, and leaves them unread", async () => {
    const { adapter, deliver, messages, logs } = await setup();
    const { received, sink } = collecting();
    await adapter.start(sink);
    for (const name of ["auto-reply.eml", "list.eml", "bounce.eml", "own-address.eml"]) await deliver(fixture(name));
    await deliver(fixture("short-greeting.eml"));
    await eventually(() => received.length > 0, "the person's mail after them");
    expect(received.map((m) => m.providerMessageId)).toEqual(["<short-1@warga.example>"]);
    expect(logs.filter((l) => l.includes("automatic mail"))).toHaveLength(4);
    const flags = (await messages()).map((m) => m.flags.includes("\\Seen"));
    await eventually(async () => (await messages())[4]?.flags.includes("\\Seen"), "the person's mail flagged");
    expect(flags.slice(0, 4)).toEqual([false, false, false, false]);
  });

  it("flags \\Seen only after the sink resolved; a sink that fails leaves the mail unread and it comes again", async () => {
    const { adapter, deliver, messages, state } = await setup();
    const ids: string[] = [];
    let release: (() => void) | undefined;
    await adapter.start(async (m) => {
      ids.push(m.providerMessageId);
      if (ids.length === 1) throw new Error("simulated failure before the message was recorded");
      await new Promise<void>((resolve) => (release = resolve));
    });
    await deliver(fixture("new-complaint.eml"));
    await eventually(() => ids.length >= 2 && release, "the second attempt");
    expect(ids[1]).toBe(ids[0]);
    // The sink has not resolved yet: not seen, not recorded as processed.
    expect((await messages())[0]!.flags).not.toContain("\\Seen");
    expect([...state.values.keys()].some((k) => k.endsWith(":lastuid") && state.values.get(k) !== "0")).toBe(false);
    release!();
    await eventually(async () => (await messages())[0]?.flags.includes("\\Seen"), "the \\Seen flag");
    const lastUidKey = [...state.values.keys()].find((k) => k.endsWith(":lastuid"))!;
    expect(state.values.get(lastUidKey)).toBe("1");
  });

  it("catches up after a restart with the mail that arrived while it was down, and repeats nothing", async () => {
    const first = await setup();
    const before = collecting();
    await first.adapter.start(before.sink);
    await first.deliver(mail({ subject: "Satu", id: "<restart-1@warga.example>", body: "pesan pertama" }));
    await eventually(() => before.received.length === 1, "the first mail");
    await eventually(async () => (await first.messages())[0]?.flags.includes("\\Seen"), "the first mail flagged");
    await first.adapter.stop();

    await first.deliver(mail({ subject: "Dua", id: "<restart-2@warga.example>", body: "pesan kedua" }));
    await first.deliver(mail({ subject: "Tiga", id: "<restart-3@warga.example>", body: "pesan ketiga" }));
    const second = await setup({ state: first.state }, { name: first.name, password: first.password });
    const after = collecting();
    await second.adapter.start(after.sink);
    await eventually(() => after.received.length === 2, "the two mails");
    await sleep(300);
    expect(after.received.map((m) => m.providerMessageId)).toEqual(["<restart-2@warga.example>", "<restart-3@warga.example>"]);
  });

  it("survives a dropped connection and a server restart: no mail missed or repeated", async () => {
    const { adapter, deliver, logs, name } = await setup();
    const { received, sink } = collecting();
    await adapter.start(sink);
    await deliver(mail({ subject: "A", id: "<drop-a@warga.example>", body: "a" }));
    await eventually(() => received.length === 1, "mail A");

    await dovecot.kick(name);
    await deliver(mail({ subject: "B", id: "<drop-b@warga.example>", body: "b" }));
    await eventually(() => received.length === 2, "mail B after the kick");

    const closedBefore = logs.filter((l) => l.includes("connection closed")).length;
    await dovecot.restart();
    await deliver(mail({ subject: "C", id: "<drop-c@warga.example>", body: "c" }));
    await eventually(() => received.length === 3, "mail C after the restart");
    await sleep(300);
    expect(received.map((m) => m.providerMessageId)).toEqual([
      "<drop-a@warga.example>",
      "<drop-b@warga.example>",
      "<drop-c@warga.example>",
    ]);
    expect(logs.filter((l) => l.includes("connection closed")).length).toBeGreaterThan(closedBefore);
    expect(closedBefore).toBeGreaterThan(0);
    expect(adapter.status().state).toBe("watching");
  });

  it("a changed UIDVALIDITY reads the mailbox again from the start", async () => {
    const state = new MemoryState();
    const { adapter, deliver, name, logs } = await setup({ state });
    await deliver(mail({ subject: "X", id: "<validity-1@warga.example>", body: "x" }));
    // As if an earlier mailbox of the same name had been read up to UID 50.
    const account = `email:imap:${name}@${dovecot.host}:${dovecot.port}/INBOX`;
    state.values.set(`${account}:uidvalidity`, "1");
    state.values.set(`${account}:lastuid`, "50");
    const { received, sink } = collecting();
    await adapter.start(sink);
    await eventually(() => received.length === 1, "the mail under the new UIDVALIDITY");
    expect(logs.some((l) => l.includes("UIDVALIDITY changed"))).toBe(true);
  });

  it("on its very first start, leaves the mail a person already read alone", async () => {
    const { adapter, deliver } = await setup();
    await deliver(mail({ subject: "Lama", id: "<old-1@warga.example>", body: "sudah dibaca petugas" }), ["\\Seen"]);
    await deliver(mail({ subject: "Baru", id: "<old-2@warga.example>", body: "belum dibaca" }));
    const { received, sink } = collecting();
    await adapter.start(sink);
    await eventually(() => received.length === 1, "the unread mail");
    await sleep(200);
    expect(received.map((m) => m.providerMessageId)).toEqual(["<old-2@warga.example>"]);
  });

  it("reports a mail over the size limit, or without a sender, as unreadable and goes on", async () => {
    const { adapter, deliver, unreadable, messages } = await setup({ maxMessageBytes: 4000 });
    const { received, sink } = collecting();
    await adapter.start(sink);
    await deliver(mail({ subject: "Besar sekali", id: "<big-1@warga.example>", body: "x".repeat(70).concat("\n").repeat(80) }));
    await deliver(fixture("no-sender.eml"));
    await deliver(fixture("short-greeting.eml"));
    await eventually(() => received.length === 1, "the next mail");
    expect(unreadable).toEqual([
      {
        uid: 1,
        reason: matching(/larger \(\d+ bytes\) than the 4000-byte limit/),
        from: "budi@warga.example",
        subject: "Besar sekali",
      },
      { uid: 2, reason: "it has no sender address (From)", subject: "Tanpa pengirim" },
    ]);
    const flags = await messages();
    expect(flags[0]!.flags).not.toContain("\\Seen");
    expect(flags[1]!.flags).not.toContain("\\Seen");
  });

  it("wrong credentials: start resolves, one clear log line, no retrying", async () => {
    const { user } = dovecot.freshMailbox();
    const { adapter, logs } = await setup({}, { name: user, password: "salah" });
    await adapter.start(async () => undefined);
    expect(adapter.status().state).toBe("failed");
    await sleep(600);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/refused the login of box\d+ \(AUTHENTICATIONFAILED\); the e-mail channel is stopped.*EMAIL_IMAP_PASSWORD/);
    const attempts = dovecot
      .log()
      .split("\n")
      .filter((l) => l.includes(`user=<${user}>`) && /auth failed|Disconnected/i.test(l));
    expect(attempts.length).toBeLessThanOrEqual(1);
  });

  it("a mail whose recording keeps failing is given up after maxAttempts, reported, and does not block the mailbox", async () => {
    const { adapter, deliver, unreadable, messages } = await setup({ maxAttempts: 2, reconnect: { initialMs: 50, maxMs: 100 } });
    const seen: string[] = [];
    await adapter.start(async (m) => {
      seen.push(m.providerMessageId);
      if (m.providerMessageId === "<poison@warga.example>") throw new Error("database says no");
    });
    await deliver(mail({ subject: "Racun", id: "<poison@warga.example>", body: "selalu gagal" }));
    await deliver(mail({ subject: "Biasa", id: "<normal@warga.example>", body: "biasa saja" }));
    await eventually(() => seen.includes("<normal@warga.example>"), "the mail after it");
    expect(seen).toEqual(["<poison@warga.example>", "<poison@warga.example>", "<normal@warga.example>"]);
    expect(unreadable).toEqual([{ uid: 1, reason: "recording it failed 2 times: database says no" }]);
    const flags = await eventually(async () => {
      const list = await messages();
      return list[1]?.flags.includes("\\Seen") && list;
    }, "the second mail flagged");
    expect(flags[0]!.flags).not.toContain("\\Seen");
  });

  it("a mailbox that does not exist stops the channel with one clear line", async () => {
    const { adapter, logs } = await setup({
      imap: { ...dovecot.freshMailbox(), host: dovecot.host, port: dovecot.port, secure: false, mailbox: "Pengaduan" },
    });
    await adapter.start(async () => undefined);
    expect(adapter.status().state).toBe("failed");
    expect(logs).toEqual([expect.stringMatching(/the mailbox "Pengaduan" does not exist .*EMAIL_IMAP_MAILBOX/)]);
  });

  it("an unreachable server does not fail start(): it keeps retrying in the background", async () => {
    const { adapter, logs } = await setup({
      imap: { host: "127.0.0.1", port: 1, secure: false, user: "x", password: "y", mailbox: "INBOX" },
    });
    await adapter.start(async () => undefined);
    expect(adapter.status().state).toBe("reconnecting");
    await eventually(() => logs.filter((l) => l.includes("reconnecting")).length >= 2, "a second attempt");
  });

  describe("sending", () => {
    it("answers in the thread: Re: [ticket] subject, In-Reply-To, References, text and HTML, office name", async () => {
      const { adapter, deliver } = await setup();
      const { received, sink } = collecting();
      await adapter.start(sink);
      await deliver(fixture("new-complaint.eml"));
      const [m] = await eventually(() => received.length > 0 && received, "the mail");
      const result = await adapter.send(m!.chatId, {
        text: "Terima kasih, aduan Bapak/Ibu tercatat dengan tiket *ADU-2026-00007*.\nKategori: *Perilaku Pegawai* <ok> & lanjut",
        ticket: "ADU-2026-00007",
        options: ["1. Perilaku Pegawai", "2. Pelayanan"],
      });
      expect(result.ok).toBe(true);
      const [sent] = await smtp.waitFor(1);
      const p = sent!.parsed;
      expect(p.subject).toBe("Re: [ADU-2026-00007] Petugas loket dua kasar");
      expect(p.inReplyTo).toBe("<new-complaint-1@warga.example>");
      expect(p.references).toBe("<new-complaint-1@warga.example>");
      expect(p.from?.value[0]).toEqual({ name: OFFICE, address: FROM });
      expect(p.to && !Array.isArray(p.to) ? p.to.value[0] : undefined).toEqual({
        name: "Siti Rahmawati",
        address: "siti.rahmawati@warga.example",
      });
      expect(sent!.envelope.to).toEqual(["siti.rahmawati@warga.example"]);
      expect(p.text).toContain(
        "tiket *ADU-2026-00007*.\nKategori: *Perilaku Pegawai* <ok> & lanjut\n\n  1. Perilaku Pegawai\n  2. Pelayanan\n\n-- \nKantor Uji Coba",
      );
      expect(p.html).toContain("tiket <b>ADU-2026-00007</b>.<br>\nKategori: <b>Perilaku Pegawai</b> &lt;ok&gt; &amp; lanjut");
      expect(p.html).toContain("<li>2. Pelayanan</li>");
      expect(p.headers.get("auto-submitted")).toBe("auto-replied");
      if (result.ok) expect(result.providerMessageId).toBe(p.messageId);

      // The citizen answers from the thread (quoting us); it lands in the same chat, the quote gone.
      await deliver(
        mail({
          from: '"Siti Rahmawati" <siti.rahmawati@warga.example>',
          subject: "Re: [ADU-2026-00007] Petugas loket dua kasar",
          id: "<reply-1@warga.example>",
          headers: { "In-Reply-To": p.messageId!, References: `<new-complaint-1@warga.example> ${p.messageId}` },
          body: "Petugasnya memakai rompi biru.\n\nPada tanggal Sen, 5 Jan 2026 pukul 09.20 Kantor Uji Coba\n<aduan@kantor.example> menulis:\n> Terima kasih, aduan Bapak/Ibu tercatat",
        }),
      );
      const reply = await eventually(() => received[1], "the reply");
      expect(reply.chatId).toBe(m!.chatId);
      expect(reply.text).toBe("Petugasnya memakai rompi biru.");

      // Staff answer later: threaded to the citizen's latest mail, the whole chain referenced, no second "Re:".
      await adapter.send(m!.chatId, { text: "Petugas kami sudah ditegur.", ticket: "ADU-2026-00007" });
      const second = (await smtp.waitFor(2))[1]!.parsed;
      expect(second.subject).toBe("Re: [ADU-2026-00007] Petugas loket dua kasar");
      expect(second.inReplyTo).toBe("<reply-1@warga.example>");
      expect(second.references).toEqual(["<new-complaint-1@warga.example>", p.messageId, "<reply-1@warga.example>"]);
    });

    it("a ticket in the subject alone joins nothing; with the trusted server's DMARC pass for the thread's address it does", async () => {
      const { adapter, deliver } = await setup({ trustedAuthservId: "mx.kantor.example" });
      const { received, sink } = collecting();
      await adapter.start(sink);
      await deliver(fixture("new-complaint.eml"));
      const [m] = await eventually(() => received.length > 0 && received, "the mail");
      await adapter.send(m!.chatId, { text: "Tiket Anda ADU-2026-00011", ticket: "ADU-2026-00011" });
      const proven = "mx.kantor.example; dmarc=pass header.from=warga.example";
      const cases = [
        { from: "siti.rahmawati@warga.example", results: undefined, joins: false },
        { from: "siti.rahmawati@warga.example", results: proven, joins: true },
        // Proven, but for someone else's address: their own conversation.
        { from: "orang.lain@warga.example", results: proven, joins: false },
      ];
      for (const [i, c] of cases.entries()) {
        await deliver(
          mail({
            from: c.from,
            subject: "Tambahan untuk [ADU-2026-00011]",
            id: `<t-${i}@warga.example>`,
            body: "foto menyusul",
            ...(c.results ? { headers: { "Authentication-Results": c.results } } : {}),
          }),
        );
      }
      await eventually(() => received.length === 4, "the three mails");
      for (const [i, c] of cases.entries()) {
        const got = received[i + 1]!;
        expect(got.chatId === m!.chatId).toBe(c.joins);
        if (!c.joins) expect(got.chatId.startsWith(`${c.from}#`)).toBe(true);
      }
    });

    it("a thread stored before this release: a reply to the bot's old UUID id joins, its stale Reply-To `to` is ignored and dropped", async () => {
      const state = new MemoryState();
      const chatId = "siti.rahmawati@warga.example#legacy";
      const oldId = "<0b6f3d1e-8c2a-4f5b-9e7d-1a2b3c4d5e6f@kantor.example>";
      // A citizen's own id at the office's domain that is not in the bot's old format proves nothing.
      const citizenId = "<siti-1@kantor.example>";
      await state.set(
        `email:thread:${chatId}`,
        JSON.stringify({ from: "siti.rahmawati@warga.example", to: "lain@jahat.example", subject: "Loket", refs: [citizenId, oldId] }),
      );
      await state.set(`email:msg:${oldId}`, chatId);
      await state.set(`email:msg:${citizenId}`, chatId);
      const { adapter, deliver } = await setup({ state });
      const { received, sink } = collecting();
      await adapter.start(sink);
      const reply = (id: string, inReplyTo: string) =>
        mail({ from: "siti.rahmawati@warga.example", subject: "Re: Loket", id, body: "tambahan", headers: { "In-Reply-To": inReplyTo } });
      await deliver(reply("<l-1@warga.example>", oldId));
      await deliver(reply("<l-2@warga.example>", citizenId));
      await eventually(() => received.length === 2, "both mails");
      expect(received[0]!.chatId).toBe(chatId);
      expect(received[1]!.chatId).not.toBe(chatId);
      expect(await adapter.send(chatId, { text: "Terima kasih." })).toMatchObject({ ok: true });
      const [sent] = await smtp.waitFor(1);
      expect(sent!.envelope.to).toEqual(["siti.rahmawati@warga.example"]);
      expect(state.values.get(`email:thread:${chatId}`)).not.toContain("jahat");
    });

    it("answers the thread's From address, never a Reply-To", async () => {
      const { adapter, deliver } = await setup();
      const { received, sink } = collecting();
      await adapter.start(sink);
      await deliver(
        mail({
          from: "budi@warga.example",
          subject: "Jalan rusak",
          id: "<rt-1@warga.example>",
          body: "Jalan di depan balai desa rusak.",
          headers: { "Reply-To": "lain@jahat.example" },
        }),
      );
      const [m] = await eventually(() => received.length > 0 && received, "the mail");
      expect(await adapter.send(m!.chatId, { text: "Terima kasih." })).toMatchObject({ ok: true });
      const [sent] = await smtp.waitFor(1);
      expect(sent!.envelope.to).toEqual(["budi@warga.example"]);
    });

    it("maps SMTP refusals: 451 retryable, 550 permanent with the server's words, no server retryable", async () => {
      const { adapter, deliver } = await setup();
      const { received, sink } = collecting();
      await adapter.start(sink);
      await deliver(fixture("short-greeting.eml"));
      const [m] = await eventually(() => received.length > 0 && received, "the mail");
      smtp.refuseNext(451);
      expect(await adapter.send(m!.chatId, { text: "Halo" })).toMatchObject({
        ok: false,
        retryable: true,
        reason: matching(/^SMTP 451/),
      });
      smtp.refuseNext(550);
      expect(await adapter.send(m!.chatId, { text: "Halo" })).toMatchObject({
        ok: false,
        retryable: false,
        reason: matching(/^SMTP 550: .*Mailbox unavailable/),
      });
      expect(await adapter.send(m!.chatId, { text: "Halo" })).toMatchObject({ ok: true });

      const down = await setup({ smtp: { host: "127.0.0.1", port: 1, secure: false } });
      expect(await down.adapter.send("budi@warga.example#abc", { text: "Halo" })).toMatchObject({ ok: false, retryable: true });
      expect(await down.adapter.send("not-a-chat", { text: "Halo" })).toMatchObject({ ok: false, retryable: false });
    });

    it("answers one address at most N times an hour; the next waits until the window frees", async () => {
      let now = Date.parse("2026-01-05T09:00:00Z");
      const { adapter } = await setup({ maxAnswersPerSenderPerHour: 2, now: () => now });
      const chat = "budi@warga.example#limit";
      expect((await adapter.send(chat, { text: "satu" })).ok).toBe(true);
      now += 10 * 60_000;
      expect((await adapter.send(chat, { text: "dua" })).ok).toBe(true);
      now += 5 * 60_000;
      expect(await adapter.send(chat, { text: "tiga" })).toMatchObject({ ok: false, retryable: true, retryAfterMs: 45 * 60_000 });
      expect((await adapter.send("ani@warga.example#other", { text: "lain" })).ok).toBe(true);
      now += 45 * 60_000;
      expect((await adapter.send(chat, { text: "tiga" })).ok).toBe(true);
      expect(smtp.mails).toHaveLength(4);
    });

    it("refuses text over its limit instead of failing", async () => {
      const { adapter } = await setup();
      const result = await adapter.send("budi@warga.example#x", { text: "a".repeat(EMAIL_LIMITS.maxTextLength + 1) });
      expect(result).toMatchObject({ ok: false, retryable: false });
    });
  });
});
