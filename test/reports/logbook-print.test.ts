import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadReportTexts, logbookXlsx, type LogbookRow } from "../../src/reports/index.js";

const run = promisify(execFile);
const soffice = ["soffice", "libreoffice"].find((bin) => spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0);

/** A month of sixty complaints with texts long enough to wrap: several printed pages. */
function rows(): LogbookRow[] {
  return Array.from({ length: 60 }, (_, i) => ({
    no: i + 1,
    textAndSource: `Pengaduan nomor ${i + 1}: antrean KTP elektronik di loket tiga sangat lama, petugas datang terlambat dan nomor antrean habis sejak pagi. (Website)`,
    unit: "Bidang Pelayanan",
    followUp: "Dicek ke loket, petugas ditegur dan loket tambahan dibuka.",
    toComplainant: "Terima kasih, loket tambahan sudah dibuka.",
    status: i % 3 === 0 ? "tidak" : "selesai",
    initials: "M.S.",
    ticket: `ADU-2026-${String(i + 1).padStart(5, "0")}`,
    receivedAt: new Date(Date.UTC(2026, 10, 1 + (i % 28), 2)),
    category: "Pelayanan",
    medium: "Website",
    kind: "Pengaduan",
    step: "Diterima dan dicatat di logbook",
    stepDueAt: null,
    closedAt: null,
    rating: null,
    stepTimes: "Diterima: 10 mnt",
  }));
}

/** The page content streams of a PDF LibreOffice wrote (objects not in object streams, Flate-compressed). */
function pageContents(pdf: Buffer): { mediaBox: number[]; content: string }[] {
  const source = pdf.toString("latin1");
  const objects = new Map<number, { dict: string; stream?: Buffer }>();
  for (const m of source.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) {
    const body = m[2]!;
    const s = /^([\s\S]*?)stream\r?\n([\s\S]*)\r?\nendstream/.exec(body);
    objects.set(Number(m[1]), s ? { dict: s[1]!, stream: Buffer.from(s[2]!, "latin1") } : { dict: body });
  }
  const pages = [...objects.values()].filter((o) => /\/Type\s*\/Page\b(?!s)/.test(o.dict));
  return pages.map((page) => {
    const ref = /\/Contents\s*(\d+) 0 R/.exec(page.dict)?.[1];
    const content = ref ? objects.get(Number(ref)) : undefined;
    const data = content?.stream ? (/\/FlateDecode/.test(content.dict) ? inflateSync(content.stream) : content.stream) : Buffer.alloc(0);
    const box = /\/MediaBox\s*\[\s*([\d.\s]+)\]/.exec(page.dict)?.[1]?.trim().split(/\s+/).map(Number) ?? [];
    return { mediaBox: box, content: data.toString("latin1") };
  });
}

describe.skipIf(!soffice)("the logbook printed by LibreOffice", () => {
  let dir: string;
  let pages: { mediaBox: number[]; content: string }[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-logbook-print-"));
    const xlsx = await logbookXlsx(rows(), {
      officeName: "Dinas Kependudukan dan Pencatatan Sipil",
      parent: "Pemerintah Kabupaten Buleleng",
      monthTitle: "November 2026",
      timeZone: "Asia/Makassar",
      texts: loadReportTexts("id"),
      headRole: "Kepala Dinas",
      documentNumber: { number: "FM-PDIP-03-02", revision: "00", effective: "20 Des 2017" },
    });
    const path = join(dir, "logbook.xlsx");
    writeFileSync(path, xlsx);
    const profile = join(dir, "profile");
    await run(
      soffice!,
      [`-env:UserInstallation=file://${profile}`, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir, path],
      {
        env: { ...process.env, HOME: profile },
        timeout: 120_000,
      },
    );
    pages = pageContents(
      readFileSync(
        join(
          dir,
          readdirSync(dir).find((f) => f.endsWith(".pdf"))!,
        ),
      ),
    );
  }, 150_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints every page A4 landscape", () => {
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) expect(page.mediaBox.slice(2).map(Math.round)).toEqual([842, 595]);
  });

  it("repeats the header row on every page", () => {
    // The header cells' fill (D9E1F2) is drawn on a page only where the header row is printed.
    const headerFill = /0\.85\d* 0\.88\d* 0\.94\d* rg/;
    expect(pages.map((page) => headerFill.test(page.content))).toEqual(pages.map(() => true));
  });
});
