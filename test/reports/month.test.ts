import { execFile, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as documentsMain } from "../../src/cli/documents.js";
import { main as logbookMain } from "../../src/cli/logbook.js";
import { main as recapMain } from "../../src/cli/recap.js";
import { parseSopPreset } from "../../src/complaints/index.js";
import type { ChannelName } from "../../src/core/index.js";
import { repoRoot } from "../../src/db/index.js";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import {
  complaintFormFields,
  complaintFormPdf,
  forwardingLetterPdf,
  loadDocumentComplaint,
  loadReportTexts,
  LOGBOOK_HEADERS,
  logbookReport,
  recapReport,
  type ReportSettings,
} from "../../src/reports/index.js";
import { pageCount, pdfText } from "../helpers/pdf.js";
import { createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

const run = promisify(execFile);
const TZ = "Asia/Jakarta";
/** When the reports are made: early December, after the month closed. */
const REPORT_NOW = new Date("2026-12-05T03:00:00Z");
const label = (id: string, en = id) => ({ id, en });
/** The generic preset's steps on a calendar clock: due times in the test are plain arithmetic. */
const SOP = parseSopPreset(
  {
    name: "uji",
    title: label("SOP Uji"),
    workingTime: { kind: "calendar" },
    documents: { logbook: { number: "FM-PDIP-03-02", revision: "00", effective: "20 Des 2017" } },
    roles: [
      { id: "staf", label: label("Staf Pengelola Pengaduan") },
      { id: "kasi", label: label("Kepala Seksi / Kasubbag") },
      { id: "pimpinan", label: label("Pimpinan (Camat / Kepala Dinas)"), head: true },
    ],
    steps: [
      { id: "register", label: label("Diterima dan dicatat di logbook"), role: "staf", time: { minutes: 30 }, output: label("Logbook") },
      { id: "verify", label: label("Verifikasi data pelapor dan bukti"), role: "staf", time: { minutes: 30 }, output: label("Data") },
      { id: "review", label: label("Penelaahan dan klarifikasi"), role: "kasi", time: { hours: 2 }, output: label("Telaahan") },
      {
        id: "decide",
        label: label("Keputusan pimpinan"),
        role: "pimpinan",
        time: { maxDays: 10 },
        output: label("Keputusan"),
        decision: { approve: "answer", reject: "review" },
      },
      {
        id: "answer",
        label: label("Jawaban disampaikan kepada pelapor"),
        role: "staf",
        time: { minutes: 30 },
        output: label("Jawaban"),
        answer: true,
      },
      {
        id: "archive",
        label: label("Diarsipkan"),
        role: "staf",
        time: { minutes: 30 },
        output: label("Berkas"),
        archive: true,
        forward: true,
      },
    ],
  },
  "test/reports/month.test.ts",
  { timeZone: "Asia/Jakarta" },
);
const settings: ReportSettings = { officeName: "Kecamatan Uji", timeZone: TZ, locale: "id", sop: SOP, clock: () => REPORT_NOW };
/** The complainant of A: none of this may show in the logbook, the recap or a letter. */
const IDENTITY = ["Budi", "Santoso", "budi@contoh.id", "0812", "6281234567890", "Kenanga"];

let t: TestPipeline;
let now = new Date();
const tk: Record<string, string> = {};

async function file(key: string, at: string, channel: ChannelName, lines: string[]): Promise<void> {
  now = new Date(at);
  const chatId = `${key}-${channel}`;
  const sender = channel === "email" ? { id: "warga@contoh.id", email: "warga@contoh.id" } : { id: chatId };
  let last: ReceiveResult | undefined;
  for (const line of ["halo", ...lines]) last = await t.pipeline.receive(textMessage(chatId, line, { channel, sender, receivedAt: now }));
  const ticket = TICKET.exec(last!.replies.map((r) => r.text).join("\n"))?.[0];
  if (!ticket) throw new Error(`no ticket for ${key}`);
  tk[key] = ticket;
  await startStep(key, at);
}

/** The first step from the moment it arrived, due 30 minutes later (whatever clock the pipeline's preset keeps). */
async function startStep(key: string, at: string, step = "register"): Promise<void> {
  const start = new Date(at);
  await t.db.prisma.complaint.update({
    where: { ticket: tk[key]! },
    data: { sopStep: step, stepStartedAt: start, stepDueAt: new Date(start.getTime() + 30 * 60_000) },
  });
}

const anonymous = (category: string, text: string) => ["1", "anonim", category, text, "lewati", "ya"];

async function event(key: string, type: string, at: string, data: Record<string, unknown>): Promise<void> {
  const c = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket: tk[key]! } });
  await t.db.prisma.complaintEvent.create({
    data: { id: randomUUID(), complaintId: c.id, type, actor: "staff:100", data: JSON.stringify(data), createdAt: new Date(at) },
  });
}

async function close(key: string, at: string, type = "staff.close", data: Record<string, unknown> = {}): Promise<void> {
  await t.db.prisma.complaint.update({ where: { ticket: tk[key]! }, data: { status: "closed", closedAt: new Date(at) } });
  await event(key, type, at, { by: "Putu Ayu", ...data });
}

async function rate(key: string, score: number, at: string): Promise<void> {
  await t.db.prisma.complaint.update({ where: { ticket: tk[key]! }, data: { rating: score } });
  await event(key, "rated", at, { score, comment: null });
}

/**
 * A month of data in Asia/Jakarta (WIB, UTC+7): P is 31 Oct 23:30 WIB (October), A is exactly
 * 1 Nov 00:00 WIB, G is 30 Nov 23:59 WIB (November), N is 1 Dec 01:00 WIB (December) although its
 * UTC date is 30 November.
 */
async function seed(): Promise<void> {
  await file("P", "2026-10-31T16:30:00Z", "webchat", anonymous("2", "Pelayanan surat pindah berbelit-belit dan lambat."));
  await file("A", "2026-10-31T17:00:00Z", "webchat", [
    "1",
    "Budi Santoso",
    "budi@contoh.id 0812-3456-7890",
    "Jl. Kenanga 7, Denpasar",
    "2",
    "Saya Budi Santoso mengeluhkan antrean KTP di loket tiga sangat lama.",
    "lewati",
    "ya",
  ]);
  await file(
    "B",
    "2026-11-03T02:00:00Z",
    "telegram",
    anonymous("2", "Antrean KTP elektronik lama sekali, petugas loket datang terlambat."),
  );
  await file("C", "2026-11-05T03:00:00Z", "whatsapp-cloud", anonymous("1", "Petugas loket bersikap kasar kepada warga lanjut usia."));
  await file("D", "2026-11-10T04:00:00Z", "email", anonymous("3", "Toilet umum di kantor kecamatan rusak dan kotor."));
  now = new Date("2026-11-12T05:00:00Z");
  for (const line of ["halo", "3", "Apa saja syarat membuat akta kelahiran?"])
    await t.pipeline.receive(textMessage("E-web", line, { receivedAt: now }));
  tk.E = (await t.db.prisma.complaint.findFirstOrThrow({ where: { kind: "information" } })).ticket;
  await startStep("E", "2026-11-12T05:00:00Z");
  await file("F", "2026-11-20T06:00:00Z", "instagram", anonymous("4", "Parkir kendaraan di depan kantor semrawut, menghalangi jalan."));
  await file("G", "2026-11-30T16:59:00Z", "webchat", anonymous("2", "Antrean KTP lama dan nomor antrean habis sejak pagi."));
  await file("N", "2026-11-30T18:00:00Z", "telegram", anonymous("1", "Petugas tidak ramah saat melayani."));

  // A goes through the lifecycle as the staff console records it: advance, decision, answer, close.
  await event("A", "staff.note", "2026-11-01T02:00:00Z", { by: "Wayan Sudarma", text: "Sudah dicek ke loket tiga, petugas kurang." });
  await event("A", "sop.advance", "2026-11-01T02:10:00Z", {
    by: "Wayan Sudarma",
    from: "register",
    to: "decide",
    note: "Diteruskan ke pimpinan",
    stepStartedAt: "2026-10-31T17:00:00.000Z",
    stepDueAt: "2026-10-31T17:30:00.000Z",
    onTime: false,
    dueAt: "2026-11-11T02:10:00.000Z",
  });
  await event("A", "sop.decided", "2026-11-01T02:30:00Z", {
    by: "Made Suarsana",
    decision: "approve",
    from: "decide",
    to: "answer",
    note: "Tambah petugas loket",
    stepStartedAt: "2026-11-01T02:10:00.000Z",
    stepDueAt: "2026-11-11T02:10:00.000Z",
    onTime: true,
    dueAt: "2026-11-01T03:00:00.000Z",
  });
  await t.db.prisma.complaint.update({
    where: { ticket: tk.A! },
    data: { sopStep: "answer", stepStartedAt: new Date("2026-11-01T02:30:00Z"), stepDueAt: new Date("2026-11-01T03:00:00Z") },
  });
  await event("A", "staff.reply", "2026-11-01T03:00:00Z", {
    by: "Putu Ayu",
    text: "Terima kasih Pak Budi, loket tambahan sudah dibuka.",
    files: 0,
    channel: "webchat",
  });
  await close("A", "2026-11-01T04:00:00Z");
  await rate("A", 5, "2026-11-01T04:10:00Z");

  await event("B", "staff.reply", "2026-11-03T02:15:00Z", {
    by: "Putu Ayu",
    text: "Mohon maaf, petugas sudah ditegur.",
    files: 0,
    channel: "telegram",
  });
  await close("B", "2026-11-03T02:20:00Z", "sop.archive", {
    step: "register",
    stepStartedAt: "2026-11-03T02:00:00.000Z",
    stepDueAt: "2026-11-03T02:30:00.000Z",
    onTime: true,
  });
  await rate("B", 3, "2026-11-03T02:30:00Z");

  await event("C", "sop.assign", "2026-11-05T03:05:00Z", {
    by: "Wayan Sudarma",
    step: "register",
    role: "kasi",
    staff: null,
    staffName: null,
  });
  await event("C", "sop.advance", "2026-11-05T03:10:00Z", {
    by: "Wayan Sudarma",
    from: "register",
    to: "verify",
    note: "",
    stepStartedAt: "2026-11-05T03:00:00.000Z",
    stepDueAt: "2026-11-05T03:30:00.000Z",
    onTime: true,
    dueAt: "2026-11-05T03:40:00.000Z",
  });
  await startStep("C", "2026-11-05T03:10:00Z", "verify");

  await event("D", "staff.note", "2026-11-10T05:00:00Z", { by: "Wayan Sudarma", text: "Menunggu perbaikan dari bagian umum." });
  await close("D", "2026-12-02T01:00:00Z", "sop.forward", {
    agency: "Dinas Pekerjaan Umum",
    step: "register",
    stepStartedAt: "2026-11-10T04:00:00.000Z",
    stepDueAt: "2026-11-10T04:30:00.000Z",
    onTime: false,
  });
  await rate("D", 4, "2026-12-02T01:05:00Z");

  await event("E", "staff.reply", "2026-11-12T05:05:00Z", {
    by: "Putu Ayu",
    text: "Syaratnya: surat keterangan lahir, KK, KTP orang tua.",
    files: 0,
    channel: "webchat",
  });
  await close("E", "2026-11-12T05:10:00Z");

  // The scheduler's escalation is not follow-up on the complaint.
  await event("F", "sop.escalated", "2026-11-20T06:31:00Z", { step: "register" });
}

beforeAll(async () => {
  t = await createTestPipeline({ overrides: { clock: () => now } });
  await seed();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

/** RFC 4180 records (quoted fields may hold separators, quotes and line breaks); `;` is the logbook's default. */
function parseCsv(text: string, separator = ";"): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === separator) endField();
    else if (ch === "\r" && text[i + 1] === "\n") {
      endRow();
      i++;
    } else if (ch === "\n") endRow();
    else field += ch;
  }
  if (field !== "" || row.length > 0) endRow();
  return rows;
}

describe("the logbook of November 2026", () => {
  let rows: string[][];

  beforeAll(async () => {
    const file = await logbookReport(t.db, "2026-11", "csv", settings);
    expect(file.filename).toBe("logbook-2026-11.csv");
    const text = file.content.toString("utf8");
    expect(file.content.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(text.slice(1).split("\r\n").at(-1)).toBe(""); // every record ends with CRLF
    expect(text.replace(/"[^"]*"/g, "")).not.toMatch(/[^\r]\n/); // bare LF only inside quoted fields
    rows = parseCsv(text.slice(1));
  });

  it("has the contract's header row, in order", () => {
    expect(rows[0]).toEqual([
      "No.",
      "Isi Pengaduan & Sumber",
      "Bidang Terkait",
      "Tindak Lanjut Aduan",
      "Tindak Lanjut Ke Pengadu",
      "Status (selesai / tidak)",
      "Paraf",
      "Tiket",
      "Tanggal Diterima",
      "Kategori",
      "Media",
      "Jenis",
      "Tahap SOP",
      "Batas Tahap",
      "Tanggal Selesai",
      "Penilaian",
      "Waktu per Tahap",
    ]);
    expect(rows[0]).toEqual([...LOGBOOK_HEADERS]);
  });

  it("has one row per record received in the month (WIB), oldest first", () => {
    const body = rows.slice(1);
    expect(body.map((r) => r[7])).toEqual(["A", "B", "C", "D", "E", "F", "G"].map((k) => tk[k]));
    expect(body.map((r) => r[0])).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(body.every((r) => r.length === 17)).toBe(true);
  });

  it("fills every cell of a closed, approved complaint", () => {
    expect(rows[1]).toEqual([
      "1",
      "Saya [dirahasiakan] mengeluhkan antrean KTP di loket tiga sangat lama. (Website)",
      "",
      "01/11/2026 09:00 Wayan Sudarma: Sudah dicek ke loket tiga, petugas kurang.\n" +
        "01/11/2026 09:10 Wayan Sudarma: Lanjut ke tahap Keputusan pimpinan – Diteruskan ke pimpinan\n" +
        "01/11/2026 09:30 Made Suarsana: Keputusan pimpinan: setuju – Tambah petugas loket",
      "01/11/2026 10:00 Putu Ayu: Terima kasih Pak [dirahasiakan], loket tambahan sudah dibuka.",
      "selesai",
      "M.S.",
      tk.A,
      "01/11/2026 00:00",
      "Pelayanan",
      "Website",
      "Pengaduan",
      "Jawaban disampaikan kepada pelapor",
      "",
      "01/11/2026 11:00",
      "5",
      "Diterima dan dicatat di logbook: 9 j 10 mnt; Keputusan pimpinan: 20 mnt; Jawaban disampaikan kepada pelapor: 1 j 30 mnt",
    ]);
  });

  it("names the unit it was assigned to, the SOP actions and the step times of an open one", () => {
    expect(rows[3]).toEqual([
      "3",
      "Petugas loket bersikap kasar kepada warga lanjut usia. (Sosmed: WhatsApp)",
      "Kepala Seksi / Kasubbag",
      "05/11/2026 10:05 Wayan Sudarma: Ditugaskan kepada Kepala Seksi / Kasubbag\n05/11/2026 10:10 Wayan Sudarma: Lanjut ke tahap Verifikasi data pelapor dan bukti",
      "",
      "tidak",
      "",
      tk.C,
      "05/11/2026 10:00",
      "Perilaku Pegawai",
      "Sosmed: WhatsApp",
      "Pengaduan",
      "Verifikasi data pelapor dan bukti",
      "05/11/2026 10:40",
      "",
      "",
      "Diterima dan dicatat di logbook: 10 mnt; Verifikasi data pelapor dan bukti: sejak 05/11/2026 10:10",
    ]);
  });

  it("maps each channel to the form's media words and marks the information request", () => {
    const body = rows.slice(1);
    expect(body.map((r) => r[10])).toEqual([
      "Website",
      "Sosmed: Telegram",
      "Sosmed: WhatsApp",
      "Email",
      "Website",
      "Sosmed: Instagram",
      "Website",
    ]);
    expect(body.map((r) => r[11])).toEqual([
      "Pengaduan",
      "Pengaduan",
      "Pengaduan",
      "Pengaduan",
      "Permintaan Informasi",
      "Pengaduan",
      "Pengaduan",
    ]);
    expect(body.map((r) => r[5])).toEqual(["selesai", "selesai", "tidak", "selesai", "selesai", "tidak", "tidak"]);
    expect(body.map((r) => r[3])).toEqual([
      expect.any(String),
      "03/11/2026 09:20 Putu Ayu: Diarsipkan",
      expect.any(String),
      "10/11/2026 12:00 Wayan Sudarma: Menunggu perbaikan dari bagian umum.\n02/12/2026 08:00 Putu Ayu: Diteruskan kepada Dinas Pekerjaan Umum",
      "",
      "",
      "",
    ]);
    expect(body.map((r) => r[9])).toEqual(["Pelayanan", "Pelayanan", "Perilaku Pegawai", "Sarana Prasarana", "", "Lain-lain", "Pelayanan"]);
    expect(body.map((r) => r[15])).toEqual(["5", "3", "", "4", "", "", ""]);
    // D was forwarded (closed) on 2 December: the logbook shows where things stand now.
    expect(body[3]!.slice(13, 15)).toEqual(["", "02/12/2026 08:00"]);
    expect(body[4]![1]).toBe("Apa saja syarat membuat akta kelahiran? (Website)");
    expect(body[4]![4]).toBe("12/11/2026 12:05 Putu Ayu: Syaratnya: surat keterangan lahir, KK, KTP orang tua.");
    // G at 23:59 WIB on the last day is November; its step is still running.
    expect(body[6]!.slice(8, 9)).toEqual(["30/11/2026 23:59"]);
    expect(body[6]![13]).toBe("01/12/2026 00:29");
  });

  it("never shows the complainant's identity", async () => {
    const file = await logbookReport(t.db, "2026-11", "csv", settings);
    const text = file.content.toString("utf8");
    for (const part of IDENTITY) expect(text).not.toContain(part);
  });
});

describe("the logbook as XLSX", () => {
  let dir: string;
  let path: string;
  let sheet: ExcelJS.Worksheet;
  let details: ExcelJS.Worksheet;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-logbook-"));
    const file = await logbookReport(t.db, "2026-11", "xlsx", settings);
    expect(file.filename).toBe("logbook-2026-11.xlsx");
    path = join(dir, file.filename);
    writeFileSync(path, file.content);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    sheet = workbook.worksheets[0]!;
    details = workbook.worksheets[1]!;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("has the form's title block above a bold, frozen header row", () => {
    expect(sheet.getCell("A1").value).toBe("KECAMATAN UJI");
    expect(sheet.getCell("A2").value).toBe("LOG BOOK PENANGANAN PENGADUAN");
    expect(sheet.getCell("A3").value).toBe("Bulan: November 2026");
    expect(sheet.getCell("A4").value).toBe("Nomor: FM-PDIP-03-02  ·  Revisi: 00  ·  Tgl. Eff: 20 Des 2017");
    const header = sheet.getRow(6);
    expect(LOGBOOK_HEADERS.slice(0, 7).map((_, i) => header.getCell(i + 1).value)).toEqual(LOGBOOK_HEADERS.slice(0, 7));
    expect(header.getCell(8).value).toBeNull();
    const detailHeader = details.getRow(1);
    expect(LOGBOOK_HEADERS.slice(6).map((_, i) => detailHeader.getCell(i + 1).value)).toEqual(["No.", ...LOGBOOK_HEADERS.slice(7)]);
    expect(header.getCell(1).font?.bold).toBe(true);
    // "Status (selesai / tidak)" wraps to three lines of bold text in its column: the row shows them all.
    expect(header.height).toBeGreaterThanOrEqual(3 * 15);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 6 });
    expect(sheet.getColumn(2).width).toBeGreaterThanOrEqual(40);
    expect(sheet.getCell("B7").alignment?.wrapText).toBe(true);
  });

  it("reads back cell by cell, dates as real Excel dates in WIB", () => {
    const a = sheet.getRow(7);
    expect(a.getCell(1).value).toBe(1);
    expect(a.getCell(2).value).toBe("Saya [dirahasiakan] mengeluhkan antrean KTP di loket tiga sangat lama. (Website)");
    expect(a.getCell(6).value).toBe("selesai");
    expect(a.getCell(7).value).toBe("M.S.");
    // The other columns are on the second sheet, by the same No.
    expect(details.rowCount).toBe(1 + 7);
    const ad = details.getRow(2);
    expect(ad.getCell(1).value).toBe(1);
    expect(ad.getCell(2).value).toBe(tk.A);
    // Excel dates have no zone: the cell holds the WIB wall clock (00:00 on 1 Nov), not 17:00 UTC.
    expect(ad.getCell(3).value).toEqual(new Date("2026-11-01T00:00:00Z"));
    expect(ad.getCell(3).numFmt).toBe("dd/mm/yyyy hh:mm");
    expect(ad.getCell(8).value).toBeNull();
    expect(ad.getCell(9).value).toEqual(new Date("2026-11-01T11:00:00Z"));
    expect(ad.getCell(10).value).toBe(5);
    expect(sheet.getRow(9).getCell(3).value).toBe("Kepala Seksi / Kasubbag");
    expect(details.getRow(4).getCell(8).value).toEqual(new Date("2026-11-05T10:40:00Z"));
    expect(details.getRow(8).getCell(2).value).toBe(tk.G);
  });

  it("prints on A4 landscape, one page wide, the header row on every page, signed by the head of office", () => {
    for (const [ws, titles] of [
      [sheet, "6:6"],
      [details, "1:1"],
    ] as const) {
      expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
      expect(ws.pageSetup.printTitlesRow).toBe(titles);
    }
    expect(sheet.getCell("B7").alignment?.wrapText).toBe(true);
    // Three rows under the last record: "Mengetahui," and the head role, room to sign, name and NIP.
    const column = (row: number) => sheet.getCell(row, 5).value;
    expect([16, 17, 18, 19, 20, 21, 22].map(column)).toEqual([
      "Mengetahui,",
      "Pimpinan (Camat / Kepala Dinas)",
      null,
      null,
      null,
      "(..............................)",
      "NIP. ..............................",
    ]);
    expect(sheet.getCell(16, 5).isMerged).toBe(true);
  });

  it("opens in LibreOffice: headless conversion to CSV reads the same cells back", async (ctx) => {
    const soffice = ["soffice", "libreoffice"].find((bin) => spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0);
    if (!soffice) {
      ctx.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui): cannot check the XLSX opens in it");
      return;
    }
    const out = join(dir, "lo");
    const profile = mkdtempSync(join(tmpdir(), "kanal-lo-profile-"));
    try {
      // 44 = comma, 34 = double quote, 76 = UTF-8; cells are exported as shown (the date format).
      await run(
        soffice,
        [
          `-env:UserInstallation=file://${profile}`,
          "--headless",
          "--norestore",
          "--convert-to",
          "csv:Text - txt - csv (StarCalc):44,34,76,1",
          "--outdir",
          out,
          path,
        ],
        {
          env: { ...process.env, HOME: profile },
          timeout: 120_000,
        },
      );
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
    const converted = readdirSync(out).find((f) => f.endsWith(".csv"));
    expect(converted).toBeDefined();
    const lo = parseCsv(readFileSync(join(out, converted!), "utf8").replace(/^\uFEFF/, ""), ",");
    expect(lo[0]![0]).toBe("KECAMATAN UJI");
    expect(lo[3]![0]).toBe("Nomor: FM-PDIP-03-02  ·  Revisi: 00  ·  Tgl. Eff: 20 Des 2017");
    const csv = await logbookReport(t.db, "2026-11", "csv", settings);
    const ours = parseCsv(csv.content.toString("utf8").slice(1)).map((r) => r.slice(0, 7));
    // From the header row on, LibreOffice's reading of the form's sheet is our CSV's first seven columns, cell by cell.
    const fromHeader = lo.slice(5).filter((r) => r.some((c) => c !== ""));
    expect(fromHeader.slice(0, ours.length).map((r) => r.slice(0, 7))).toEqual(ours);
    expect(fromHeader.slice(ours.length).map((r) => r[4])).toEqual([
      "Mengetahui,",
      "Pimpinan (Camat / Kepala Dinas)",
      "(..............................)",
      "NIP. ..............................",
    ]);
  }, 150_000);

  it("prints from LibreOffice on one A4 page per sheet: the seven form columns are not split", async (ctx) => {
    const soffice = ["soffice", "libreoffice"].find((bin) => spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0);
    if (!soffice) {
      ctx.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui): cannot print the XLSX with it");
      return;
    }
    const out = join(dir, "lo-pdf");
    const profile = mkdtempSync(join(tmpdir(), "kanal-lo-profile-"));
    try {
      await run(
        soffice,
        [`-env:UserInstallation=file://${profile}`, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", out, path],
        { env: { ...process.env, HOME: profile }, timeout: 120_000 },
      );
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
    const pdf = readFileSync(
      join(
        out,
        readdirSync(out).find((f) => f.endsWith(".pdf"))!,
      ),
    ).toString("latin1");
    const pages = [...pdf.matchAll(/\/Type\s*\/Page\b(?!s)/g)];
    // Before, the sheet spread over four pages with the form's columns split; scaled to the page width it is one per sheet.
    expect(pages).toHaveLength(2);
    const size = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf);
    expect(size).not.toBeNull();
    // A4 landscape: 842 x 595 points.
    expect(Math.round(Number(size![1]))).toBe(842);
    expect(Math.round(Number(size![2]))).toBe(595);
  }, 150_000);
});

describe("the recap of November 2026", () => {
  let recap: Awaited<ReturnType<typeof recapReport>>;

  beforeAll(async () => {
    recap = await recapReport(t.db, "2026-11", settings, { compress: false });
  });

  it("counts the month, number by number", () => {
    const r = recap.recap;
    expect(r.month).toBe("2026-11");
    expect(r.period).toEqual({ start: "2026-10-31T17:00:00.000Z", end: "2026-11-30T17:00:00.000Z" });
    expect(r.asOf).toBe("2026-11-30T17:00:00.000Z");
    expect(r.total).toBe(7);
    expect(r.complaints).toBe(6);
    expect(r.informationRequests).toBe(1);
    expect(r.byCategory).toEqual({ "Perilaku Pegawai": 1, Pelayanan: 3, "Sarana Prasarana": 1, "Lain-lain": 1 });
    expect(Object.fromEntries(Object.entries(r.byChannel).filter(([, n]) => n > 0))).toEqual({
      webchat: 3,
      telegram: 1,
      "whatsapp-cloud": 1,
      email: 1,
      instagram: 1,
    });
    expect(r.byChannel.discord).toBe(0);
    expect(r.byStep).toEqual({ register: 5, verify: 1, review: 0, decide: 0, answer: 1, archive: 0 });
    // Open at month end: C, D (closed only on 2 December), F, G; overdue: C, D, F (G is due after midnight).
    expect(r.open).toBe(4);
    expect(r.overdue).toBe(3);
    expect(r.backlog).toEqual({ open: 1, overdue: 1 });
    expect(r.averageRating).toBe(4);
    expect(r.ratingCount).toBe(3);
    expect(r.ratingDistribution).toEqual({ "1": 0, "2": 0, "3": 1, "4": 1, "5": 1 });
    expect(r.satisfactionLevel).toBe("good");
  });

  it("measures the time standard per step and says what it measured", () => {
    const { timeStandard } = recap.recap;
    expect(timeStandard.measured).toMatch(/stepDueAt/);
    const register = timeStandard.steps.find((s) => s.step === "register")!;
    // Met: B (archived in 20 min), C (moved on in 10), E (closed in 10); missed: A (moved on after 9 h),
    // D and F (still there past due at month end: D was forwarded only on 2 December); pending: G.
    expect(register).toMatchObject({
      standard: { unit: "minutes", amount: 30 },
      standardMinutes: 30,
      entered: 7,
      met: 3,
      missed: 3,
      missedStillOpen: 2,
      pending: 1,
      unmeasured: 0,
      rate: 0.5,
    });
    expect(timeStandard.steps.find((s) => s.step === "verify")).toMatchObject({
      entered: 1,
      met: 0,
      missed: 1,
      missedStillOpen: 1,
      pending: 0,
      rate: 0,
    });
    expect(timeStandard.steps.find((s) => s.step === "review")).toMatchObject({ entered: 0, rate: null });
    // A: decided within the 10 days, then answered 1 h 30 min after the decision (30 min allowed).
    expect(timeStandard.steps.find((s) => s.step === "decide")).toMatchObject({
      standard: { unit: "maxDays", amount: 10 },
      entered: 1,
      met: 1,
      missed: 0,
      rate: 1,
    });
    expect(timeStandard.steps.find((s) => s.step === "answer")).toMatchObject({
      entered: 1,
      met: 0,
      missed: 1,
      missedStillOpen: 0,
      rate: 0,
    });
    expect(timeStandard.overall).toEqual({ met: 4, missed: 5, pending: 1, unmeasured: 0, rate: 0.4444 });
  });

  it("finds the frequent problems per category, with examples", () => {
    const pelayanan = recap.recap.frequentProblems.find((p) => p.category === "Pelayanan")!;
    expect(pelayanan.count).toBe(3);
    expect(pelayanan.terms[0]).toEqual({ term: "antrean ktp", count: 3 });
    expect(pelayanan.terms).toContainEqual({ term: "lama", count: 3 });
    expect(pelayanan.terms).toContainEqual({ term: "loket", count: 2 });
    expect(pelayanan.terms.map((t) => t.term)).not.toContain("antrean");
    expect(pelayanan.examples).toHaveLength(3);
    expect(pelayanan.examples.map((e) => e.ticket).sort()).toEqual([tk.A, tk.B, tk.G].sort());
    expect(recap.recap.frequentProblems.map((p) => [p.category, p.count])).toEqual([
      ["Perilaku Pegawai", 1],
      ["Pelayanan", 3],
      ["Sarana Prasarana", 1],
      ["Lain-lain", 1],
    ]);
    expect(JSON.stringify(recap.recap)).not.toMatch(/Budi|Santoso|budi@|Kenanga/);
  });

  it("writes the same numbers as JSON", () => {
    expect(recap.json.filename).toBe("recap-2026-11.json");
    const json = JSON.parse(recap.json.content.toString("utf8")) as Record<string, unknown>;
    expect(json).toMatchObject({
      month: "2026-11",
      total: 7,
      open: 4,
      overdue: 3,
      averageRating: 4,
      ratingCount: 3,
      informationRequests: 1,
    });
    expect(Object.keys(json.byCategory as object)).toEqual(["Perilaku Pegawai", "Pelayanan", "Sarana Prasarana", "Lain-lain"]);
  });

  it("is a three-page A4 PDF with the key numbers, the charts' labels and the satisfaction note", () => {
    const pdf = recap.pdf.content;
    expect(recap.pdf.filename).toBe("recap-2026-11.pdf");
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pageCount(pdf)).toBe(3);
    expect(pdf.toString("latin1")).toContain("/MediaBox [0 0 595.28 841.89]");
    const text = pdfText(pdf);
    for (const part of [
      "KECAMATAN UJI",
      "REKAPITULASI BULANAN PENGADUAN MASYARAKAT",
      "Bulan November 2026",
      "Pengaduan per kategori",
      "Diterima per kanal",
      "Kepatuhan standar waktu per tahap SOP",
      "Indeks kepuasan masyarakat",
      "Rata-rata penilaian pelapor: 4,00 dari 5 (3 penilaian).",
      "Sarana Prasarana",
      "WhatsApp",
      "maks. 10 hari",
      "antrean ktp (3)",
      "Halaman 1 dari 3",
      "Halaman 3 dari 3",
      "50% tepat waktu",
    ]) {
      expect(text, part).toContain(part);
    }
    expect(text).toMatch(/Ombudsman/);
    // The key-number tiles: 7 received, 6 complaints, 1 information request, 4 open, 3 overdue.
    const lines = text.split("\n");
    for (const [value, label] of [
      ["7", "Diterima"],
      ["6", "Pengaduan"],
      ["1", "Permintaan informasi"],
      ["4", "Belum selesai"],
      ["3", "Melewati batas waktu"],
      ["4,00", "Indeks kepuasan (1–5)"],
    ]) {
      expect(lines[lines.indexOf(label!) - 1], label).toBe(value);
    }
    expect(text).not.toMatch(/Budi|Santoso/);
  });
});

describe("the complaint form and the forwarding letter", () => {
  it("fills form FM-PDIP-03-01 with the complainant and ticks the category", async () => {
    const record = (await loadDocumentComplaint(t.db, tk.A!))!;
    const texts = loadReportTexts("id");
    const fields = complaintFormFields(record, { officeName: "Kecamatan Uji", timeZone: TZ, texts });
    expect(fields).toMatchObject({
      name: "Budi Santoso",
      address: "Jl. Kenanga 7, Denpasar",
      email: "budi@contoh.id",
      phone: "+6281234567890",
      target: "Kecamatan Uji",
      ticked: "Pelayanan",
      text: "Saya Budi Santoso mengeluhkan antrean KTP di loket tiga sangat lama.",
      medium: "Website",
    });
    const pdf = await complaintFormPdf(t.db, tk.A!, { ...settings, compress: false });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pageCount(pdf)).toBe(1);
    const text = pdfText(pdf);
    for (const part of [
      "FORMULIR PENGADUAN / SARAN",
      "Nama Lengkap",
      "Budi Santoso",
      "Alamat email",
      "budi@contoh.id",
      "No. Hp",
      "+6281234567890",
      "Sasaran Pengaduan",
      "Perilaku Pegawai",
      "Pelayanan",
      "Sarana Prasarana",
      "Lain - Lain",
      "ISI PENGADUAN / SARAN :",
      "Identitas pelapor dijaga kerahasiaannya",
      tk.A!,
    ]) {
      expect(text, part).toContain(part);
    }
  });

  it("shows an anonymous complainant as Anonim and nothing else about them", async () => {
    const record = (await loadDocumentComplaint(t.db, tk.C!))!;
    const fields = complaintFormFields(record, { officeName: "Kecamatan Uji", timeZone: TZ, texts: loadReportTexts("id") });
    expect(fields).toMatchObject({
      name: "Anonim",
      address: "-",
      email: "-",
      phone: "-",
      ticked: "Perilaku Pegawai",
      medium: "Sosmed: WhatsApp",
    });
    const info = complaintFormFields((await loadDocumentComplaint(t.db, tk.E!))!, {
      officeName: "Kecamatan Uji",
      timeZone: TZ,
      texts: loadReportTexts("id"),
    });
    expect(info.ticked).toBeNull();
    const text = pdfText(await complaintFormPdf(t.db, tk.C!, { ...settings, compress: false }));
    expect(text).toContain("Anonim");
  });

  it("writes a Surat Pengantar without the reporter's identity", async () => {
    const pdf = await forwardingLetterPdf(
      t.db,
      tk.A!,
      { to: "Kepala Dinas Kependudukan dan Pencatatan Sipil", number: "470/123/Kec/2026", signer: "I Made Suarsana, S.Sos" },
      { ...settings, compress: false },
    );
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pageCount(pdf)).toBe(1);
    const text = pdfText(pdf);
    for (const part of [
      "KECAMATAN UJI",
      "SURAT PENGANTAR",
      "Nomor : 470/123/Kec/2026",
      "5 Desember 2026",
      "Kepala Dinas Kependudukan dan Pencatatan Sipil",
      "Penerusan Pengaduan Masyarakat",
      tk.A!,
      "Pelayanan",
      "1 November 2026",
      "antrean KTP di loket tiga",
      "I Made Suarsana, S.Sos",
    ]) {
      expect(text, part).toContain(part);
    }
    for (const part of IDENTITY) expect(text).not.toContain(part);
  });

  it("refuses an unknown ticket and a letter to nobody", async () => {
    await expect(complaintFormPdf(t.db, "ADU-2026-09999", settings)).rejects.toThrow(/no complaint with ticket ADU-2026-09999/);
    await expect(forwardingLetterPdf(t.db, tk.A!, { to: " " }, settings)).rejects.toThrow(/whom the letter goes to/);
  });
});

describe("the commands", () => {
  let dir: string;
  const env = () => ({ DATABASE_URL: t.url, OFFICE_NAME: "Kecamatan Uji", OFFICE_TIMEZONE: TZ });
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: {
        out: (l: string) => out.push(l),
        err: (l: string) => err.push(l),
        envFile: join(dir, "none.env"),
        cwd: dir,
        clock: () => REPORT_NOW,
      },
    };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kanal-cli-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("logbook writes ./data/reports/logbook-YYYY-MM.<ext> by default and prints its path last", async () => {
    for (const format of ["csv", "xlsx"]) {
      const c = capture();
      expect(await logbookMain(["--month", "2026-11", "--format", format], env(), c.io)).toBe(0);
      expect(c.out.at(-1)).toBe(join(dir, "data", "reports", `logbook-2026-11.${format}`));
      expect(existsSync(c.out.at(-1)!)).toBe(true);
      expect(c.err).toEqual([]);
    }
    const c = capture();
    expect(await logbookMain(["--month=2026-12", "--format=csv", "--out", "december.csv"], env(), c.io)).toBe(0);
    expect(c.out.at(-1)).toBe(join(dir, "december.csv"));
    expect(
      parseCsv(readFileSync(join(dir, "december.csv"), "utf8").slice(1))
        .slice(1)
        .map((r) => r[7]),
    ).toEqual([tk.N]);
  });

  it("logbook refuses a bad month or format with one line and exit code 2", async () => {
    for (const args of [
      ["--month", "2026-13", "--format", "csv"],
      ["--month", "11-2026"],
      ["--format", "csv"],
      ["--month", "2026-11", "--format", "pdf"],
      ["--month", "2026-11", "--bogus"],
    ]) {
      const c = capture();
      expect(await logbookMain(args, env(), c.io), args.join(" ")).toBe(2);
      expect(c.err).toHaveLength(1);
      expect(c.err[0]).toMatch(/^logbook: /);
      expect(c.out).toEqual([]);
    }
    const c = capture();
    await logbookMain(["--month", "2026-11", "--format", "pdf"], env(), c.io);
    expect(c.err[0]).toBe('logbook: --format must be csv or xlsx (got "pdf")');
  });

  it("logbook separates CSV with ; for Excel's Indonesian settings, or , when told", async () => {
    const semicolon = capture();
    expect(await logbookMain(["--month", "2026-11", "--format", "csv", "--out", "titik-koma.csv"], env(), semicolon.io)).toBe(0);
    const first = readFileSync(join(dir, "titik-koma.csv"), "utf8");
    expect(first.startsWith("\uFEFFNo.;Isi Pengaduan & Sumber;Bidang Terkait;")).toBe(true);
    const comma = capture();
    expect(await logbookMain(["--month", "2026-11", "--out", "koma.csv", "--separator", ","], env(), comma.io)).toBe(0);
    const second = readFileSync(join(dir, "koma.csv"), "utf8");
    expect(second.startsWith("\uFEFFNo.,Isi Pengaduan & Sumber,Bidang Terkait,")).toBe(true);
    expect(parseCsv(second.slice(1), ",")).toEqual(parseCsv(first.slice(1), ";"));
    for (const [args, message] of [
      [["--month", "2026-11", "--format", "csv", "--separator", "|"], 'logbook: --separator must be ; or , (got "|")'],
      [["--month", "2026-11", "--format", "xlsx", "--separator", ","], "logbook: --separator is for --format csv"],
    ] as const) {
      const bad = capture();
      expect(await logbookMain([...args], env(), bad.io)).toBe(2);
      expect(bad.err).toEqual([message]);
    }
  });

  it("recap writes the JSON and the PDF and prints the JSON's path last", async () => {
    const c = capture();
    expect(await recapMain(["--month", "2026-11", "--out", "out"], env(), c.io)).toBe(0);
    const jsonPath = join(dir, "out", "recap-2026-11.json");
    expect(c.out.at(-1)).toBe(jsonPath);
    expect(JSON.parse(readFileSync(jsonPath, "utf8"))).toMatchObject({ month: "2026-11", total: 7, overdue: 3 });
    expect(
      readFileSync(join(dir, "out", "recap-2026-11.pdf"))
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
    const bad = capture();
    expect(await recapMain(["--month", "November"], env(), bad.io)).toBe(2);
    expect(bad.err).toEqual(['recap: --month must be a month as YYYY-MM, e.g. 2026-11 (got "November")']);
  });

  it("documents writes the form and the letter", async () => {
    const form = capture();
    expect(await documentsMain(["form", tk.A!], env(), form.io)).toBe(0);
    expect(form.out.at(-1)).toBe(join(dir, "data", "reports", `form-${tk.A}.pdf`));
    const letter = capture();
    expect(await documentsMain(["letter", tk.A!.toLowerCase(), "--to", "Dinas PU", "--out", "surat.pdf"], env(), letter.io)).toBe(0);
    expect(readFileSync(join(dir, "surat.pdf")).subarray(0, 5).toString()).toBe("%PDF-");
    const bad = capture();
    expect(await documentsMain(["letter", tk.A!], env(), bad.io)).toBe(2);
    expect(bad.err[0]).toMatch(/needs --to/);
    const unknown = capture();
    expect(await documentsMain(["form", "ADU-2026-09999"], env(), unknown.io)).toBe(2);
    expect(unknown.err[0]).toMatch(/no complaint with ticket/);
  });

  it("npm run logbook works as a real process: its path is the last line of stdout", async () => {
    const { stdout } = await run(
      "npm",
      ["run", "--silent", "logbook", "--", "--month", "2026-11", "--format", "csv", "--out", join(dir, "npm.csv")],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env() },
        timeout: 60_000,
      },
    );
    expect(stdout.trimEnd().split("\n").at(-1)).toBe(join(dir, "npm.csv"));
    expect(readFileSync(join(dir, "npm.csv")).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  }, 60_000);
});
