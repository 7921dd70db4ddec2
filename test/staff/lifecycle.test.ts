import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dueAt, formatDateTime, loadSopPreset, stepById, type SopPreset } from "../../src/complaints/index.js";
import type { StaffMessage, StaffSink } from "../../src/core/index.js";
import { repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import { createStaffConsole } from "../../src/staff/index.js";
import { ANONYMOUS_INTAKE, createTestPipeline, PULL, PUSH, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { staffSettings } from "../helpers/staff-settings.js";

const TEMPLATES = join(repoRoot, "templates");
const templates = loadTemplates(TEMPLATES);
const OPS = "-100200300";
const ENV_STAFF = "999";

let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Monday 23 November 2026, 09:00 WIB: the fake clock every test starts from. */
let now = new Date("2026-11-23T09:00:00+07:00");
const clock = () => now;
const later = (minutes: number) => (now = new Date(now.getTime() + minutes * 60_000));

let update = 0;
function staffMessage(text: string, from: string, extra: Partial<StaffMessage> = {}): StaffMessage {
  return {
    updateId: `lc-${++update}`,
    from: { id: from, name: `Petugas ${from}` },
    chatKind: "ops",
    chatId: OPS,
    messageId: String(update),
    text,
    attachments: [],
    receivedAt: now,
    ...extra,
  };
}
const texts = (answer: { messages: { text: string }[] }) => answer.messages.map((m) => m.text).join("\n");

interface Office {
  sop: SopPreset;
  staff: StaffSink;
  /** The Telegram id of the staff member holding a preset role (one per role, named after it). */
  as(role: string): string;
  say(text: string, role: string, extra?: Partial<StaffMessage>): Promise<string>;
}

async function office(preset: string): Promise<Office> {
  now = new Date("2026-11-23T09:00:00+07:00");
  const sop = loadSopPreset(TEMPLATES, preset);
  t = await createTestPipeline({
    overrides: { sop, clock, staffFeed: { channel: "telegram", chatId: OPS, locale: "id", replyMode: "reply" } },
  });
  const ids = new Map<string, string>();
  for (const [i, role] of sop.roles.filter((r) => !r.citizen && !r.external).entries()) {
    const telegramId = String(100 + i);
    ids.set(role.id, telegramId);
    await t.db.prisma.staff.create({ data: { id: `s-${telegramId}`, telegramId, name: `Petugas ${role.id}`, role: role.id } });
  }
  const staff = createStaffConsole({
    db: t.db,
    voice: t.pipeline,
    templates,
    sop,
    settings: staffSettings([ENV_STAFF], OPS),
    limitsOf: (channel) => (channel === "webchat" ? PULL : PUSH),
    clock,
  });
  const as = (role: string) => ids.get(role) ?? (role === "staf" ? ENV_STAFF : role);
  return { sop, staff, as, say: async (text, role, extra) => texts(await staff(staffMessage(text, as(role), extra))) };
}

async function fileComplaint(chatId: string): Promise<string> {
  let last: ReceiveResult | undefined;
  for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t!.pipeline.receive(textMessage(chatId, text, { receivedAt: now }));
  return TICKET.exec(last!.replies.map((r) => r.text).join(" "))![0];
}

const complaint = (ticket: string) => t!.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
const citizenTexts = async (chatId: string) =>
  (await t!.db.prisma.message.findMany({ where: { direction: "out", conversation: { chatId } }, orderBy: { id: "asc" } })).map(
    (m) => m.text,
  );

interface Plan {
  branch?: Record<string, string>;
  /** Decisions per decision step, in the order they are taken. */
  decide?: Record<string, ("approve" | "reject")[]>;
  finish: "archive" | { forward: string };
}

/** Moves a complaint step by step, each time as the step's own role, until it is closed; returns the steps it went through. */
async function walk(o: Office, ticket: string, plan: Plan): Promise<string[]> {
  const path: string[] = [];
  for (let guard = 0; guard < 30; guard++) {
    const c = await complaint(ticket);
    if (c.status === "closed") return path;
    path.push(c.sopStep);
    const step = stepById(o.sop, c.sopStep)!;
    // The step's due time is its own time standard from when it started, in the preset's working time.
    expect(c.stepDueAt, step.id).toEqual(dueAt(step, c.stepStartedAt));
    later(3);
    let command: string;
    if (step.decision) {
      const decision = plan.decide![step.id]!.shift()!;
      command = decision === "approve" ? `/putuskan ${ticket} setuju lanjutkan` : `/putuskan ${ticket} tolak perlu ditelaah ulang`;
    } else if (step.branches.length > 0) command = `/lanjut ${ticket} ${plan.branch![step.id]} sudah dipilah`;
    else if (!step.next) command = plan.finish === "archive" ? `/arsip ${ticket}` : `/teruskan ${ticket} ${plan.finish.forward}`;
    else command = `/lanjut ${ticket} selesai dikerjakan`;
    const said = await o.say(command, step.role);
    expect(said, `${step.id}: ${command}`).not.toMatch(/⛔|bukan|hanya dapat/);
    const moved = await complaint(ticket);
    if (moved.status !== "closed") expect(moved.stepStartedAt).toEqual(now);
  }
  throw new Error(`${ticket} did not close: ${path.join(" → ")}`);
}

async function eventsOf(ticket: string) {
  const c = await complaint(ticket);
  return t!.db.prisma.complaintEvent.findMany({ where: { complaintId: c.id }, orderBy: { createdAt: "asc" } });
}

describe("a complaint walks its preset's whole path", () => {
  it("generic: a rejected decision goes back to review, the approved one on to the answer", async () => {
    const o = await office("generic");
    const ticket = await fileComplaint("g-1");
    const path = await walk(o, ticket, { decide: { decide: ["reject", "approve"] }, finish: "archive" });
    expect(path).toEqual(["register", "verify", "review", "decide", "review", "decide", "answer", "archive"]);
    const decided = (await eventsOf(ticket))
      .filter((e) => e.type === "sop.decided")
      .map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(decided).toMatchObject([
      { decision: "reject", by: "Petugas pimpinan", from: "decide", to: "review", note: "perlu ditelaah ulang" },
      { decision: "approve", by: "Petugas pimpinan", from: "decide", to: "answer" },
    ]);
  });

  it("Denpasar Utara, approved and archived: the reporter hears at the answer step and is asked for a rating", async () => {
    const o = await office("denpasar-utara");
    const ticket = await fileComplaint("dps-1");
    const path = await walk(o, ticket, { decide: { putusan: ["approve"] }, finish: "archive" });
    expect(path).toEqual([
      "terima",
      "catat-verifikasi",
      "telaah",
      "regulasi",
      "klarifikasi",
      "rekomendasi",
      "putusan",
      "sampaikan",
      "arsip-teruskan",
    ]);
    const c = await complaint(ticket);
    expect(c).toMatchObject({ status: "closed", closedAt: now });
    const types = (await eventsOf(ticket)).map((e) => e.type);
    expect(types.filter((x) => x === "sop.advance")).toHaveLength(7);
    expect(types).toContain("sop.decided");
    expect(types.at(-1)).toBe("sop.archive");
    const told = await citizenTexts("dps-1");
    expect(told.filter((x) => x.includes("sudah sampai tahap «Menyampaikan jawaban putusan kepada pelapor»"))).toHaveLength(1);
    expect(told.at(-1)).toMatch(/1.*5/); // the rating question, as after /selesai
  });

  it("Denpasar Utara, rejected and forwarded: the reporter is told where it went", async () => {
    const o = await office("denpasar-utara");
    const ticket = await fileComplaint("dps-2");
    const agency = "Dinas Pekerjaan Umum dan Penataan Ruang Kota Denpasar";
    const path = await walk(o, ticket, { decide: { putusan: ["reject"] }, finish: { forward: agency } });
    expect(path.at(-1)).toBe("arsip-teruskan");
    const events = await eventsOf(ticket);
    expect(JSON.parse(events.find((e) => e.type === "sop.decided")!.data)).toMatchObject({ decision: "reject", by: "Petugas camat" });
    const forward = events.find((e) => e.type === "sop.forward")!;
    expect(JSON.parse(forward.data)).toMatchObject({ agency, step: "arsip-teruskan", by: "Petugas unit-pengaduan" });
    expect(forward.actor).toBe(`staff:${o.as("unit-pengaduan")}`);
    const told = await citizenTexts("dps-2");
    expect(told.some((x) => x.includes(ticket) && x.includes(`kami teruskan kepada ${agency}`))).toBe(true);
    expect((await complaint(ticket)).status).toBe("closed");
  });

  it("Palaran and the Inspektorat Madiun: staff → Sekretaris → head's decision → Sekretaris → staff", async () => {
    let o = await office("palaran");
    let ticket = await fileComplaint("plr-1");
    expect(await walk(o, ticket, { decide: { keputusan: ["approve"] }, finish: "archive" })).toEqual([
      "terima-catat",
      "klarifikasi",
      "keputusan",
      "jawaban",
      "sampaikan",
    ]);
    await t!.close();
    o = await office("madiun-inspektorat");
    ticket = await fileComplaint("mdn-1");
    expect(await walk(o, ticket, { decide: { keputusan: ["reject"] }, finish: "archive" })).toEqual([
      "terima-catat",
      "klarifikasi",
      "keputusan",
      "jawaban",
      "sampaikan",
    ]);
  });

  it("Jenawi: an information request is answered by the operator at once", async () => {
    const o = await office("jenawi");
    const ticket = await fileComplaint("jnw-1");
    expect(await walk(o, ticket, { branch: { klasifikasi: "informasi" }, finish: "archive" })).toEqual([
      "input",
      "klasifikasi",
      "jawab",
      "terjawab",
    ]);
    const advance = (await eventsOf(ticket))
      .filter((e) => e.type === "sop.advance")
      .map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(advance[1]).toMatchObject({ from: "klasifikasi", to: "jawab", branch: "informasi", note: "sudah dipilah" });
    expect((await citizenTexts("jnw-1")).some((x) => x.includes("«Operator menginput jawaban untuk pelapor»"))).toBe(true);
  });

  it("Jenawi: a complaint goes to the PPID (2 working days) and back", async () => {
    const o = await office("jenawi");
    const ticket = await fileComplaint("jnw-2");
    const card = await t!.db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: "card" } });
    expect((JSON.parse(card.payload) as { text: string }).text).toContain("Tahap: Operator meminta input pengaduan (batas");
    expect(await walk(o, ticket, { branch: { klasifikasi: "complaint" }, finish: "archive" })).toEqual([
      "input",
      "klasifikasi",
      "tanggapan",
      "terima-tanggapan",
      "jawab",
      "terjawab",
    ]);
  });

  it("Buleleng: the Kasi sends an unworkable solution back, then the month-end review", async () => {
    const o = await office("buleleng-disdukcapil");
    const ticket = await fileComplaint("bll-1");
    const path = await walk(o, ticket, { decide: { periksa: ["reject", "approve"] }, finish: "archive" });
    expect(path).toEqual([
      "terima",
      "koordinasi",
      "solusi",
      "periksa",
      "solusi",
      "periksa",
      "tindak-lanjut",
      "rekap-bulanan",
      "keputusan-kadis",
      "logbook-kembali",
    ]);
  });
});

describe("only the step's holder, or the head, may act", () => {
  it("refuses others and says who may, audits the attempt, and changes nothing", async () => {
    const o = await office("palaran");
    const ticket = await fileComplaint("plr-2");
    expect(await o.say(`/lanjut ${ticket}`, "staf")).toContain("«Menerima pengaduan"); // Staf holds step 1
    const refused = await o.say(`/lanjut ${ticket} sudah`, "staf");
    expect(refused).toBe(
      `⛔ Tahap «Identifikasi, klarifikasi, koordinasi dengan Kasubbag/Kasi, lapor ke Camat» dari ${ticket} hanya dapat dijalankan oleh: Sekretaris Kecamatan (Petugas sekretaris); Camat (Petugas camat). Peran Anda: staf.`,
    );
    expect((await complaint(ticket)).sopStep).toBe("klarifikasi");
    const denied = (await eventsOf(ticket)).filter((e) => e.type === "sop.denied");
    expect(denied).toHaveLength(1);
    expect(denied[0]!.actor).toBe(`staff:${o.as("staf")}`);
    // STAFF_TELEGRAM_IDS staff count as "staf": the receiving role.
    expect(await o.say(`/lanjut ${ticket}`, ENV_STAFF)).toMatch(/hanya dapat dijalankan oleh/);
    // The head may act on any step.
    expect(await o.say(`/lanjut ${ticket} sudah diklarifikasi`, "camat")).toContain("Tahap sekarang: «Analisis");
    // The decision is the Camat's: the Sekretaris is refused, with who may.
    expect(await o.say(`/putuskan ${ticket} setuju`, "sekretaris")).toMatch(/hanya dapat dijalankan oleh: Camat \(Petugas camat\)/);
  });

  it("says which command a step needs", async () => {
    const o = await office("palaran");
    const ticket = await fileComplaint("plr-3");
    expect(await o.say(`/putuskan ${ticket} setuju`, "staf")).toContain(
      "bukan tahap keputusan. Keputusan diambil pada tahap «Analisis, rapat bila perlu, keputusan tindak lanjut oleh Camat»",
    );
    expect(await o.say(`/arsip ${ticket}`, "staf")).toContain("belum sampai tahap akhir");
    expect(await o.say(`/teruskan ${ticket} Dinas Sosial`, "staf")).toContain("tidak meneruskan pengaduan ke instansi lain");
    await o.say(`/lanjut ${ticket}`, "staf");
    await o.say(`/lanjut ${ticket}`, "sekretaris");
    expect(await o.say(`/lanjut ${ticket}`, "camat")).toContain(`Gunakan /putuskan ${ticket} setuju`);
    expect(await o.say(`/putuskan ${ticket} tolak`, "camat")).toContain("perlu alasan");
    expect(await o.say(`/putuskan ${ticket} mungkin`, "camat")).toContain("Tulis setuju atau tolak");
    expect(await o.say(`/decide ${ticket} approve ok`, "camat")).toContain("diputuskan: *disetujui*");
    await o.say(`/next ${ticket}`, "sekretaris");
    expect(await o.say(`/lanjut ${ticket}`, "staf")).toContain(`Selesaikan dengan /arsip ${ticket}.`);
    expect(await o.say(`/lanjut ADU-2026-09999`, "staf")).toContain("tidak ditemukan");
    expect(await o.say(`/lanjut`, "staf")).toContain("/lanjut ADU-2026-00001");
  });

  it("a branching step asks for the branch", async () => {
    const o = await office("jenawi");
    const ticket = await fileComplaint("jnw-3");
    await o.say(`/lanjut ${ticket}`, "operator");
    expect(await o.say(`/lanjut ${ticket}`, "operator")).toContain(
      "bercabang. Pilih salah satu: informasi (Informasi: langsung dijawab operator); aduan (Pengaduan: diteruskan ke PPID)",
    );
    expect(await o.say(`/lanjut ${ticket} entahlah`, "operator")).toContain("«entahlah» bukan cabang");
  });

  it("/tugaskan hands the step to another role or person, who may then act", async () => {
    const o = await office("palaran");
    const ticket = await fileComplaint("plr-4");
    await o.say(`/lanjut ${ticket}`, "staf");
    expect(await o.say(`/tugaskan ${ticket} kasi`, "sekretaris")).toBe(
      `👤 *${ticket}*: tahap «Identifikasi, klarifikasi, koordinasi dengan Kasubbag/Kasi, lapor ke Camat» kini dipegang Kasubbag / Kasi (Petugas kasubbag-kasi).`,
    );
    expect(await complaint(ticket)).toMatchObject({ holderRole: "kasubbag-kasi", holderStaff: null });
    expect(await o.say(`/lanjut ${ticket}`, "sekretaris")).toMatch(/hanya dapat dijalankan oleh: Kasubbag \/ Kasi/);
    expect(await o.say(`/status ${ticket}`, "sekretaris")).toContain("Pemegang tahap: Kasubbag / Kasi (Petugas kasubbag-kasi)");
    expect(await o.say(`/assign ${ticket} ${ENV_STAFF}`, "kasubbag-kasi")).toContain(`kini dipegang staf ${ENV_STAFF} (Staf).`);
    expect(await o.say(`/lanjut ${ticket} diklarifikasi`, ENV_STAFF)).toContain("Tahap sekarang: «Analisis");
    expect(await complaint(ticket)).toMatchObject({ sopStep: "keputusan", holderRole: null, holderStaff: null });
    expect(await o.say(`/tugaskan ${ticket} lurah`, "camat")).toContain("«lurah» bukan peran SOP");
    const assign = (await eventsOf(ticket))
      .filter((e) => e.type === "sop.assign")
      .map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(assign).toMatchObject([
      { role: "kasubbag-kasi", staff: null, step: "klarifikasi" },
      { role: null, staff: ENV_STAFF, step: "klarifikasi" },
    ]);
    const history = await o.say(`/riwayat ${ticket}`, "staf");
    expect(history).toMatch(/tahap diserahkan kepada kasubbag-kasi[\s\S]*tahap «Identifikasi.*» → «Analisis/);
  });

  it("works as a reply to the complaint's card", async () => {
    const o = await office("generic");
    const ticket = await fileComplaint("g-2");
    await t!.db.prisma.outboxMessage.updateMany({ where: { kind: "card" }, data: { status: "sent", providerMessageId: "4242" } });
    expect(await o.say("/lanjut sudah dicatat", "staf", { replyToMessageId: "4242" })).toContain(
      `*${ticket}*: «Diterima dan dicatat di logbook» selesai`,
    );
  });
});

describe("/terlambat", () => {
  it("lists overdue complaints with their step, holder and how late", async () => {
    const o = await office("palaran");
    expect(await o.say("/terlambat", "staf")).toContain("Tidak ada aduan yang lewat batas");
    const a = await fileComplaint("plr-5");
    later(10);
    const b = await fileComplaint("plr-6");
    await o.say(`/lanjut ${b}`, "staf");
    later(45); // a: 55 min into a 30-minute step; b: 45 min into a 10-minute step
    const overdue = await o.say("/overdue", "sekretaris");
    const due = formatDateTime((await complaint(a)).stepDueAt!, "id", "Asia/Jakarta");
    expect(overdue).toContain("⏰ Aduan lewat batas waktu tahap (2):");
    expect(overdue).toContain(
      `• *${a}* — «Menerima pengaduan, mencatat di buku pengaduan, melapor ke Sekretaris», pemegang Staf (Petugas staf, staf ${ENV_STAFF}), terlambat 25 menit (batas ${due})`,
    );
    expect(overdue).toContain(
      `• *${b}* — «Identifikasi, klarifikasi, koordinasi dengan Kasubbag/Kasi, lapor ke Camat», pemegang Sekretaris Kecamatan (Petugas sekretaris), terlambat 35 menit`,
    );
    expect(overdue.indexOf(b)).toBeLessThan(overdue.indexOf(a)); // most overdue first
  });
});
