import { afterEach, describe, expect, it } from "vitest";
import { TRACKING_CODE_ALPHABET, type ChannelName } from "../../src/core/index.js";
import { TRACKING_ATTEMPTS } from "../../src/complaints/index.js";
import { TEST_DB } from "../helpers/database.js";
import { ANONYMOUS_INTAKE, createTestPipeline, PUSH, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const CODE = new RegExp(`(?:kode|code)\\W+([${TRACKING_CODE_ALPHABET}]{6,8})\\b`, "i");
const REPORT = /Diterima dan dicatat|Tahap saat ini/;

type Extra = { channel?: ChannelName; sender?: { id: string; email?: string } };

async function say(chatId: string, text: string, extra: Extra = {}): Promise<string> {
  const result = await t!.pipeline.receive(textMessage(chatId, text, extra));
  return result.replies.map((r) => r.text).join("\n");
}

/** Files an anonymous complaint in a fresh web-chat conversation; returns its ticket and code. */
async function file(chatId: string): Promise<{ ticket: string; code: string; receipt: string }> {
  await say(chatId, "halo");
  let receipt = "";
  for (const line of ANONYMOUS_INTAKE) receipt = await say(chatId, line);
  return { ticket: TICKET.exec(receipt)![0], code: CODE.exec(receipt)![1]!, receipt };
}

describe(`tracking codes in the conversation (${TEST_DB})`, () => {
  it("gives a code with the ticket, keeps it only sealed, and hides it in the stored history", async () => {
    t = await createTestPipeline({ overrides: {} });
    const { ticket, code, receipt } = await file("owner");
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(receipt).toContain(`status ${ticket} ${code}`);
    expect(receipt).not.toContain("/lacak"); // no PUBLIC_BASE_URL in this pipeline

    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    expect(complaint.trackingHash).toMatch(/^enc:v1:/);
    expect(JSON.stringify(complaint)).not.toContain(code);
    const history = await t.db.prisma.message.findMany({ where: { direction: "out" } });
    expect(history.some((m) => m.text.includes(ticket))).toBe(true);
    expect(history.some((m) => m.text.includes(code))).toBe(false);

    // Two complaints get two different codes.
    const other = await file("owner-2");
    expect(other.code).not.toBe(code);
  });

  it("links the receipt to /lacak with the ticket when PUBLIC_BASE_URL is set", async () => {
    t = await createTestPipeline({
      overrides: {
        settings: {
          officeName: "Kecamatan Uji",
          ticketPrefix: "ADU",
          defaultLocale: "id",
          timeZone: "Asia/Jakarta",
          publicBaseUrl: "https://aduan.contoh.go.id",
        },
      },
    });
    const { ticket, receipt } = await file("owner");
    expect(receipt).toContain(`https://aduan.contoh.go.id/lacak?ticket=${ticket}`);
  });

  it("answers `status <ticket> <code>` from another conversation and another channel", async () => {
    t = await createTestPipeline();
    const { ticket, code } = await file("owner");

    await say("elsewhere", "halo");
    const withCode = await say("elsewhere", `status ${ticket} ${code}`);
    expect(withCode).toContain(ticket);
    expect(withCode).toMatch(REPORT);
    // "cek", lower case and the word "kode" in between work too; so does the pair pasted alone.
    expect(await say("elsewhere", `cek ${ticket.toLowerCase()} kode ${code.toLowerCase()}`)).toMatch(REPORT);
    expect(await say("tg-1", `${ticket} ${code}`, { channel: "telegram", sender: { id: "tg-1" } })).toMatch(REPORT);
    // Menu option 2 asks for the ticket, which may come with its code.
    await say("via-menu", "halo");
    expect(await say("via-menu", "2")).toMatch(/kode pelacakan/);
    expect(await say("via-menu", `${ticket} ${code}`)).toMatch(REPORT);
    // The owner still needs no code.
    expect(await say("owner", `status ${ticket}`)).toMatch(REPORT);
  });

  it("tells anyone else to add the code, for a ticket that exists and one that does not alike", async () => {
    t = await createTestPipeline();
    const { ticket } = await file("owner");
    await say("stranger", "halo");
    const existing = await say("stranger", `status ${ticket}`);
    const missing = await say("stranger", "status ADU-2026-99999");
    expect(existing).toMatch(/kode pelacakan/);
    expect(existing).not.toMatch(/periksa kembali nomornya/i);
    expect(existing).not.toMatch(REPORT);
    expect(existing.replaceAll(ticket, "X")).toBe(missing.replaceAll("ADU-2026-99999", "X"));
  });

  it("answers a wrong code exactly like a ticket that does not exist", async () => {
    t = await createTestPipeline();
    const { ticket, code } = await file("owner");
    const wrong = code.startsWith("A") ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    await say("stranger", "halo");
    const wrongCode = await say("stranger", `status ${ticket} ${wrong}`);
    const unknown = await say("stranger", `status ADU-2026-99999 ${code}`);
    expect(wrongCode).not.toMatch(REPORT);
    expect(wrongCode.replaceAll(ticket, "X")).toBe(unknown.replaceAll("ADU-2026-99999", "X"));
  });

  it("limits wrong codes per ticket (whoever tries) and per client", async () => {
    t = await createTestPipeline();
    const { ticket, code } = await file("owner");
    const wrong = code.startsWith("A") ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    // Ten clients guess once each: the ticket is then closed to codes for the window, the right one too.
    for (let i = 0; i < TRACKING_ATTEMPTS.perTicket.max; i++) {
      expect(await say(`guess-${i}`, `status ${ticket} ${wrong}`)).not.toMatch(/terlalu banyak/i);
    }
    const refused = await say("late", `status ${ticket} ${code}`);
    expect(refused).toMatch(/terlalu banyak percobaan/i);
    expect(refused).not.toMatch(REPORT);
    // A ticket that does not exist is closed the same way, so the refusal reveals nothing.
    for (let i = 0; i < TRACKING_ATTEMPTS.perTicket.max; i++) await say(`other-${i}`, `status ADU-2026-99999 ${code}`);
    expect(await say("late-2", `status ADU-2026-99999 ${code}`)).toMatch(/terlalu banyak percobaan/i);
    // The owner's own conversation needs no code and is never refused.
    expect(await say("owner", `status ${ticket}`)).toMatch(REPORT);

    // One client trying many tickets is stopped after its own budget, on tickets nobody tried.
    const second = await file("owner-2");
    for (let i = 0; i < TRACKING_ATTEMPTS.perClient.max; i++)
      await say("scanner", `status ADU-2026-${String(100 + i).padStart(5, "0")} ${code}`);
    expect(await say("scanner", `status ${second.ticket} ${second.code}`)).toMatch(/terlalu banyak percobaan/i);
    expect(await say("honest", `status ${second.ticket} ${second.code}`)).toMatch(REPORT);
  });

  it("never takes an e-mail's From as proof: another thread from the same address needs the code", async () => {
    t = await createTestPipeline({ limits: { email: { ...PUSH, oneMessagePerStep: true } } });
    const extra = { channel: "email" as const, sender: { id: "warga@example.id", email: "warga@example.id" } };
    const receipt = await say(
      "warga@example.id#1",
      "Lampu penerangan jalan di depan kantor kelurahan sudah mati dua minggu dan belum diperbaiki sampai sekarang.",
      extra,
    );
    const ticket = TICKET.exec(receipt)![0];
    const code = CODE.exec(receipt)![1]!;
    // A forged mail "from" the citizen in a new thread learns nothing without the code.
    const forged = await say("warga@example.id#2", `status ${ticket}`, extra);
    expect(forged).toMatch(/kode pelacakan/);
    expect(forged).not.toMatch(/Sarana Prasarana|Tahap saat ini/);
    expect(await say("warga@example.id#3", `status ${ticket} ${code}`, extra)).toMatch(/Tahap saat ini/);
    // The thread the complaint was filed in (joined by the bot's own Message-ID) still works without it.
    expect(await say("warga@example.id#1", `status ${ticket}`, extra)).toMatch(/Tahap saat ini/);
  });
});
