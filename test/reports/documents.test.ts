import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as documentsMain } from "../../src/cli/documents.js";
import { loadSopPreset, parseSopPreset } from "../../src/complaints/index.js";
import { loadConfig } from "../../src/config/index.js";
import { repoRoot } from "../../src/db/index.js";
import {
  complaintFormPdf,
  contactLine,
  evidenceEntries,
  formatNip,
  forwardingLetterPdf,
  letterheadOf,
  logbookReport,
  recapReport,
  safeFileName,
  trackingUrl,
  type Letterhead,
  type ReportSettings,
} from "../../src/reports/index.js";
import { pageCount, pdfText } from "../helpers/pdf.js";
import { createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

const TZ = "Asia/Makassar";
const NOW = new Date("2026-12-03T02:00:00Z");
const templates = join(repoRoot, "templates");
const preset = (name: string) => loadSopPreset(templates, name, { timeZone: TZ });
const HEAD: Letterhead = {
  name: "Kecamatan Denpasar Utara",
  parent: "Pemerintah Kota Denpasar",
  address: "Jl. Gatot Subroto I No. 2, Denpasar",
  phone: "(0361) 424242",
  email: "kec-denut@denpasarkota.go.id",
  website: "denpasarkota.go.id",
  city: "Denpasar",
};
const settings = (sop: string, extra: Partial<ReportSettings> = {}): ReportSettings & { compress: boolean } => ({
  officeName: HEAD.name,
  timeZone: TZ,
  locale: "id",
  sop: preset(sop),
  clock: () => NOW,
  letterhead: HEAD,
  compress: false,
  ...extra,
});

let t: TestPipeline;
let now = new Date("2026-12-01T01:00:00Z");
let named = "";
let info = "";
let bare = "";
const attachmentsDir = () => join(t.dir, "attachments");

async function intake(chatId: string, lines: string[]): Promise<string> {
  let text = "";
  for (const line of ["halo", ...lines]) {
    const result = await t.pipeline.receive(textMessage(chatId, line, { receivedAt: now }));
    text = result.replies.map((r) => r.text).join("\n");
  }
  return TICKET.exec(text)?.[0] ?? "";
}

/** Stores a file as the attachment store does (by content hash) and ties it to the complaint. */
async function attach(ticket: string, filename: string | null, mime: string, bytes: Buffer): Promise<void> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const storagePath = join(sha256.slice(0, 2), sha256);
  mkdirSync(join(attachmentsDir(), sha256.slice(0, 2)), { recursive: true });
  writeFileSync(join(attachmentsDir(), storagePath), bytes);
  const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
  now = new Date(now.getTime() + 60_000);
  await t.db.prisma.attachment.create({
    data: {
      id: randomUUID(),
      conversationId: complaint.conversationId,
      complaintId: complaint.id,
      sha256,
      mime,
      size: bytes.length,
      filename,
      storagePath,
      createdAt: now,
    },
  });
}

beforeAll(async () => {
  t = await createTestPipeline({ overrides: { clock: () => now } });
  named = await intake("named", [
    "1",
    "Budi Santoso",
    "budi@contoh.id 0812-3456-7890",
    "Jl. Kenanga 7, Denpasar",
    "3",
    "Lampu jalan di Jl. Kenanga mati sejak seminggu.",
    "lewati",
    "ya",
  ]);
  await attach(named, "foto lampu.jpg", "image/jpeg", Buffer.from("jpeg-1"));
  await attach(named, "Foto Lampu.JPG", "image/jpeg", Buffer.from("jpeg-2"));
  await attach(named, "../../etc/surat.pdf", "application/pdf", Buffer.from("%PDF-1.4 surat"));
  await attach(named, null, "image/png", Buffer.from("png-bytes"));
  for (const line of ["halo", "3", "Apa saja syarat membuat akta kelahiran?"])
    await t.pipeline.receive(textMessage("info", line, { receivedAt: now }));
  info = (await t.db.prisma.complaint.findFirstOrThrow({ where: { kind: "information" } })).ticket;
  bare = await intake("bare", ["1", "anonim", "2", "Antrean KTP lama sekali.", "lewati", "ya"]);
  expect([named, bare].every((x) => TICKET.test(x))).toBe(true);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe("the letterhead settings", () => {
  it("reads OFFICE_PARENT … OFFICE_LOGO, and refuses a logo that is not a PNG or JPEG", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-logo-"));
    try {
      const png = join(dir, "logo.png");
      writeFileSync(png, await QRCode.toBuffer("logo"));
      const config = loadConfig(
        {
          OFFICE_NAME: "Kecamatan Denpasar Utara",
          OFFICE_PARENT: "Pemerintah Kota Denpasar",
          OFFICE_CITY: "Denpasar",
          OFFICE_PHONE: "(0361) 424242",
          OFFICE_LOGO: png,
          OFFICE_ADDRESS: " ",
        },
        join(dir, "none.env"),
      );
      expect(letterheadOf(config)).toEqual({
        name: "Kecamatan Denpasar Utara",
        parent: "Pemerintah Kota Denpasar",
        city: "Denpasar",
        phone: "(0361) 424242",
        logo: png,
      });
      writeFileSync(join(dir, "logo.svg"), "<svg/>");
      expect(() => loadConfig({ OFFICE_LOGO: join(dir, "logo.svg") }, join(dir, "none.env"))).toThrow(/OFFICE_LOGO.*PNG or JPEG/);
      expect(() => loadConfig({ OFFICE_LOGO: join(dir, "missing.png") }, join(dir, "none.env"))).toThrow(/OFFICE_LOGO/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("joins the contacts that are set into one line", () => {
    const labels = { phone: "Telp.", email: "Email:", website: "Laman:" };
    expect(contactLine(HEAD, labels)).toBe("Telp. (0361) 424242  ·  Email: kec-denut@denpasarkota.go.id  ·  Laman: denpasarkota.go.id");
    expect(contactLine({ name: "X", website: "x.go.id" }, labels)).toBe("Laman: x.go.id");
    expect(contactLine({ name: "X" }, labels)).toBe("");
  });

  it("writes a NIP in its groups and a tracking link for the QR code", () => {
    expect(formatNip("197208091992012002")).toBe("19720809 199201 2 002");
    expect(formatNip("19720809 199201 2 002")).toBe("19720809 199201 2 002");
    expect(trackingUrl("https://aduan.denpasarkota.go.id/", "ADU-2026-00042")).toBe(
      "https://aduan.denpasarkota.go.id/lacak?ticket=ADU-2026-00042",
    );
  });
});

describe("the preset's form numbers", () => {
  it("are optional, and a blank number or an unknown form is refused with the file named", () => {
    const json = JSON.parse(readFileSync(join(templates, "sop", "palaran.json"), "utf8")) as Record<string, unknown>;
    expect(parseSopPreset(json, "palaran.json").documents).toBeUndefined();
    const numbered = parseSopPreset({ ...json, documents: { logbook: { number: "FM-01" } } }, "palaran.json");
    expect(numbered.documents).toEqual({ logbook: { number: "FM-01" } });
    expect(() => parseSopPreset({ ...json, documents: { logbook: { number: " " } } }, "palaran.json")).toThrow(/palaran\.json: documents/);
    expect(() => parseSopPreset({ ...json, documents: { letter: { number: "X" } } }, "palaran.json")).toThrow(/palaran\.json/);
    expect(preset("buleleng-disdukcapil").documents?.complaintForm).toEqual({
      number: "FM-PDIP-03-01",
      revision: "00",
      effective: "20 Des 2017",
    });
  });
});

describe("evidence file names", () => {
  it("keeps the original names, without folders or characters Windows refuses, unique case-insensitively", () => {
    expect(safeFileName("../../etc/passwd")).toBe("passwd");
    expect(safeFileName("C:\\Users\\warga\\bukti:1?.jpg")).toBe("bukti_1_.jpg");
    expect(safeFileName("..")).toBe("");
    expect(safeFileName(".htaccess")).toBe("htaccess");
    expect(safeFileName("a\u0000b\n.jpg")).toBe("ab.jpg");
    expect(safeFileName(`${"x".repeat(200)}.jpeg`)).toBe(`${"x".repeat(115)}.jpeg`);
    const names = evidenceEntries([
      { filename: "foto.jpg", mime: "image/jpeg", size: 1, storagePath: "a" },
      { filename: "FOTO.jpg", mime: "image/jpeg", size: 1, storagePath: "b" },
      { filename: "dir/foto.jpg", mime: "image/jpeg", size: 1, storagePath: "c" },
      { filename: null, mime: "application/pdf", size: 1, storagePath: "d" },
      { filename: "..", mime: "application/x-unknown", size: 1, storagePath: "e" },
      { filename: "catatan", mime: "text/plain", size: 1, storagePath: "f" },
      { filename: "catatan", mime: "text/plain", size: 1, storagePath: "g" },
    ]).map((e) => e.name);
    expect(names).toEqual(["foto.jpg", "FOTO (2).jpg", "foto (3).jpg", "bukti-4.pdf", "bukti-5", "catatan", "catatan (2)"]);
  });
});

/** A PDF the commands wrote (deflated) with its streams inflated, for the text helpers. */
function inflated(pdf: Buffer): Buffer {
  const source = pdf.toString("latin1");
  return Buffer.from(
    source.replace(/\/Filter \/FlateDecode([\s\S]*?)stream\n([\s\S]*?)\nendstream/g, (_, dict: string, data: string) => {
      return `${dict}stream\n${inflateSync(Buffer.from(data, "latin1")).toString("latin1")}\nendstream`;
    }),
    "latin1",
  );
}

/** The squares of the QR code's modules: the only rectangles smaller than 4 points on the form. */
function smallSquares(pdf: Buffer): { x: number; y: number; size: number }[] {
  return [...pdf.toString("latin1").matchAll(/([\d.-]+) ([\d.-]+) ([\d.]+) ([\d.]+) re/g)]
    .filter((m) => Number(m[3]) < 4 && m[3] === m[4])
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), size: Number(m[3]) }));
}

/**
 * The QR code read back off the page, module by module, as 0/1 in rows. The top-left module is
 * always dark (the finder pattern's corner), so the smallest x and y are row 0 and column 0.
 */
function drawnQr(pdf: Buffer, size: number): number[] {
  const squares = smallSquares(pdf);
  const cell = squares[0]!.size;
  const x0 = Math.min(...squares.map((q) => q.x));
  const y0 = Math.min(...squares.map((q) => q.y));
  const grid = new Array<number>(size * size).fill(0);
  for (const q of squares) grid[Math.round((q.y - y0) / cell) * size + Math.round((q.x - x0) / cell)] = 1;
  return grid;
}

function qrModules(text: string): { size: number; data: number[] } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  return { size: modules.size, data: [...modules.data] };
}

describe("the complaint form", () => {
  it("carries the kop surat, the files, the place and date, and a QR code of the tracking page", async () => {
    const base = "https://aduan.denpasarkota.go.id";
    const pdf = await complaintFormPdf(t.db, named, settings("denpasar-utara", { publicBaseUrl: base }));
    expect(pageCount(pdf)).toBe(1);
    const text = pdfText(pdf);
    const url = `${base}/lacak?ticket=${named}`;
    for (const part of [
      "PEMERINTAH KOTA DENPASAR",
      "KECAMATAN DENPASAR UTARA",
      "Jl. Gatot Subroto I No. 2, Denpasar",
      "Telp. (0361) 424242",
      "FORMULIR PENGADUAN / SARAN",
      "Budi Santoso",
      "Bukti terlampir (4 berkas):",
      "1. foto lampu.jpg",
      "2. Foto Lampu (2).JPG",
      "3. surat.pdf",
      "4. bukti-4.png",
      "Denpasar, 3 Desember 2026",
      url,
    ])
      expect(text, part).toContain(part);
    // The form number belongs to Buleleng's Disdukcapil: Denpasar Utara's preset has none.
    expect(text).not.toContain("FM-PDIP");
    expect(text).not.toContain("NO. DOK");
    // The code drawn is the tracking link's, module for module.
    const qr = qrModules(url);
    expect(smallSquares(pdf)).toHaveLength(qr.data.filter((b) => b === 1).length);
    expect(drawnQr(pdf, qr.size)).toEqual(qr.data);
  });

  it("prints the preset's own form number, and no QR code without PUBLIC_BASE_URL", async () => {
    const pdf = await complaintFormPdf(t.db, named, settings("buleleng-disdukcapil"));
    const text = pdfText(pdf);
    for (const part of ["NO. DOK : FM-PDIP-03-01", "REVISI : 00", "TGL. EFEKTIF : 20 Des 2017"]) expect(text, part).toContain(part);
    expect(text).not.toContain("/lacak");
    expect(smallSquares(pdf)).toEqual([]);
  });

  it("prints an information request as a request-for-information form", async () => {
    const text = pdfText(await complaintFormPdf(t.db, info, settings("buleleng-disdukcapil")));
    expect(text).toContain("FORMULIR PERMINTAAN INFORMASI");
    expect(text).toContain("INFORMASI YANG DIMINTA :");
    expect(text).toContain("Ditujukan kepada");
    for (const part of ["FORMULIR PENGADUAN", "Perilaku Pegawai", "Sarana Prasarana", "FM-PDIP-03-01", "Beri tanda centang"])
      expect(text, part).not.toContain(part);
  });

  it("draws the logo left of the kop surat", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-logo-"));
    try {
      const logo = join(dir, "logo.png");
      writeFileSync(logo, await QRCode.toBuffer("Pemkot"));
      const pdf = await complaintFormPdf(t.db, bare, settings("generic", { letterhead: { ...HEAD, logo } }));
      expect(pdf.toString("latin1")).toMatch(/\/Subtype \/Image/);
      const without = await complaintFormPdf(t.db, bare, settings("generic"));
      expect(without.toString("latin1")).not.toMatch(/\/Subtype \/Image/);
      const missing = complaintFormPdf(t.db, bare, settings("generic", { letterhead: { ...HEAD, logo: join(dir, "gone.png") } }));
      await expect(missing).rejects.toThrow(/OFFICE_LOGO .*gone\.png cannot be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the forwarding letter", () => {
  const letter = async (sop: string, input: { signer?: string; nip?: string } = {}, ticket = named) =>
    pdfText(await forwardingLetterPdf(t.db, ticket, { to: "Kepala Dinas Pekerjaan Umum Kota Denpasar", ...input }, settings(sop)));

  it("is dated in the office's city, counts the evidence in Lampiran and is signed by the preset's head", async () => {
    const text = await letter("palaran", { signer: "Drs. I Made Suarsana", nip: "197208091992012002" });
    for (const part of ["PEMERINTAH KOTA DENPASAR", "Denpasar, 3 Desember 2026", "4 berkas bukti", "Camat,", "Drs. I Made Suarsana"])
      expect(text, part).toContain(part);
    expect(text).toContain("NIP. 19720809 199201 2 002");
    expect(text).not.toContain("Pimpinan");
    expect(text).not.toContain("Budi");
    expect(await letter("madiun-inspektorat")).toContain("Inspektur,");
    expect(await letter("buleleng-disdukcapil")).toContain("Kepala Dinas,");
    const none = await letter("palaran", {}, bare);
    expect(none).toMatch(/Lampiran\n:\n-/);
    expect(none).toContain("(..................................)");
  });
});

describe("the recap", () => {
  it("carries the kop surat on its first page", async () => {
    const { pdf } = await recapReport(t.db, "2026-12", settings("generic"), { compress: false });
    const text = pdfText(pdf.content);
    expect(text.indexOf("PEMERINTAH KOTA DENPASAR")).toBeLessThan(text.indexOf("REKAPITULASI BULANAN PENGADUAN MASYARAKAT"));
    expect(text).toContain("Telp. (0361) 424242");
    expect(pageCount(pdf.content)).toBe(3);
  });
});

async function readXlsx(content: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  // exceljs declares its own Buffer type (an ArrayBuffer); Node's Buffer is what it reads at run time.
  await workbook.xlsx.load(content as unknown as ExcelJS.Buffer);
  return workbook;
}

describe("the logbook of an office with a quality system", () => {
  it("prints the parent government over the office, the preset's form number and its head in the signature block", async () => {
    const file = await logbookReport(t.db, "2026-12", "xlsx", settings("buleleng-disdukcapil"));
    const sheet = (await readXlsx(file.content)).worksheets[0]!;
    expect(sheet.getCell("A1").value).toBe("PEMERINTAH KOTA DENPASAR\nKECAMATAN DENPASAR UTARA");
    expect(sheet.getCell("A4").value).toBe("Nomor: FM-PDIP-03-02  ·  Revisi: 00  ·  Tgl. Eff: 20 Des 2017");
    // Three complaints (the two complaints and the information request), then the block three rows under them.
    expect(file.rows).toBe(3);
    expect(sheet.getCell(6 + 3 + 3, 5).value).toBe("Mengetahui,");
    expect(sheet.getCell(6 + 3 + 4, 5).value).toBe("Kepala Dinas");
    const palaran = await readXlsx((await logbookReport(t.db, "2026-12", "xlsx", settings("palaran"))).content);
    expect(palaran.worksheets[0]!.getCell("A4").value).toBeNull();
    expect(palaran.worksheets[0]!.getCell(6 + 3 + 4, 5).value).toBe("Camat");
  });
});

describe("npm run documents", () => {
  let dir: string;
  const env = () => ({
    DATABASE_URL: t.url,
    OFFICE_NAME: HEAD.name,
    OFFICE_TIMEZONE: TZ,
    ATTACHMENTS_DIR: attachmentsDir(),
    SOP_PRESET: "palaran",
    OFFICE_CITY: "Samarinda",
  });
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), envFile: join(dir, "none.env"), cwd: dir, clock: () => NOW },
    };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kanal-documents-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("evidence writes a ZIP of the files under their original names", async () => {
    const c = capture();
    expect(await documentsMain(["evidence", named.toLowerCase()], env(), c.io)).toBe(0);
    const path = join(dir, "data", "reports", `evidence-${named}.zip`);
    expect(c.out.at(-1)).toBe(path);
    expect(c.err).toEqual([]);
    const zip = await JSZip.loadAsync(readFileSync(path));
    const names = Object.keys(zip.files);
    expect(names).toEqual(["foto lampu.jpg", "Foto Lampu (2).JPG", "surat.pdf", "bukti-4.png"]);
    expect(await zip.file("foto lampu.jpg")!.async("string")).toBe("jpeg-1");
    expect(await zip.file("Foto Lampu (2).JPG")!.async("string")).toBe("jpeg-2");
    expect(await zip.file("surat.pdf")!.async("string")).toBe("%PDF-1.4 surat");
  });

  it("evidence leaves out a file no longer stored, says so, and refuses a complaint without files", async () => {
    // File names are sealed at rest: found among the rows Prisma has opened, not by a where on the column.
    const row = (await t.db.prisma.attachment.findMany()).find((a) => a.filename === "../../etc/surat.pdf")!;
    expect(row).toBeDefined();
    const kept = readFileSync(join(attachmentsDir(), row.storagePath));
    rmSync(join(attachmentsDir(), row.storagePath));
    try {
      const c = capture();
      expect(await documentsMain(["evidence", named, "--out", "bukti.zip"], env(), c.io)).toBe(0);
      expect(c.err).toEqual(["documents: surat.pdf is no longer stored; left out of the ZIP"]);
      expect(Object.keys((await JSZip.loadAsync(readFileSync(join(dir, "bukti.zip")))).files)).toHaveLength(3);
    } finally {
      writeFileSync(join(attachmentsDir(), row.storagePath), kept);
    }
    const none = capture();
    expect(await documentsMain(["evidence", bare], env(), none.io)).toBe(2);
    expect(none.err).toEqual([`documents: complaint ${bare} has no evidence files`]);
  });

  it("letter takes --signer and --nip and the office's settings; a wrong NIP or a letter option elsewhere is refused", async () => {
    const c = capture();
    const args = ["letter", named, "--to", "Dinas PU", "--signer", "Budi Hartono, S.STP", "--nip", "19800101 200501 1 001"];
    expect(await documentsMain(args, env(), c.io)).toBe(0);
    const text = pdfText(inflated(readFileSync(c.out.at(-1)!)));
    for (const part of ["Samarinda, 3 Desember 2026", "Camat,", "Budi Hartono, S.STP", "NIP. 19800101 200501 1 001"])
      expect(text, part).toContain(part);
    const bad = capture();
    expect(await documentsMain(["letter", named, "--to", "Dinas PU", "--nip", "1234"], env(), bad.io)).toBe(2);
    expect(bad.err[0]).toMatch(/--nip must be the signer's 18-digit NIP/);
    const misplaced = capture();
    expect(await documentsMain(["form", named, "--signer", "X"], env(), misplaced.io)).toBe(2);
    expect(misplaced.err[0]).toMatch(/belong to a letter/);
  });
});
