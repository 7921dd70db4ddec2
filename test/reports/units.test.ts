import PDFDocument from "pdfkit";
import { describe, expect, it } from "vitest";
import { parseSopPreset } from "../../src/complaints/index.js";
import { CHANNEL_NAMES } from "../../src/core/index.js";
import {
  buildRecap,
  csvField,
  formatStamp,
  frequentTerms,
  initialsOf,
  isMonth,
  loadReportTexts,
  logbookCsv,
  logbookRows,
  mediumLabel,
  monthRange,
  pdfSafe,
  recapPdf,
  redact,
  stepTimeline,
  toCsv,
  wrappedLines,
  truncate,
  wallClockDate,
  type ReportComplaint,
  type ReportEvent,
} from "../../src/reports/index.js";
import { textRuns } from "../helpers/pdf.js";

const label = (id: string) => ({ id, en: id });
const SOP = parseSopPreset(
  {
    name: "uji",
    title: label("SOP Uji"),
    workingTime: { kind: "calendar" },
    roles: [
      { id: "staf", label: label("Staf") },
      { id: "kasi", label: label("Kasi Kerjasama") },
      { id: "kadis", label: label("Kepala Dinas"), head: true },
    ],
    steps: [
      { id: "register", label: label("Dicatat"), role: "staf", time: { minutes: 10 }, output: label("Logbook") },
      { id: "review", label: label("Ditelaah"), role: "kasi", time: { hours: 1 }, output: label("Logbook") },
      {
        id: "decide",
        label: label("Diputuskan"),
        role: "kadis",
        time: { hours: 1 },
        output: label("Logbook"),
        decision: { approve: "answer", reject: "review" },
      },
      { id: "answer", label: label("Dijawab"), role: "staf", time: { minutes: 20 }, output: label("Logbook"), answer: true },
    ],
  },
  "test/reports/units.test.ts",
  { timeZone: "Asia/Jakarta" },
);
const TZ = "Asia/Jakarta";
const id = loadReportTexts("id");
const at = (iso: string) => new Date(iso);

function ev(type: string, when: string, data: Record<string, unknown> = {}): ReportEvent {
  return { type, at: at(when), actor: "staff:1", by: typeof data.by === "string" ? data.by : null, data };
}

function complaint(over: Partial<ReportComplaint> = {}): ReportComplaint {
  const received = over.receivedAt ?? at("2026-11-10T01:00:00Z");
  return {
    ticket: "ADU-2026-00001",
    kind: "complaint",
    category: "Pelayanan",
    text: "Antrean panjang",
    channel: "webchat",
    status: "open",
    sopStep: "register",
    stepStartedAt: received,
    stepDueAt: new Date(received.getTime() + 10 * 60_000),
    holderRole: null,
    receivedAt: received,
    closedAt: null,
    rating: null,
    events: [],
    ...over,
  };
}

describe("months in the office's time zone", () => {
  it("starts and ends at local midnight", () => {
    expect(monthRange("2026-11", "Asia/Jakarta")).toMatchObject({ start: at("2026-10-31T17:00:00Z"), end: at("2026-11-30T17:00:00Z") });
    expect(monthRange("2026-12", "Asia/Jakarta")).toMatchObject({ start: at("2026-11-30T17:00:00Z"), end: at("2026-12-31T17:00:00Z") });
    expect(monthRange("2026-11", "Asia/Jayapura")).toMatchObject({ start: at("2026-10-31T15:00:00Z") });
    // A zone with summer time: March starts in winter time and ends in summer time.
    expect(monthRange("2026-03", "Europe/Berlin")).toMatchObject({ start: at("2026-02-28T23:00:00Z"), end: at("2026-03-31T22:00:00Z") });
  });

  it("accepts only YYYY-MM", () => {
    expect(["2026-11", "2027-01", "1999-12"].every(isMonth)).toBe(true);
    expect(["2026-13", "2026-00", "2026-1", "26-11", "November", "2026-11-01", ""].some(isMonth)).toBe(false);
    expect(() => monthRange("2026-13", TZ)).toThrow(/YYYY-MM/);
  });

  it("shows times on the office's wall clock, also to Excel", () => {
    expect(formatStamp(at("2026-11-30T18:00:00Z"), TZ)).toBe("01/12/2026 01:00");
    expect(wallClockDate(at("2026-11-30T18:00:00Z"), TZ)).toEqual(at("2026-12-01T01:00:00Z"));
  });
});

describe("CSV", () => {
  it("quotes per RFC 4180, with a BOM and CRLF, separated by ; unless told ,", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a;b")).toBe('"a;b"');
    expect(csvField("a,b")).toBe("a,b");
    expect(csvField("a,b", ",")).toBe('"a,b"');
    expect(csvField("a;b", ",")).toBe("a;b");
    expect(csvField('kata "rusak"')).toBe('"kata ""rusak"""');
    expect(csvField("baris\nkedua")).toBe('"baris\nkedua"');
    const rows = [
      ["a", "b,c", "d;e"],
      ["1", "", "2,5"],
    ];
    expect(toCsv(rows)).toBe('\uFEFFa;b,c;"d;e"\r\n1;;2,5\r\n');
    expect(toCsv(rows, ",")).toBe('\uFEFFa,"b,c",d;e\r\n1,,"2,5"\r\n');
  });

  it("counts the lines a header wraps to in its column, as a spreadsheet wraps at spaces", () => {
    expect(wrappedLines("Status (selesai / tidak)", 12)).toBe(3);
    expect(wrappedLines("Status (selesai / tidak)", 16)).toBe(2);
    expect(wrappedLines("No.", 5)).toBe(1);
    expect(wrappedLines("", 5)).toBe(1);
    expect(wrappedLines("abcdefghij", 4)).toBe(3);
    expect(wrappedLines("ab abcdefghij", 4)).toBe(4);
  });

  it("keeps a complaint text from running as a spreadsheet formula", () => {
    const rows = logbookRows([complaint({ text: '=HYPERLINK("http://x","klik")' })], { sop: SOP, timeZone: TZ, texts: id });
    const csv = logbookCsv(rows, TZ);
    expect(csv.split("\r\n")[1]).toContain(`"'=HYPERLINK(""http://x"",""klik"") (Website)"`);
  });
});

describe("logbook rows", () => {
  it("reads the SOP actions as the lifecycle records them", () => {
    const c = complaint({
      status: "closed",
      sopStep: "answer",
      closedAt: at("2026-11-10T04:00:00Z"),
      events: [
        ev("received", "2026-11-10T01:00:00Z", { channel: "webchat" }),
        ev("sop.assign", "2026-11-10T01:02:00Z", { by: "Kadek", step: "register", role: null, staff: "42", staffName: "Nyoman Ari" }),
        ev("sop.advance", "2026-11-10T01:05:00Z", {
          by: "Kadek",
          from: "register",
          to: "review",
          note: "",
          stepStartedAt: "2026-11-10T01:00:00Z",
          stepDueAt: "2026-11-10T01:10:00Z",
        }),
        ev("sop.advance", "2026-11-10T01:30:00Z", { by: "Kasi Ayu", from: "review", to: "decide", note: "Usul: tambah loket" }),
        ev("sop.decided", "2026-11-10T02:00:00Z", {
          by: "Putu Ayu Reika",
          decision: "reject",
          from: "decide",
          to: "review",
          note: "Kaji ulang",
        }),
        ev("sop.warned", "2026-11-10T02:40:00Z", { step: "review" }),
        ev("sop.advance", "2026-11-10T03:00:00Z", { by: "Kasi Ayu", from: "review", to: "decide", note: "" }),
        ev("sop.decided", "2026-11-10T03:10:00Z", { by: "Putu Ayu Reika", decision: "approve", from: "decide", to: "answer", note: "" }),
        ev("staff.reply", "2026-11-10T03:30:00Z", { by: "Kadek", text: "", files: 1 }),
        ev("sop.archive", "2026-11-10T04:00:00Z", { by: "Kadek", step: "answer" }),
      ],
    });
    const [row] = logbookRows([c], { sop: SOP, timeZone: TZ, texts: id });
    expect(row!.unit).toBe("Nyoman Ari");
    expect(row!.initials).toBe("P.A.R.");
    expect(row!.followUp.split("\n")).toEqual([
      "10/11/2026 08:02 Kadek: Ditugaskan kepada Nyoman Ari",
      "10/11/2026 08:05 Kadek: Lanjut ke tahap Ditelaah",
      "10/11/2026 08:30 Kasi Ayu: Lanjut ke tahap Diputuskan – Usul: tambah loket",
      "10/11/2026 09:00 Putu Ayu Reika: Keputusan pimpinan: tolak – Kaji ulang",
      "10/11/2026 10:00 Kasi Ayu: Lanjut ke tahap Diputuskan",
      "10/11/2026 10:10 Putu Ayu Reika: Keputusan pimpinan: setuju",
      "10/11/2026 11:00 Kadek: Diarsipkan",
    ]);
    expect(row!.toComplainant).toBe("10/11/2026 10:30 Kadek: (mengirim berkas)");
    expect(row!.stepTimes).toBe("Dicatat: 5 mnt; Ditelaah: 25 mnt; Diputuskan: 30 mnt; Ditelaah: 1 j; Diputuskan: 10 mnt; Dijawab: 50 mnt");
  });

  it("leaves Paraf empty until approved, and marks information requests", () => {
    const rejected = complaint({
      events: [ev("sop.decided", "2026-11-10T02:00:00Z", { by: "Putu", decision: "reject", from: "decide", to: "review" })],
    });
    const info = complaint({ kind: "information", category: null, channel: "whatsapp-web" });
    const rows = logbookRows([rejected, info], { sop: SOP, timeZone: TZ, texts: id });
    expect(rows.map((r) => r.initials)).toEqual(["", ""]);
    expect(rows.map((r) => r.no)).toEqual([1, 2]);
    expect(rows[1]).toMatchObject({ kind: "Permintaan Informasi", category: "", unit: "", medium: "Sosmed: WhatsApp", status: "tidak" });
  });

  it("names in Bidang Terkait the unit the complaint was handed to, never the category, empty until then", () => {
    const unit = (over: Partial<ReportComplaint>) => logbookRows([complaint(over)], { sop: SOP, timeZone: TZ, texts: id })[0]!.unit;
    // Not assigned: empty, although the complaint has a category and a step with a role.
    expect(unit({ category: "Pelayanan", sopStep: "review" })).toBe("");
    // Handed to a preset role with /tugaskan: the role's label, also after the step was left.
    const toKasi = ev("sop.assign", "2026-11-10T01:02:00Z", { by: "Kadek", step: "register", role: "kasi", staff: null, staffName: null });
    expect(unit({ events: [toKasi], holderRole: "kasi" })).toBe("Kasi Kerjasama");
    const moved = ev("sop.advance", "2026-11-10T01:05:00Z", { by: "Kadek", from: "register", to: "review", note: "" });
    expect(unit({ events: [toKasi, moved], sopStep: "review", holderRole: null })).toBe("Kasi Kerjasama");
    // The latest hand-over wins; a person by name, never by Telegram id.
    const toPerson = ev("sop.assign", "2026-11-10T01:20:00Z", {
      by: "Kasi",
      step: "review",
      role: null,
      staff: "4242",
      staffName: "Nyoman Ari",
    });
    expect(unit({ events: [toPerson, toKasi, moved] })).toBe("Nyoman Ari");
    expect(unit({ events: [ev("sop.assign", "2026-11-10T01:20:00Z", { role: null, staff: "4242", staffName: null })] })).toBe("");
    // A holder recorded on the row without an event (written by another front end) still counts.
    expect(unit({ holderRole: "kadis" })).toBe("Kepala Dinas");
  });

  it("names every channel in the form's media words", () => {
    expect(Object.fromEntries(CHANNEL_NAMES.map((c) => [c, mediumLabel(c, id)]))).toEqual({
      webchat: "Website",
      terminal: "Terminal",
      telegram: "Sosmed: Telegram",
      "whatsapp-web": "Sosmed: WhatsApp",
      "whatsapp-cloud": "Sosmed: WhatsApp",
      messenger: "Sosmed: Messenger",
      instagram: "Sosmed: Instagram",
      discord: "Sosmed: Discord",
      email: "Email",
    });
  });

  it("takes initials as a head of unit signs", () => {
    expect(initialsOf("Putu Ayu Reika Nurhaeni")).toBe("P.A.R.N.");
    expect(initialsOf("  made   suarsana ")).toBe("M.S.");
    expect(initialsOf("I Made Suarsana, S.Sos")).toBe("I.M.S.S.");
  });
});

describe("the step timeline", () => {
  it("is the current step alone when no step change was recorded", () => {
    const c = complaint({ status: "closed", closedAt: at("2026-11-10T01:08:00Z") });
    expect(stepTimeline(c, SOP)).toEqual([
      { step: "register", start: c.stepStartedAt, end: at("2026-11-10T01:08:00Z"), due: c.stepDueAt, endedBy: "closed" },
    ]);
  });

  it("prefers the due time the lifecycle recorded over the preset's rule", () => {
    const c = complaint({
      sopStep: "review",
      stepStartedAt: at("2026-11-10T01:20:00Z"),
      stepDueAt: at("2026-11-10T02:20:00Z"),
      events: [
        ev("sop.advance", "2026-11-10T01:20:00Z", {
          from: "register",
          to: "review",
          stepStartedAt: "2026-11-10T01:00:00Z",
          stepDueAt: "2026-11-10T01:30:00Z",
        }),
      ],
    });
    const [first, second] = stepTimeline(c, SOP);
    expect(first).toMatchObject({
      step: "register",
      end: at("2026-11-10T01:20:00Z"),
      due: at("2026-11-10T01:30:00Z"),
      endedBy: "advanced",
    });
    expect(second).toMatchObject({ step: "review", start: at("2026-11-10T01:20:00Z"), end: null, due: at("2026-11-10T02:20:00Z") });
  });
});

describe("the recap numbers", () => {
  const range = monthRange("2026-11", TZ);

  it("gives zeros, nulls and all four categories for an empty month", () => {
    const r = buildRecap({ range, complaints: [], earlier: [], sop: SOP, officeName: "Uji", now: at("2026-12-01T00:00:00Z") });
    expect(r).toMatchObject({
      total: 0,
      complaints: 0,
      informationRequests: 0,
      open: 0,
      overdue: 0,
      averageRating: null,
      ratingCount: 0,
      satisfactionLevel: null,
    });
    expect(r.byCategory).toEqual({ "Perilaku Pegawai": 0, Pelayanan: 0, "Sarana Prasarana": 0, "Lain-lain": 0 });
    expect(r.timeStandard.overall.rate).toBeNull();
    expect(r.frequentProblems.map((p) => p.count)).toEqual([0, 0, 0, 0]);
  });

  it("judges the running month as of now, and a complaint closed after that as open", () => {
    const now = at("2026-11-15T00:00:00Z");
    const late = complaint({ status: "closed", closedAt: at("2026-11-20T00:00:00Z"), rating: 1 });
    const fresh = complaint({
      ticket: "ADU-2026-00002",
      receivedAt: at("2026-11-14T23:55:00Z"),
      stepStartedAt: at("2026-11-14T23:55:00Z"),
      stepDueAt: at("2026-11-15T00:05:00Z"),
      category: "Kebersihan",
    });
    const r = buildRecap({ range, complaints: [late, fresh], earlier: [], sop: SOP, officeName: "Uji", now });
    expect(r.asOf).toBe(now.toISOString());
    expect(r).toMatchObject({ open: 2, overdue: 1, averageRating: 1, satisfactionLevel: "low" });
    expect(r.byCategory["Lain-lain"]).toBe(1);
    expect(r.timeStandard.steps[0]).toMatchObject({ step: "register", met: 0, missed: 1, missedStillOpen: 1, pending: 1 });
  });
});

describe("frequent problems", () => {
  it("counts words and two-word phrases across texts, stop words removed", () => {
    const terms = frequentTerms([
      "Mohon tolong, antrean di loket KTP sangat panjang!",
      "Antrean loket KTP panjang sekali dan petugas tidak ada.",
      "Saya sudah antre, antrean loket lama.",
    ]);
    expect(terms[0]).toEqual({ term: "antrean loket", count: 3 });
    expect(terms).toContainEqual({ term: "loket ktp", count: 2 });
    expect(terms).toContainEqual({ term: "ktp panjang", count: 2 });
    // Words already shown inside a phrase found as often are not repeated alone.
    expect(terms.map((t) => t.term)).not.toContain("antrean");
    expect(terms.map((t) => t.term)).not.toContain("panjang");
    expect(terms.flatMap((t) => t.term.split(" "))).not.toContain("mohon");
  });

  it("truncates examples at a word", () => {
    expect(truncate("a ".repeat(10).trim(), 140)).toBe("a a a a a a a a a a");
    const long = truncate("Antrean di loket tiga sangat lama dan petugas tidak menjelaskan alasannya kepada warga", 40);
    expect(long.endsWith("…")).toBe(true);
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toBe("Antrean di loket tiga sangat lama dan…");
  });
});

describe("confidentiality and fonts", () => {
  it("blanks the complainant's name, e-mail, phone and address in texts", () => {
    const who = { name: "Budi Santoso", email: "budi@contoh.id", phone: "+6281234567890", address: "Jl. Kenanga 7, Denpasar" };
    const text =
      "Saya budi santoso (BUDI@contoh.id, 0812-3456-7890 / +62 812 3456 7890) tinggal di Jl. Kenanga 7, Denpasar. Pak Budi menunggu.";
    const out = redact(text, who);
    expect(out).not.toMatch(/budi|santoso|contoh|3456|7890|Kenanga/i);
    expect(out).toBe(
      "Saya [dirahasiakan] ([dirahasiakan], [dirahasiakan] / [dirahasiakan]) tinggal di [dirahasiakan]. Pak [dirahasiakan] menunggu.",
    );
    expect(redact("Budiman datang", { name: "Budi" })).toBe("Budiman datang");
  });

  it("keeps only what Helvetica can draw", () => {
    expect(pdfSafe("Terima kasih 🙏🏽 atas layanannya 👍")).toBe("Terima kasih atas layanannya ");
    expect(pdfSafe("Tahap 1 → 2, nilai ≥ 4 – “baik” • ok")).toBe("Tahap 1 -> 2, nilai >= 4 – “baik” • ok");
    expect(pdfSafe("Ā ē café 中文")).toBe("A e café ??");
  });
});

describe("report texts and the recap PDF", () => {
  it("has the same keys in both languages", () => {
    const en = loadReportTexts("en");
    expect(en.t("recap.footer", { office: "X", month: "November 2026", page: 1, pages: 3 })).toBe("X · Recap November 2026 · Page 1 of 3");
    expect(id.has("logbook.title")).toBe(true);
    expect(() => id.t("no.such.key")).toThrow(/unknown report text/);
  });

  it("draws an empty month in English on three pages too", async () => {
    const recap = buildRecap({
      range: monthRange("2026-02", TZ),
      complaints: [],
      earlier: [],
      sop: SOP,
      officeName: "Dinas Uji",
      now: at("2026-03-02T00:00:00Z"),
    });
    const pdf = await recapPdf(recap, { texts: loadReportTexts("en"), compress: false });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect([...pdf.toString("latin1").matchAll(/\/Type \/Page\b(?!s)/g)]).toHaveLength(3);
  });

  it("wraps a long step label within its column, the time standard under it, clear of the bars", async () => {
    const long = "Kesimpulan akhir bulan: masalah yang sering terjadi dan penyebabnya, dilaporkan ke Kepala Dinas";
    const sop = parseSopPreset(
      {
        name: "panjang",
        title: label("SOP"),
        workingTime: { kind: "calendar" },
        roles: [{ id: "kasi", label: label("Kasi"), head: true }],
        steps: [
          { id: "rekap", label: label(long), role: "kasi", time: { months: 1 }, output: label("Logbook") },
          { id: "akhir", label: label("Selesai"), role: "kasi", time: { minutes: 5 }, output: label("Logbook") },
        ],
      },
      "test",
    );
    const recap = buildRecap({
      range: monthRange("2026-11", TZ),
      complaints: [],
      earlier: [],
      sop,
      officeName: "Dinas Uji",
      now: at("2026-12-02T00:00:00Z"),
    });
    const runs = textRuns(await recapPdf(recap, { texts: id, compress: false })).filter((r) => r.page === 2);
    const first = runs.findIndex((r) => long.startsWith(r.text.trim()));
    const standard = runs.findIndex((r, i) => i > first && r.text.startsWith("standar 1 bulan"));
    expect(first).toBeGreaterThanOrEqual(0);
    const lines = runs.slice(first, standard);
    // All of it is there, over several lines, nothing cut off with an ellipsis.
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.map((r) => r.text.trim()).join(" ")).toBe(long);
    const measure = new PDFDocument({ size: "A4" }).font("Helvetica").fontSize(9);
    const barStart = 50 + 170;
    for (const line of lines) {
      expect(line.x).toBe(50);
      expect(line.x + measure.widthOfString(line.text.trim())).toBeLessThanOrEqual(barStart - 8);
    }
    // The time standard sits below the label's last line, and the next step's label below that.
    expect(runs[standard]!.y).toBeLessThan(lines.at(-1)!.y - 7);
    const next = runs.find((r) => r.text === "Selesai")!;
    expect(next.y).toBeLessThan(runs[standard]!.y - 7);
  });
});
