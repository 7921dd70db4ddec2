/**
 * Working a complaint in the staff web console over HTTP: the inbox lists and filters it, the
 * complaint page shows its timeline, and reply / note / identity / close go through the same
 * staff commands as the Telegram group (the citizen's web-chat session receives the reply, never
 * the note, and is asked for a rating on close). Every POST needs the CSRF token. On SQLite, and
 * on PostgreSQL with KANAL_TEST_DB=postgresql.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSopPreset } from "../../src/complaints/index.js";
import { repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import { createStaffConsole } from "../../src/staff/index.js";
import { PULL } from "../helpers/pipeline.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { ConsoleClient, webLogin } from "../helpers/console.js";
import { SAMPLES } from "../helpers/sample-files.js";
import { WebchatCitizen } from "../helpers/webchat-citizen.js";

let app: TestApp;
let citizen: WebchatCitizen;
let ticket = "";
const ani = new (class {
  client!: ConsoleClient;
})();

/** The complaint's link in the inbox (the search box's hint may show a ticket-shaped example). */
const listed = () => `>${ticket}</a>`;

const cookieOf = (client: ConsoleClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

/** The hidden once-key of the action form on the last page, so each post is a fresh request. */
function onceOf(page: string, action: string): string {
  const form = new RegExp(`name="once" value="([0-9a-f-]{36})"\\s*/>\\s*<input type="hidden" name="action" value="${action}"`).exec(page);
  if (!form) throw new Error(`no ${action} form on the page`);
  return form[1]!;
}

beforeAll(async () => {
  // A staff group without a bot token: what it is told waits in the outbox, where the test reads it.
  app = await startApp({ env: { OFFICE_NAME: "Kecamatan Uji Coba", TELEGRAM_OPS_CHAT_ID: "-100500" } });
  await webLogin(app.db, "ani", "kasi", { name: "Ani Kasi", password: "sandi ani yang panjang" });
  await webLogin(app.db, "budi", "staf", { name: "Budi Staf", password: "sandi budi yang panjang" });
  await webLogin(app.db, "rina", "admin", { name: "Rina Admin", password: "sandi rina yang panjang", telegramId: "777001" });
  citizen = new WebchatCitizen(app.url);
  await citizen.start();
  ticket = await citizen.fileComplaint("Siti Aminah", "Lampu jalan di depan kantor kelurahan mati sejak seminggu.", {
    filename: "lampu.png",
    mime: "image/png",
    bytes: SAMPLES.png,
  });
  ani.client = new ConsoleClient(app.url);
  await ani.client.signIn("ani", "sandi ani yang panjang");
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe("the inbox", () => {
  it("lists the open complaint with its category, channel, step and last message", async () => {
    const page = await ani.client.get("/staff/inbox");
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<a href="/staff/complaints/${ticket}">${ticket}</a>`);
    expect(page.text).toContain("Pelayanan");
    expect(page.text).toContain("chat website");
    expect(page.text).toMatch(/data-live="1"/);
  });

  it("filters and searches, by text and by ticket", async () => {
    expect((await ani.client.get("/staff/inbox?q=lampu+jalan")).text).toContain(listed());
    expect((await ani.client.get(`/staff/inbox?q=${ticket.toLowerCase()}`)).text).toContain(listed());
    expect((await ani.client.get("/staff/inbox?q=jembatan+runtuh")).text).not.toContain(listed());
    expect((await ani.client.get("/staff/inbox?status=closed")).text).not.toContain(listed());
    expect((await ani.client.get("/staff/inbox?category=Pelayanan&channel=webchat")).text).toContain(listed());
    expect((await ani.client.get("/staff/inbox?channel=email")).text).not.toContain(listed());
    expect((await ani.client.get("/staff/inbox?overdue=1")).text).not.toContain(listed());
    // "Mine": the register step is the staf role's, not a kasi's.
    expect((await ani.client.get("/staff/inbox?mine=1")).text).not.toContain(listed());
    const budi = new ConsoleClient(app.url);
    await budi.signIn("budi", "sandi budi yang panjang");
    expect((await budi.get("/staff/inbox?mine=1")).text).toContain(listed());
    // Nonsense in the query string is ignored, not an error.
    expect((await ani.client.get("/staff/inbox?status=%00&page=-3")).status).toBe(200);
  });
});

describe("live updates (/staff/events)", () => {
  it("refuses a stranger", async () => {
    const answer = await new ConsoleClient(app.url).get("/staff/events");
    expect(answer.status).toBe(401);
  });

  it("tells an open page of a citizen's new message, as a server-sent event", async () => {
    const cookie = cookieOf(ani.client);
    const abort = new AbortController();
    const response = await fetch(`${app.url}/staff/events`, { headers: { cookie }, signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    await citizen.say("Tambahan: lampu di tiang sebelahnya juga mati.");
    const deadline = Date.now() + 15_000;
    while (!/event: update\ndata: .*\n\n/.test(seen) && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      seen += decoder.decode(chunk.value, { stream: true });
    }
    abort.abort();
    const data = JSON.parse(/event: update\ndata: (.*)\n/.exec(seen)![1]!) as { messages: number; tickets: string[] };
    expect(data.messages).toBe(1);
    expect(data.tickets).toEqual([ticket]);
    await citizen.newMessages();
    // The inbox now shows that message as the complaint's last.
    expect((await ani.client.get("/staff/inbox")).text).toContain("Tambahan: lampu di tiang sebelahnya juga mati.");
  });
});

describe("the SOP board and the reports", () => {
  it("shows the open complaint as a card in its step's column, coloured by its time standard", async () => {
    const page = await ani.client.get("/staff/board");
    expect(page.status).toBe(200);
    const column = /<section class="column" aria-labelledby="col-0">([\s\S]*?)<\/section>/.exec(page.text)![1]!;
    expect(column).toContain("Diterima dan dicatat di logbook");
    expect(column).toMatch(new RegExp(`<li class="card card-ok" data-ticket="${ticket}">`));
    expect(page.text).toContain("tepat waktu");
  });

  it("shows the month's numbers with charts, and serves the logbook and the recap as downloads", async () => {
    const month = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Jakarta", year: "numeric", month: "2-digit" })
      .format(new Date())
      .slice(0, 7);
    const page = await ani.client.get(`/staff/reports?month=${month}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<svg class="chart" role="img" aria-label="Menurut kategori"/);
    expect(page.text).toContain(`href="/staff/reports/logbook.xlsx?month=${month}"`);
    const xlsx = await fetch(`${app.url}/staff/reports/logbook.xlsx?month=${month}`, { headers: { cookie: cookieOf(ani.client) } });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-disposition")).toMatch(/^attachment; filename="logbook-\d{4}-\d{2}\.xlsx"$/);
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe("PK");
    const csv = await ani.client.get(`/staff/reports/logbook.csv?month=${month}`);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.text).toContain(ticket);
    const pdf = await fetch(`${app.url}/staff/reports/recap.pdf?month=${month}`, { headers: { cookie: cookieOf(ani.client) } });
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
    // Not for strangers.
    expect((await fetch(`${app.url}/staff/reports/logbook.csv?month=${month}`, { redirect: "manual" })).status).toBe(303);
  });
});

describe("a complaint's page", () => {
  it("shows the complaint with the reporter masked, and the timeline", async () => {
    const page = await ani.client.get(`/staff/complaints/${ticket}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Lampu jalan di depan kantor kelurahan mati sejak seminggu.");
    expect(page.text).toContain('<p id="identity" class="masked">S. A.</p>');
    expect(page.text).not.toContain("Siti Aminah");
    expect((await ani.client.get("/staff/complaints/ADU-1999-99999")).status).toBe(404);
  });

  it("shows the evidence as a thumbnail and a download, to signed-in staff only", async () => {
    const page = await ani.client.get(`/staff/complaints/${ticket}`);
    const src = new RegExp(`<img src="(/staff/complaints/${ticket}/files/[^"]+)" alt="lampu.png"`).exec(page.text)![1]!;
    const image = await fetch(app.url + src, { headers: { cookie: cookieOf(ani.client) } });
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await image.arrayBuffer()).equals(Buffer.from(SAMPLES.png))).toBe(true);
    const download = await fetch(`${app.url}${src}?download=1`, { headers: { cookie: cookieOf(ani.client) } });
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="lampu.png"');
    expect(download.headers.get("content-type")).toBe("application/octet-stream");
    const stranger = await fetch(app.url + src, { redirect: "manual" });
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get("location")).toMatch(/^\/staff\/login\?next=/);
    // A file of another complaint, or no file, is not found under this ticket.
    expect((await ani.client.get(`/staff/complaints/${ticket}/files/nope`)).status).toBe(404);
  });

  it("refuses a POST without the CSRF token, and does nothing", async () => {
    const page = await ani.client.get(`/staff/complaints/${ticket}`);
    const answer = await ani.client.post(
      `/staff/complaints/${ticket}/act`,
      { action: "reply", once: onceOf(page.text, "reply"), text: "Balasan palsu" },
      { csrf: false },
    );
    expect(answer.status).toBe(403);
    expect(await app.db.prisma.complaintEvent.count({ where: { type: "staff.reply" } })).toBe(0);
  });

  it("replies: the citizen's web-chat session receives the text, and the group is told it came from the web", async () => {
    const page = await ani.client.get(`/staff/complaints/${ticket}`);
    const once = onceOf(page.text, "reply");
    const answer = await ani.client.post(`/staff/complaints/${ticket}/act`, {
      action: "reply",
      once,
      text: "Terima kasih, petugas akan memeriksa lampu hari ini.",
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/id="outcome"/);
    expect(answer.text).toContain("Terima kasih, petugas akan memeriksa lampu hari ini.");
    expect(answer.text).toContain("Petugas — Ani Kasi");
    const heard = await citizen.newMessages();
    expect(heard.map((m) => m.text).join("\n")).toContain("Terima kasih, petugas akan memeriksa lampu hari ini.");
    // The same form sent again (a double click, a reload) does nothing the second time.
    const again = await ani.client.post(`/staff/complaints/${ticket}/act`, { action: "reply", once, text: "Terima kasih" });
    expect(again.text).toContain("tidak dijalankan dua kali");
    expect(await citizen.newMessages()).toEqual([]);
    const event = await app.db.prisma.complaintEvent.findFirstOrThrow({ where: { type: "staff.reply" } });
    expect(JSON.parse(event.data)).toMatchObject({ by: "Ani Kasi", via: "web" });
    const told = await app.db.prisma.outboxMessage.findMany({ where: { channel: "telegram", chatId: "-100500", kind: "staff" } });
    expect(told.map((row) => row.payload).join("\n")).toMatch(/via web oleh Ani Kasi[\s\S]*petugas akan memeriksa lampu/);
  });

  it("writes an internal note the citizen never receives", async () => {
    const page = await ani.client.get(`/staff/complaints/${ticket}`);
    const answer = await ani.client.post(`/staff/complaints/${ticket}/act`, {
      action: "note",
      once: onceOf(page.text, "note"),
      text: "Sudah koordinasi dengan dinas PU.",
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("Catatan internal — Ani Kasi");
    expect(answer.text).toContain("Sudah koordinasi dengan dinas PU.");
    expect((await citizen.newMessages()).map((m) => m.text).join("\n")).not.toContain("dinas PU");
  });

  it("shows the identity to a role that may see it, and audits the view", async () => {
    const page = await ani.client.get(`/staff/complaints/${ticket}`);
    const once =
      /action="\/staff\/complaints\/[^"]+\/identity">\s*<input type="hidden" name="_csrf" value="[^"]+" \/>\s*<input type="hidden" name="once" value="([^"]+)"/.exec(
        page.text,
      )![1]!;
    const answer = await ani.client.post(`/staff/complaints/${ticket}/identity`, { once });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("Siti Aminah");
    const audit = await app.db.prisma.complaintEvent.findFirstOrThrow({ where: { type: "staff.identity" } });
    expect(JSON.parse(audit.data)).toMatchObject({ by: "Ani Kasi", chat: "web" });
  });

  it("keeps the identity masked for a role that may not see it, and refuses (and audits) a forced reveal", async () => {
    const budi = new ConsoleClient(app.url);
    await budi.signIn("budi", "sandi budi yang panjang");
    const page = await budi.get(`/staff/complaints/${ticket}`);
    expect(page.text).toContain('<p id="identity" class="masked">S. A.</p>');
    expect(page.text).not.toContain(`/staff/complaints/${ticket}/identity`);
    const forced = await budi.post(`/staff/complaints/${ticket}/identity`, { once: crypto.randomUUID() });
    expect(forced.status).toBe(403);
    expect(forced.text).not.toContain("Siti Aminah");
    expect(await app.db.prisma.complaintEvent.count({ where: { type: "staff.identityDenied" } })).toBe(1);
  });

  it("blanks the reporter's identity out of every text for a role that may not see it", async () => {
    const other = new WebchatCitizen(app.url);
    await other.start();
    const mine = await other.fileComplaint("Rahmat Hidayat", "Saya Rahmat Hidayat, hubungi 0812-3456-7890: jalan berlubang di RT 03.");
    // A second complaint begun in the same chat: its intake answers (the name again) land under the first.
    await other.say("1");
    await other.say("Rahmat Hidayat");
    const budi = new ConsoleClient(app.url);
    await budi.signIn("budi", "sandi budi yang panjang");
    for (const path of [`/staff/complaints/${mine}`, "/staff/inbox", "/staff/board"]) {
      const page = await budi.get(path);
      expect(page.status).toBe(200);
      expect(page.text, path).toContain(mine);
      expect(page.text, path).not.toMatch(/Rahmat|Hidayat|0812-3456-7890/);
      expect(page.text, path).toContain("[dirahasiakan]");
    }
    const seen = await ani.client.get(`/staff/complaints/${mine}`);
    expect(seen.text).toContain("Saya Rahmat Hidayat, hubungi 0812-3456-7890");
    expect(seen.text).toMatch(/<p class="text">Rahmat Hidayat<\/p>/);
  });

  it("moves the complaint along the SOP only for the step's holder, as the group's /lanjut does", async () => {
    // The register step is the staf role's: a kasi is refused, and the attempt is on record.
    const page = await ani.client.get(`/staff/complaints/${ticket}`);
    const refused = await ani.client.post(`/staff/complaints/${ticket}/act`, {
      action: "advance",
      once: onceOf(page.text, "advance"),
      text: "loncat",
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/class="notice error"\s+role="alert"\s+id="outcome"/);
    expect((await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).sopStep).toBe("register");
    expect(refused.text).toContain('<input id="advance-text" name="text" maxlength="4000" value="loncat" />');
    expect(await app.db.prisma.complaintEvent.count({ where: { type: "sop.denied" } })).toBe(1);

    const budi = new ConsoleClient(app.url);
    await budi.signIn("budi", "sandi budi yang panjang");
    const hers = await budi.get(`/staff/complaints/${ticket}`);
    const moved = await budi.post(`/staff/complaints/${ticket}/act`, {
      action: "advance",
      once: onceOf(hers.text, "advance"),
      text: "data pelapor lengkap",
    });
    expect(moved.status).toBe(200);
    expect((await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).sopStep).toBe("verify");
    expect(moved.text).toMatch(/<dt>Tahap SOP<\/dt>\s*<dd>Verifikasi data pelapor dan bukti<\/dd>/);
    expect(moved.text).toContain("data pelapor lengkap");
  });

  it("shows a reply sent from the Telegram group in the web timeline, with who sent it and from where", async () => {
    // The group's front end on the same database and pipeline, as src/main.ts builds it.
    const group = createStaffConsole({
      db: app.db,
      voice: app.pipeline,
      templates: loadTemplates(join(repoRoot, "templates")),
      sop: loadSopPreset(join(repoRoot, "templates"), "generic", { timeZone: "Asia/Jakarta" }),
      settings: {
        officeName: "Kecamatan Uji Coba",
        timeZone: "Asia/Jakarta",
        locale: "id",
        replyMode: "reply",
        staffIds: [],
        opsChannel: "telegram",
        opsChatId: "-100500",
      },
      limitsOf: () => PULL,
    });
    const answer = await group({
      updateId: "9001",
      chatId: "-100500",
      chatKind: "ops",
      from: { id: "777001", name: "Rina" },
      text: `/balas ${ticket} Petugas sudah di lokasi.`,
      attachments: [],
      receivedAt: new Date(),
    });
    expect(answer.messages.map((m) => m.text).join("\n")).toContain(ticket);
    expect((await citizen.newMessages()).map((m) => m.text).join("\n")).toContain("Petugas sudah di lokasi.");
    const page = await ani.client.get(`/staff/complaints/${ticket}`);
    const entry = /<li class="entry msg staff">((?:(?!<\/li>)[\s\S])*Petugas sudah di lokasi\.[\s\S]*?)<\/li>/.exec(page.text)![1]!;
    expect(entry.replace(/\s+/g, " ")).toMatch(/Petugas — Rina Admin<\/strong> \(via grup Telegram\)/);
  });

  it("closes the complaint: the citizen is asked for a rating, and it leaves the open inbox", async () => {
    const page = await ani.client.get(`/staff/complaints/${ticket}`);
    const answer = await ani.client.post(`/staff/complaints/${ticket}/act`, { action: "close", once: onceOf(page.text, "close") });
    expect(answer.status).toBe(200);
    const heard = (await citizen.newMessages()).map((m) => m.text).join("\n");
    expect(heard).toMatch(/nilai|penilaian|1.*5/i);
    expect((await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).status).toBe("closed");
    expect((await ani.client.get("/staff/inbox")).text).not.toContain(`>${ticket}</a>`);
    expect((await ani.client.get("/staff/inbox?status=closed")).text).toContain(`>${ticket}</a>`);
  });
});

describe("the staff and audit pages", () => {
  it("are refused to a role that may not see them, and left out of its menu", async () => {
    const page = await ani.client.get("/staff/inbox");
    expect(page.text).not.toContain('href="/staff/people"');
    expect(page.text).not.toContain('href="/staff/audit"');
    expect((await ani.client.get("/staff/people")).status).toBe(403);
    expect((await ani.client.get("/staff/audit")).status).toBe(403);
  });

  it("show an admin everyone who is staff, with roles, Telegram ids and web logins", async () => {
    const rina = new ConsoleClient(app.url);
    await rina.signIn("rina", "sandi rina yang panjang");
    const page = await rina.get("/staff/people");
    expect(page.status).toBe(200);
    const rows = [...page.text.matchAll(/<tr data-staff="[^"]+">([\s\S]*?)<\/tr>/g)].map((m) =>
      m[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " "),
    );
    expect(rows.find((r) => r.includes("Ani Kasi"))).toMatch(/\(kasi\).*hanya web.*ani/);
    expect(rows.find((r) => r.includes("Rina Admin"))).toMatch(/\(admin\).*777001.*rina/);
  });

  it("show every staff action and identity view, filterable", async () => {
    const rina = new ConsoleClient(app.url);
    await rina.signIn("rina", "sandi rina yang panjang");
    const all = await rina.get("/staff/audit");
    expect(all.status).toBe(200);
    for (const type of ["staff.reply", "staff.note", "staff.identity", "staff.identityDenied", "staff.close"]) {
      expect(all.text).toContain(`<tr data-type="${type}">`);
    }
    const identity = await rina.get("/staff/audit?kind=identity");
    const types = [...identity.text.matchAll(/<tr data-type="([^"]+)">/g)].map((m) => m[1]);
    expect(types.sort()).toEqual(["staff.identity", "staff.identityDenied"]);
    expect(identity.text).toContain("permintaan identitas pelapor oleh Budi Staf ditolak");
    const byBudi = await rina.get("/staff/audit?who=Budi");
    expect([...byBudi.text.matchAll(/<tr data-type="([^"]+)">/g)].map((m) => m[1])).toEqual(["sop.advance", "staff.identityDenied"]);
    const sop = await rina.get("/staff/audit?kind=sop");
    expect([...sop.text.matchAll(/<tr data-type="([^"]+)">/g)].map((m) => m[1])).toEqual(["sop.advance", "sop.denied"]);
    const byTicket = await rina.get(`/staff/audit?ticket=${ticket}&via=web&kind=note`);
    expect([...byTicket.text.matchAll(/<tr data-type="([^"]+)">/g)].map((m) => m[1])).toEqual(["staff.note"]);
  });

  it("still open, and show the rest, when an event's stored data is not the JSON object it should be", async () => {
    const { id } = await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    // Rows no code of ours writes (a hand edit, a restore gone wrong), straight into the table.
    const later = Date.now() + 60_000;
    // The newest last: it is the one the inbox reads as the complaint's last message.
    for (const [n, data] of ["null", '"a string"', "{not json"].entries()) {
      await app.db.sql.execute(
        `INSERT INTO "ComplaintEvent" ("id", "complaintId", "type", "actor", "data", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`,
        [`broken-${n}`, id, "staff.reply", "staff:web:rina", data, new Date(later + n)],
      );
    }
    const rina = new ConsoleClient(app.url);
    await rina.signIn("rina", "sandi rina yang panjang");
    const audit = await rina.get("/staff/audit");
    expect(audit.status).toBe(200);
    expect(audit.text).toContain('<tr data-type="staff.note">');
    expect(audit.text.match(/<tr data-type="staff.reply">/g)?.length).toBeGreaterThanOrEqual(3);
    expect((await rina.get("/staff/inbox")).status).toBe(200);
    expect((await rina.get(`/staff/complaints/${ticket}`)).status).toBe(200);
  });
});
