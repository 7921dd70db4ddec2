/**
 * Replying with files from the staff web console's complaint page, over HTTP against the whole bot:
 * the reply form posts multipart/form-data, the files go through the same staff `reply` command as a
 * photo from the Telegram group, and the citizen's web-chat history offers them (the pull path). What
 * an attacker or a careless click sends is refused with the reason on the page and nothing sent: a
 * file too large, an executable named .png, an empty file, too many files, a missing, forged or
 * another session's CSRF token, repeated fields, a file under another field or with another action,
 * a stranger or a disabled login. A file name with a NUL is cleaned, never a 5xx (PostgreSQL refuses
 * NUL). On SQLite, and on PostgreSQL with KANAL_TEST_DB=postgresql.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disableWebLogin } from "../../src/console/index.js";
import { eraseComplaint } from "../../src/privacy/index.js";
import { sweepAttachments } from "../../src/storage/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { ConsoleClient, webLogin } from "../helpers/console.js";
import { ANONYMOUS_INTAKE, TICKET, textMessage } from "../helpers/pipeline.js";
import { HOSTILE, SAMPLES } from "../helpers/sample-files.js";
import { WebchatCitizen } from "../helpers/webchat-citizen.js";

/** Small limits, so "too large" and "too many" need no big uploads. */
const MAX_BYTES = 64 * 1024;
const MAX_FILES = 3;

let app: TestApp;
let citizen: WebchatCitizen;
let ticket = "";
let ani: ConsoleClient;

type Part = { name: string; value: string } | { name: string; filename: string; type: string; bytes: Uint8Array };

interface HistoryFile {
  id: string;
  mime: string;
  name?: string;
}
interface HistoryMessage {
  from: string;
  text: string;
  files?: HistoryFile[];
}

/**
 * A multipart/form-data body written by hand, byte for byte, so a test can send what no browser
 * would (a NUL in a file name, a field twice, parts in any order).
 */
function multipart(parts: readonly Part[]): { body: Buffer; type: string } {
  const boundary = `----kanal-${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ("value" in part) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`, "utf8"));
    } else {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`,
          "utf8",
        ),
        Buffer.from(part.bytes),
        Buffer.from("\r\n"),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

const cookieOf = (client: ConsoleClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

/** Posts a multipart form with the client's cookies, as the reply form does. */
async function postForm(
  client: ConsoleClient,
  path: string,
  parts: readonly Part[],
): Promise<{ status: number; text: string; location: string | null }> {
  const { body, type } = multipart(parts);
  const response = await fetch(app.url + path, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: cookieOf(client), "content-type": type },
    body: new Uint8Array(body),
  });
  return { status: response.status, text: await response.text(), location: response.headers.get("location") };
}

/** The hidden once-key of the reply form on a page. */
function replyOnce(page: string): string {
  const form = /name="once" value="([0-9a-f-]{36})"\s*\/>\s*<input type="hidden" name="action" value="reply"/.exec(page);
  if (!form) throw new Error("no reply form on the page");
  return form[1]!;
}

/** The reply form as the browser sends it, in the page's order: hidden fields, text, then the files. */
async function replyParts(
  client: ConsoleClient,
  text: string,
  files: { filename: string; type: string; bytes: Uint8Array }[],
  onPage = ticket,
): Promise<Part[]> {
  const page = await client.get(`/staff/complaints/${onPage}`);
  return [
    { name: "_csrf", value: client.csrf },
    { name: "once", value: replyOnce(page.text) },
    { name: "action", value: "reply" },
    { name: "text", value: text },
    ...(files.length > 0
      ? files.map((f) => ({ name: "files", ...f }))
      : [{ name: "files", filename: "", type: "application/octet-stream", bytes: new Uint8Array() }]),
  ];
}

const act = (client: ConsoleClient, parts: readonly Part[], onTicket = ticket) =>
  postForm(client, `/staff/complaints/${onTicket}/act`, parts);

const history = async () => (await citizen.newMessages()) as unknown as HistoryMessage[];
const replyEvents = () => app.db.prisma.complaintEvent.count({ where: { type: "staff.reply" } });
const officeFiles = () => app.db.prisma.attachment.count({ where: { complaintId: null, messageId: { not: null } } });

/** Nothing of a refused form reached anyone: no new reply event, no file on record, nothing in the citizen's history. */
async function nothingSent(before: { events: number; files: number }) {
  expect(await replyEvents()).toBe(before.events);
  expect(await officeFiles()).toBe(before.files);
  expect(await history()).toEqual([]);
}

const counts = async () => ({ events: await replyEvents(), files: await officeFiles() });

/** The text box of the reply form, as the page drew it (a refused form keeps what was typed). */
const replyBox = (page: string) => /<textarea id="reply-text" name="text" required maxlength="4000">([^<]*)<\/textarea>/.exec(page)?.[1];

beforeAll(async () => {
  app = await startApp({
    env: {
      OFFICE_NAME: "Kecamatan Uji Coba",
      TELEGRAM_OPS_CHAT_ID: "-100500",
      ATTACHMENT_MAX_BYTES: String(MAX_BYTES),
      ATTACHMENT_MAX_BYTES_PER_CONVERSATION: String(MAX_BYTES),
      ATTACHMENT_MAX_FILES: String(MAX_FILES),
    },
  });
  await webLogin(app.db, "ani", "kasi", { name: "Ani Kasi", password: "sandi ani yang panjang" });
  await webLogin(app.db, "budi", "staf", { name: "Budi Staf", password: "sandi budi yang panjang" });
  await webLogin(app.db, "sari", "staf", { name: "Sari Staf", password: "sandi sari yang panjang" });
  citizen = new WebchatCitizen(app.url);
  await citizen.start();
  ticket = await citizen.fileComplaint("Siti Aminah", "Lampu jalan di depan kantor kelurahan mati sejak seminggu.");
  ani = new ConsoleClient(app.url);
  await ani.signIn("ani", "sandi ani yang panjang");
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe("replying with files from the complaint page", () => {
  it("draws the reply form as multipart, with a file input that names the limits", async () => {
    const page = await ani.get(`/staff/complaints/${ticket}`);
    expect(page.text).toMatch(
      /<form method="post" action="\/staff\/complaints\/[^"]+\/act" class="stack" id="reply-form" enctype="multipart\/form-data">/,
    );
    expect(page.text).toMatch(/<input\s+type="file"\s+id="reply-files"\s+name="files"\s+multiple/);
    expect(page.text).toContain('<label for="reply-files">Lampiran (opsional)</label>');
    expect(page.text).toContain(`paling banyak ${MAX_FILES} berkas, masing-masing sampai 0,1 MB`);
  });

  it("sends a text with the file input left empty, as a plain reply", async () => {
    const answer = await act(ani, await replyParts(ani, "Laporan sudah kami terima dan sedang diperiksa.", []));
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/class="notice ok"/);
    const heard = await history();
    expect(heard.map((m) => m.text).join("\n")).toContain("Laporan sudah kami terima dan sedang diperiksa.");
    expect(heard.every((m) => m.files === undefined)).toBe(true);
    expect(await officeFiles()).toBe(0);
  });

  it("sends a PNG and a PDF: the citizen's web-chat history offers both, the event counts them, the timeline lists them", async () => {
    const answer = await act(
      ani,
      await replyParts(ani, "Berikut foto lokasi dan surat balasan kami.", [
        { filename: "foto-lokasi.png", type: "image/png", bytes: SAMPLES.png },
        { filename: "surat-balasan.pdf", type: "application/pdf", bytes: SAMPLES.pdf },
      ]),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("tersimpan; pengadu melihatnya di chat website");
    // The timeline: the reply, who sent it, and its two files as downloads.
    const entry =
      /<li class="entry msg staff">((?:(?!<\/li>\s*<li class="entry)[\s\S])*Berikut foto lokasi[\s\S]*?)<\/ul>/.exec(answer.text)?.[1] ??
      "";
    expect(entry).toContain("Petugas — Ani Kasi");
    expect(entry).toContain("Unduh foto-lokasi.png");
    expect(entry).toContain("Unduh surat-balasan.pdf");

    // Not fetched yet: the web chat is a pull channel, so nobody has said it arrived.
    expect(entry).not.toContain("delivery-delivered");

    // The citizen's history: the staff message carries the two files, typed by their bytes.
    const staff = (await history()).filter((m) => m.from === "staff");
    expect(staff).toHaveLength(1);
    // The page fetched it: the timeline says it reached the citizen's device.
    const fetched = await ani.get(`/staff/complaints/${ticket}`);
    expect(fetched.text).toMatch(
      /<li class="entry msg staff">\s*<p class="meta">[\s\S]*?<span class="delivery delivery-delivered"\s*>diterima<\/span\s*>\s*<\/p>\s*<p class="text">[^<]*Berikut foto lokasi/,
    );
    expect(staff[0]!.text).toContain("Berikut foto lokasi dan surat balasan kami.");
    const files = staff[0]!.files ?? [];
    expect(files.map((f) => [f.mime, f.name])).toEqual([
      ["image/png", "foto-lokasi.png"],
      ["application/pdf", "surat-balasan.pdf"],
    ]);
    const [png, pdf] = files as [HistoryFile, HistoryFile];

    // The session serves them: the image to draw, the PDF as a download; no other session gets them.
    const base = `${app.url}/api/webchat/sessions/${citizen.sessionId}/files`;
    const image = await fetch(`${base}/${png.id}`);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await image.arrayBuffer()).equals(Buffer.from(SAMPLES.png))).toBe(true);
    const letter = await fetch(`${base}/${pdf.id}`);
    expect(letter.status).toBe(200);
    expect(letter.headers.get("content-type")).toBe("application/octet-stream");
    expect(letter.headers.get("content-disposition")).toMatch(/^attachment; filename="surat-balasan\.pdf"/);
    expect(Buffer.from(await letter.arrayBuffer()).equals(Buffer.from(SAMPLES.pdf))).toBe(true);
    const stranger = new WebchatCitizen(app.url);
    await stranger.start();
    expect((await fetch(`${app.url}/api/webchat/sessions/${stranger.sessionId}/files/${pdf.id}`)).status).toBe(404);

    // On record: the event counts the files; the staff group hears the reply came from the web.
    const events = await app.db.prisma.complaintEvent.findMany({ where: { type: "staff.reply" }, orderBy: { createdAt: "asc" } });
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ by: "Ani Kasi", via: "web", files: 2, channel: "webchat" });
    const told = await app.db.prisma.outboxMessage.findMany({ where: { channel: "telegram", chatId: "-100500", kind: "staff" } });
    expect(told.map((row) => row.payload).join("\n")).toMatch(/via web oleh Ani Kasi[\s\S]*Berikut foto lokasi/);

    // The complaint page serves them to signed-in staff, and to no one else.
    const link = new RegExp(`href="(/staff/complaints/${ticket}/files/${pdf.id})\\?download=1"`).exec(answer.text)![1]!;
    const download = await fetch(`${app.url}${link}?download=1`, { headers: { cookie: cookieOf(ani) } });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="surat-balasan.pdf"');
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(SAMPLES.pdf))).toBe(true);
    expect((await fetch(`${app.url}${link}`, { redirect: "manual" })).status).toBe(303);
    // They are not the complaint's evidence.
    expect(answer.text).not.toMatch(/<section aria-labelledby="ev-h"/);
  });

  it("keeps the office's files through the draft sweep, and out of the citizen's file budget", async () => {
    const before = await officeFiles();
    const later = new Date(Date.now() + 30 * 86_400_000);
    await sweepAttachments({ db: app.db, dir: join(app.dir, "attachments"), graceMs: 3_600_000, clock: () => later });
    expect(await officeFiles()).toBe(before);
    // The conversation may hold MAX_BYTES of the citizen's own files: the staff's PDF is not counted.
    const big = new Uint8Array(MAX_BYTES - 1024);
    big.set(SAMPLES.pdf, 0);
    await citizen.upload({ filename: "tambahan.pdf", mime: "application/pdf", bytes: big });
    expect(await app.db.prisma.attachment.count({ where: { complaint: { ticket } } })).toBe(1);
    await history();
  });
});

describe("what is refused, with the reason on the page and nothing sent", () => {
  it("a file larger than ATTACHMENT_MAX_BYTES: the typed text stays in its box", async () => {
    const before = await counts();
    const answer = await act(
      ani,
      await replyParts(ani, "Terlampir pindaian dokumen.", [
        { filename: "foto.png", type: "image/png", bytes: SAMPLES.png },
        { filename: "pindaian-besar.pdf", type: "application/pdf", bytes: new Uint8Array(MAX_BYTES + 1) },
      ]),
    );
    expect(answer.status).toBe(422);
    expect(answer.text).toMatch(/class="notice error"\s+role="alert"/);
    expect(answer.text).toContain("tidak dikirim; tidak ada yang sampai ke pengadu");
    expect(answer.text).toContain("pindaian-besar.pdf: lebih besar dari 0,1 MB");
    expect(answer.text).toContain("pilih lagi berkas yang akan dilampirkan");
    expect(replyBox(answer.text)).toBe("Terlampir pindaian dokumen.");
    await nothingSent(before);
  });

  it("an executable named .png (the type is read from the bytes), and an empty file", async () => {
    const before = await counts();
    const answer = await act(
      ani,
      await replyParts(ani, "Lihat lampiran.", [
        { filename: "foto.png", type: "image/png", bytes: HOSTILE.exe },
        { filename: "kosong.pdf", type: "application/pdf", bytes: new Uint8Array() },
      ]),
    );
    expect(answer.status).toBe(422);
    expect(answer.text).toContain("foto.png: isinya bukan foto, PDF, dokumen Office");
    expect(answer.text).toContain("kosong.pdf: kosong (0 byte)");
    expect(replyBox(answer.text)).toBe("Lihat lampiran.");
    await nothingSent(before);
  });

  it("more files than ATTACHMENT_MAX_FILES, refused whole before any is stored", async () => {
    const before = await counts();
    const files = Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ filename: `foto-${i}.png`, type: "image/png", bytes: SAMPLES.png }));
    const answer = await act(ani, await replyParts(ani, "Empat foto.", files));
    expect(answer.status).toBe(413);
    expect(answer.text).toContain(`paling banyak ${MAX_FILES} berkas`);
    expect(replyBox(answer.text)).toBe("Empat foto.");
    await nothingSent(before);
  });

  it("a missing, forged or another session's CSRF token (403), checked before anything is stored", async () => {
    const before = await counts();
    const files = [{ filename: "foto.png", type: "image/png", bytes: SAMPLES.png }];
    const parts = await replyParts(ani, "Balasan palsu", files);
    const missing = await act(
      ani,
      parts.filter((p) => p.name !== "_csrf"),
    );
    expect(missing.status).toBe(403);
    expect(missing.text).toContain("Formulir ini sudah kedaluwarsa");
    const forged = await act(
      ani,
      parts.map((p) => (p.name === "_csrf" ? { name: "_csrf", value: "palsu-" + ani.csrf.slice(6) } : p)),
    );
    expect(forged.status).toBe(403);
    // A token is bound to its session: Budi's token does not work in Ani's session.
    const budi = new ConsoleClient(app.url);
    await budi.signIn("budi", "sandi budi yang panjang");
    await budi.get(`/staff/complaints/${ticket}`);
    const borrowed = await act(
      ani,
      parts.map((p) => (p.name === "_csrf" ? { name: "_csrf", value: budi.csrf } : p)),
    );
    expect(borrowed.status).toBe(403);
    // The token given twice is no token.
    const twice = await act(ani, [{ name: "_csrf", value: ani.csrf }, ...parts]);
    expect(twice.status).toBe(403);
    await nothingSent(before);
  });

  it("repeated fields, a file under another field, a file with another action", async () => {
    const before = await counts();
    const png = { filename: "foto.png", type: "image/png", bytes: SAMPLES.png };
    const parts = await replyParts(ani, "Satu", [png]);
    const textTwice = await act(ani, [...parts, { name: "text", value: "Dua" }]);
    expect(textTwice.status).toBe(400);
    expect(textTwice.text).toContain("Isian formulir tidak lengkap atau tidak sah");
    const actionTwice = await act(ani, [...(await replyParts(ani, "Satu", [png])), { name: "action", value: "note" }]);
    expect(actionTwice.status).toBe(400);
    const otherField = await act(ani, [...(await replyParts(ani, "Satu", [])), { name: "file", ...png }]);
    expect(otherField.status).toBe(400);
    const note = (await replyParts(ani, "Catatan dengan berkas", [png])).map((p) =>
      p.name === "action" ? { name: "action", value: "note" } : p,
    );
    const noteWithFile = await act(ani, note);
    expect(noteWithFile.status).toBe(400);
    expect(await app.db.prisma.complaintEvent.count({ where: { type: "staff.note" } })).toBe(0);
    await nothingSent(before);
  });

  it("a body that is not well-formed multipart is a 400 page, never a 5xx", async () => {
    const before = await counts();
    await ani.get(`/staff/complaints/${ticket}`);
    for (const [type, body] of [
      ["multipart/form-data", "no boundary"],
      ["multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="text"\r\n\r\ncut off'],
    ] as const) {
      const response = await fetch(`${app.url}/staff/complaints/${ticket}/act`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie: cookieOf(ani), "content-type": type },
        body,
      });
      expect(response.status, body).toBeGreaterThanOrEqual(400);
      expect(response.status, body).toBeLessThan(500);
    }
    await nothingSent(before);
  });

  it("a stranger's upload and a disabled login's are turned away at the door", async () => {
    const before = await counts();
    const parts = await replyParts(ani, "Dari luar", [{ filename: "foto.png", type: "image/png", bytes: SAMPLES.png }]);
    const stranger = await act(new ConsoleClient(app.url), parts);
    expect(stranger.status).toBe(303);
    expect(stranger.location).toMatch(/^\/staff\/login/);
    // Every staff role may reply, as in the group; an account that is no longer staff may not.
    const sari = new ConsoleClient(app.url);
    await sari.signIn("sari", "sandi sari yang panjang");
    const hers = await replyParts(sari, "Balasan Sari", [{ filename: "foto.png", type: "image/png", bytes: SAMPLES.png }]);
    await disableWebLogin(app.db, "sari");
    const disabled = await act(sari, hers);
    expect(disabled.status).toBe(303);
    expect(disabled.location).toMatch(/^\/staff\/login/);
    await nothingSent(before);
  });
});

describe("odd but harmless", () => {
  it("a NUL in a file's name or in the text is dropped, on both databases", async () => {
    const answer = await act(
      ani,
      await replyParts(ani, "Nama berkas\u0000 aneh.", [{ filename: "bukti\u0000.png", type: "image/png", bytes: SAMPLES.png }]),
    );
    // The store's cleaning of names drops control characters (src/storage/file-names.ts).
    expect(answer.status).toBe(200);
    const staff = (await history()).filter((m) => m.from === "staff");
    expect(staff.at(-1)!.files?.map((f) => f.name)).toEqual(["bukti.png"]);
    expect(answer.text).toContain("Unduh bukti.png");
    // Typed text is cleaned as every front end's is: the NUL is gone.
    expect(staff.at(-1)!.text).toContain("Nama berkas aneh.");
    const names = (await app.db.prisma.attachment.findMany({ select: { filename: true } })).map((a) => a.filename ?? "");
    expect(names.some((n) => n.includes("\u0000"))).toBe(false);
  });

  it("on a channel that takes no files, the text goes and the page says the files did not", async () => {
    const chatId = `terminal-${randomUUID()}`;
    let last = "";
    for (const text of ["halo", ...ANONYMOUS_INTAKE]) {
      const result = await app.pipeline.receive(textMessage(chatId, text, { channel: "terminal", sender: { id: chatId } }));
      last = result.replies.map((r) => r.text).join("\n");
    }
    const other = TICKET.exec(last)![0];
    const before = await officeFiles();
    const answer = await act(
      ani,
      await replyParts(
        ani,
        "Mohon datang ke kantor dengan membawa KTP.",
        [{ filename: "denah.png", type: "image/png", bytes: SAMPLES.png }],
        other,
      ),
      other,
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/class="notice ok"/);
    expect(answer.text).toContain("tidak menerima berkas; hanya teksnya yang diteruskan");
    expect(await officeFiles()).toBe(before);
    const event = await app.db.prisma.complaintEvent.findFirstOrThrow({ where: { type: "staff.reply", complaint: { ticket: other } } });
    expect(JSON.parse(event.data)).toMatchObject({ files: 0 });
  });

  it("erasing the complaint erases the files staff sent with its replies", async () => {
    const complaint = await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    const rows = await app.db.prisma.attachment.findMany({ where: { conversationId: complaint.conversationId, complaintId: null } });
    expect(rows.length).toBeGreaterThan(0);
    const dir = join(app.dir, "attachments");
    expect(rows.every((r) => existsSync(join(dir, r.storagePath)))).toBe(true);
    await eraseComplaint(app.db, { complaintId: complaint.id, why: "request", actor: "test", now: new Date(), attachmentsDir: dir });
    expect(await app.db.prisma.attachment.count({ where: { id: { in: rows.map((r) => r.id) } } })).toBe(0);
    expect(rows.some((r) => existsSync(join(dir, r.storagePath)))).toBe(false);
  });
});
