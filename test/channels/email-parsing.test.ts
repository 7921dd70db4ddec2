/** The e-mail channel's pure parts: no server needed. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { automaticReason, baseSubject, conversationText, ownText, toSendFailure } from "../../channels/email/index.js";
import { htmlPart, replySubject, textPart } from "../../channels/email/format.js";
import { authenticatedBy, parseAuthenticationResults } from "../../channels/email/authentication.js";
import { guessLocale, readMail } from "../../channels/email/inbound.js";
import { HourlyLimit } from "../../channels/email/rate-limit.js";
import { trimRefs } from "../../channels/email/threads.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "..", "fixtures", "email", name));
const OWN = new Set(["aduan@kantor.example"]);

describe("the citizen's own words (ownText)", () => {
  it.each([
    [
      "Gmail, English",
      "Thanks, it is the counter on the left.\n\nOn Mon, Jan 5, 2026 at 9:20 AM Kantor Uji <aduan@kantor.example> wrote:\n> Thank you, your complaint\n> has been received",
    ],
    [
      "Gmail, Indonesian, wrapped",
      "Thanks, it is the counter on the left.\n\nPada tanggal Sen, 5 Jan 2026 pukul 09.20 Kantor Uji <\naduan@kantor.example> menulis:\n\n> Terima kasih",
    ],
    [
      "Outlook separator",
      "Thanks, it is the counter on the left.\n\n-----Original Message-----\nFrom: Kantor Uji\nSent: Monday, January 5, 2026 9:20 AM\nSubject: Re: x\n\nTerima kasih",
    ],
    [
      "Outlook header block",
      "Thanks, it is the counter on the left.\n\n________________________________\nFrom: Kantor Uji <aduan@kantor.example>\nSent: Monday, January 5, 2026 9:20 AM\nTo: Siti\nSubject: Re: x\n\nTerima kasih",
    ],
    [
      "Outlook, Indonesian",
      "Thanks, it is the counter on the left.\n\nDari: Kantor Uji <aduan@kantor.example>\nDikirim: Senin, 5 Januari 2026 09.20\nKepada: Siti\nPerihal: Re: x\n\nTerima kasih",
    ],
    ["signature and phone footer", "Thanks, it is the counter on the left.\n\n-- \nSiti Rahmawati\n0812-3456-7890"],
    ["phone footer alone", "Thanks, it is the counter on the left.\n\nSent from my iPhone"],
  ])("%s", (_, text) => {
    expect(ownText(text, true)).toBe("Thanks, it is the counter on the left.");
  });

  it("keeps answers written between quoted lines", () => {
    expect(ownText("> Which counter?\nThe left one.\n> When?\nMonday morning.", true)).toBe("The left one.\nMonday morning.");
  });

  it("a new mail keeps quotes and forwarded mail: they are part of the complaint", () => {
    const forwarded =
      "Please see below.\n\n---------- Forwarded message ---------\nFrom: Tetangga <t@x.example>\nDate: Mon\nSubject: lampu\nTo: saya\n\nLampu jalan mati.";
    expect(ownText(forwarded, false)).toBe(forwarded);
    expect(ownText("> kutipan\nisi", false)).toBe("> kutipan\nisi");
    expect(ownText("Isi aduan.\n-- \nTanda tangan", false)).toBe("Isi aduan.");
  });

  it("a reply that is only a quote has no words of its own", () => {
    expect(ownText("On Mon, Jan 5, 2026 Kantor <a@b.c> wrote:\n> halo", true)).toBe("");
  });
});

describe("automatic mail is recognised", () => {
  const parse = async (headers: string, from = "warga@warga.example") =>
    automaticReason(await simpleParser(`From: ${from}\r\n${headers}Subject: x\r\n\r\nisi\r\n`), from, OWN);

  it.each([
    ["Auto-Submitted: auto-replied\r\n", /Auto-Submitted/],
    ["Auto-Submitted: auto-generated\r\n", /Auto-Submitted/],
    ["Precedence: bulk\r\n", /Precedence/],
    ["Precedence: junk\r\n", /Precedence/],
    ["Precedence: list\r\n", /Precedence/],
    ["X-Autoreply: yes\r\n", /x-autoreply/],
    ["X-Autorespond: yes\r\n", /x-autorespond/],
    ["List-Id: <warga.lists.example>\r\n", /list-id/],
    ["List-Unsubscribe: <mailto:u@x.example>\r\n", /list-unsubscribe/],
    ["Return-Path: <>\r\n", /bounce/],
    ["Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n", /delivery report/],
  ])("%j", async (headers, reason) => {
    expect(await parse(headers)).toMatch(reason);
  });

  it("robot senders and our own address; a person's mail passes", async () => {
    expect(await parse("", "MAILER-DAEMON@mx.example")).toMatch(/robot/);
    expect(await parse("", "postmaster@mx.example")).toMatch(/robot/);
    expect(await parse("", "no-reply@bank.example")).toMatch(/robot/);
    expect(await parse("", "noreply+abc@service.example")).toMatch(/robot/);
    expect(await parse("", "aduan@kantor.example")).toMatch(/own address/);
    expect(await parse("Auto-Submitted: no\r\nPrecedence: first-class\r\n")).toBeUndefined();
    expect(await parse("", "noreen@warga.example")).toBeUndefined();
  });
});

describe("readMail", () => {
  it("reads the fixtures: names, ids, locale hints", async () => {
    const read = await readMail(fixture("new-complaint.eml"), { maxAttachmentBytes: 1000, ownAddresses: OWN });
    if (!read.ok) throw new Error(read.reason);
    expect(read.mail).toMatchObject({
      messageId: "<new-complaint-1@warga.example>",
      from: { address: "siti.rahmawati@warga.example", name: "Siti Rahmawati" },
      subject: "Petugas loket dua kasar",
      reply: false,
      references: [],
    });
    expect(read.mail.localeHint).toBeUndefined();
    const latin = await readMail(fixture("iso-8859-1.eml"), { maxAttachmentBytes: 1000, ownAddresses: OWN });
    expect(latin.ok && latin.mail.subject).toBe("Café kantin kotor");
  });

  it("guesses English only when it clearly is", () => {
    expect(guessLocale("The clerk at the counter was very rude to me and asked for money, please look into this.")).toBe("en");
    expect(guessLocale("Petugas di loket sangat kasar dan meminta uang, mohon ditindaklanjuti.")).toBeUndefined();
    expect(guessLocale("ok")).toBeUndefined();
  });

  it("drops a signature's tiny inline logo but keeps a pasted photo", async () => {
    const logo = Buffer.alloc(500, 1).toString("base64");
    const photo = Buffer.alloc(20_000, 2).toString("base64");
    const raw = [
      "From: a@warga.example",
      "Subject: foto",
      "Message-ID: <p@w>",
      "MIME-Version: 1.0",
      'Content-Type: multipart/related; boundary="R"',
      "",
      "--R",
      "Content-Type: text/html; charset=utf-8",
      "",
      '<p>Lihat foto <img src="cid:photo1"></p><img src="cid:logo1">',
      "--R",
      "Content-Type: image/png",
      "Content-ID: <logo1>",
      "Content-Transfer-Encoding: base64",
      "",
      logo,
      "--R",
      "Content-Type: image/jpeg",
      "Content-ID: <photo1>",
      "Content-Transfer-Encoding: base64",
      "",
      photo,
      "--R--",
      "",
    ].join("\r\n");
    const read = await readMail(Buffer.from(raw), { maxAttachmentBytes: 1e6, ownAddresses: OWN });
    expect(read.ok && read.mail.attachments.map((a) => [a.mime, a.size])).toEqual([["image/jpeg", 20_000]]);
  });
});

describe("subjects and the mail body", () => {
  it("the thread's own subject, without prefixes and ticket tags", () => {
    expect(baseSubject("Re: RE: [ADU-2026-00001] Loket lambat")).toBe("Loket lambat");
    expect(baseSubject("Fwd: Bls: Aw: Loket lambat")).toBe("Loket lambat");
    expect(baseSubject("Loket lambat [ADU-2026-00001]")).toBe("Loket lambat");
    expect(replySubject("Loket lambat", "ADU-2026-00001", "Kantor")).toBe("Re: [ADU-2026-00001] Loket lambat");
    expect(replySubject("", undefined, "Kantor")).toBe("Re: Kantor");
  });

  it("text part: markers kept, options as lines, signature; HTML: escaped, bold, line breaks", () => {
    const message = { text: "Tiket *ADU-2026-00001* <script>\nbaris dua\n\nparagraf & 5 * 3 * 2", options: ["Ya", " "] };
    expect(textPart(message, "Kantor")).toBe("Tiket *ADU-2026-00001* <script>\nbaris dua\n\nparagraf & 5 * 3 * 2\n\n  Ya\n\n-- \nKantor\n");
    const html = htmlPart(message, "Kantor <Uji>");
    expect(html).toContain("<p>Tiket <b>ADU-2026-00001</b> &lt;script&gt;<br>\nbaris dua</p>\n<p>paragraf &amp; 5 * 3 * 2</p>");
    expect(html).toContain("<li>Ya</li>");
    expect(html).toContain("Kantor &lt;Uji&gt;");
  });

  it("a new mail's subject heads its text; a reply's does not", () => {
    const base = { from: { address: "a@b.c" }, references: [], attachments: [] };
    expect(conversationText({ ...base, subject: "Lampu mati", text: "Sejak kemarin malam belum diperbaiki.", reply: false })).toBe(
      "Lampu mati\n\nSejak kemarin malam belum diperbaiki.",
    );
    expect(conversationText({ ...base, subject: "status ADU-2026-00001", text: "", reply: false })).toBe("status ADU-2026-00001");
    expect(conversationText({ ...base, subject: "Lampu mati", text: "Lampu mati di jalan Melati.", reply: false })).toBe(
      "Lampu mati di jalan Melati.",
    );
    expect(conversationText({ ...base, subject: "Re: [ADU-2026-00001] Lampu", text: "2", reply: true })).toBe("2");
    // A short body is an answer or a keyword of its own.
    expect(conversationText({ ...base, subject: "Cek status", text: "status ADU-2026-00001", reply: false })).toBe("status ADU-2026-00001");
  });

  it("References keep the first id and the latest ones", () => {
    const ids = Array.from({ length: 30 }, (_, i) => `<${i}@x>`);
    const trimmed = trimRefs(ids);
    expect(trimmed).toHaveLength(20);
    expect(trimmed[0]).toBe("<0@x>");
    expect(trimmed.at(-1)).toBe("<29@x>");
  });
});

describe("SMTP failures as data", () => {
  it.each([
    [
      { code: "EMESSAGE", responseCode: 451, response: "451 4.3.0 Try again later" },
      { retryable: true, reason: "SMTP 451: 4.3.0 Try again later" },
    ],
    [
      { code: "EENVELOPE", responseCode: 550, response: "550 5.1.1 No such user" },
      { retryable: false, reason: "SMTP 550: 5.1.1 No such user" },
    ],
    [{ code: "EAUTH", responseCode: 535, response: "535 5.7.8 Bad credentials" }, { retryable: false }],
    [{ code: "ECONNECTION", message: "Connection closed" }, { retryable: true }],
    [{ code: "ESOCKET", message: "connect ECONNREFUSED 127.0.0.1:1" }, { retryable: true }],
    [{ code: "ETIMEDOUT", message: "Greeting never received" }, { retryable: true }],
    [Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" }), { retryable: false }],
  ])("%j", (error, expected) => {
    expect(toSendFailure(error)).toMatchObject({ ok: false, ...expected });
  });
});

describe("the hourly answer limit", () => {
  /** The channel state store as the database keeps it: shared by every instance. */
  const sharedState = () => {
    const values = new Map<string, string>();
    return { get: async (key: string) => values.get(key), set: async (key: string, value: string) => void values.set(key, value) };
  };

  it("counts per address in a sliding hour, in the shared state store", async () => {
    let now = 0;
    const state = sharedState();
    const limit = new HourlyLimit(2, state, () => now);
    await limit.record("a@example.id");
    now = 1000;
    await limit.record("A@example.id");
    expect(await limit.waitFor("a@example.id")).toBe(3_600_000 - 1000);
    expect(await limit.waitFor("b@example.id")).toBeUndefined();
    // Another instance (or this one after a restart) sees the same answers.
    expect(await new HourlyLimit(2, state, () => now).waitFor("a@example.id")).toBe(3_600_000 - 1000);
    now = 3_600_001;
    expect(await limit.waitFor("a@example.id")).toBeUndefined();
  });
});

describe("Authentication-Results from the office's mail server", () => {
  const TRUSTED = "mx.kantor.example";
  const FROM = "siti@warga.example";
  /** Header lines in order, as mailparser gives them. */
  const lines = (...headers: [string, string][]) => headers.map(([key, value]) => ({ key: key.toLowerCase(), line: `${key}: ${value}` }));
  const ar = (value: string): [string, string] => ["Authentication-Results", value];
  const verdict = (...headers: [string, string][]) => authenticatedBy(lines(...headers), FROM, TRUSTED);

  it("parses RFC 8601 headers: comments, quoted values, versions, folding", () => {
    const parsed = parseAuthenticationResults(
      ' mx.kantor.example 1; (checked)\r\n\tdkim=pass (2048-bit key; secure) header.d=warga.example header.s="sel;1";\r\n spf/1=pass smtp.mailfrom=siti@warga.example; dmarc=fail',
    );
    expect(parsed?.authservId).toBe("mx.kantor.example");
    expect(parsed?.results.map((r) => [r.method, r.result, Object.fromEntries(r.props)])).toEqual([
      ["dkim", "pass", { "header.d": "warga.example", "header.s": "sel;1" }],
      ["spf", "pass", { "smtp.mailfrom": "siti@warga.example" }],
      ["dmarc", "fail", {}],
    ]);
    expect(parseAuthenticationResults("mx.kantor.example; none")?.results).toEqual([]);
  });

  it("a DMARC pass, or a DKIM/SPF pass aligned with the From domain, from the trusted server", () => {
    expect(verdict(ar(`${TRUSTED}; dmarc=pass header.from=warga.example`))).toBe("dmarc");
    expect(verdict(ar(`MX.Kantor.Example; dmarc=pass header.from=WARGA.example`))).toBe("dmarc");
    expect(verdict(ar(`${TRUSTED}; dkim=pass header.d=warga.example`))).toBe("dkim");
    expect(verdict(ar(`${TRUSTED}; dkim=pass header.i=@mail.warga.example`))).toBe("dkim");
    expect(verdict(ar(`${TRUSTED}; spf=pass smtp.mailfrom=bounce@warga.example`))).toBe("spf");
  });

  it("no verdict: untrusted server, a fail, another domain, a DMARC fail beside a DKIM pass, no setting", () => {
    expect(verdict(ar(`mx.jahat.example; dmarc=pass header.from=warga.example`))).toBeUndefined();
    expect(verdict(ar(`${TRUSTED}; dmarc=fail header.from=warga.example`))).toBeUndefined();
    expect(verdict(ar(`${TRUSTED}; dmarc=pass header.from=jahat.example`))).toBeUndefined();
    expect(verdict(ar(`${TRUSTED}; dkim=pass header.d=jahat.example; spf=pass smtp.mailfrom=x@notwarga.example`))).toBeUndefined();
    expect(verdict(ar(`${TRUSTED}; dkim=pass header.d=sub.warga.example; dmarc=fail header.from=warga.example`))).toBeUndefined();
    expect(verdict(ar(`${TRUSTED}; dkim=pass`))).toBeUndefined();
    expect(verdict(ar(`${TRUSTED}; spf=softfail smtp.mailfrom=siti@warga.example`))).toBeUndefined();
    expect(authenticatedBy(lines(ar(`${TRUSTED}; dmarc=pass`)), FROM, undefined)).toBeUndefined();
  });

  it("only the topmost run counts: a header the sender wrote lower down is ignored", () => {
    const received: [string, string] = ["Received", "from mail.jahat.example by mx.kantor.example"];
    // The server said nothing of its own; the sender's header sits below its Received line.
    expect(verdict(ar("mx.kantor.example; none"), received, ar(`${TRUSTED}; dmarc=pass header.from=warga.example`))).toBeUndefined();
    expect(verdict(["Received", "by mx"], ar(`other.example; none`), received, ar(`${TRUSTED}; dmarc=pass`))).toBeUndefined();
    // Several headers of the server's filters, one after another, all count.
    expect(
      verdict(ar(`${TRUSTED}; dmarc=pass header.from=warga.example`), ar(`${TRUSTED}; dkim=pass header.d=warga.example`), received),
    ).toBe("dmarc");
  });

  it("readMail reads it from a raw mail and ignores Reply-To", async () => {
    const raw = Buffer.from(
      "Authentication-Results: mx.kantor.example;\r\n dmarc=pass header.from=warga.example\r\nFrom: Siti <siti@warga.example>\r\nReply-To: x@jahat.example\r\nSubject: Re: [ADU-2026-00001] a\r\nMessage-ID: <a@warga.example>\r\n\r\nhalo\r\n",
    );
    const trusted = await readMail(raw, { maxAttachmentBytes: 1000, ownAddresses: OWN, trustedAuthservId: TRUSTED });
    expect(trusted.ok && trusted.mail.authenticated).toBe("dmarc");
    expect(JSON.stringify(trusted.ok && trusted.mail)).not.toContain("jahat");
    const untrusted = await readMail(raw, { maxAttachmentBytes: 1000, ownAddresses: OWN, trustedAuthservId: "mx.lain.example" });
    expect(untrusted.ok && untrusted.mail.authenticated).toBeUndefined();
  });
});
