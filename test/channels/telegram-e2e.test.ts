/**
 * The whole bot (npm start's wiring) with Telegram configured, against the fake Bot API: a citizen
 * files over Telegram, the masked card reaches the staff group, staff answer, close, and the
 * citizen rates — through the real telegraf client, the outbox, pacing and retries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";
import { ANONYMOUS_INTAKE, TICKET } from "../helpers/pipeline.js";
import { privateText, startFakeBotApi, type FakeBotApi, type SentMessage } from "../fakes/telegram-bot-api.js";

const OPS = "-1001555000111";
const CITIZEN = 700100;
const STAFF = 111;

let api: FakeBotApi;
let app: TestApp;
let messageId = 1000;

beforeAll(async () => {
  api = await startFakeBotApi();
  app = await startApp({
    env: {
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.url,
      TELEGRAM_OPS_CHAT_ID: OPS,
      STAFF_TELEGRAM_IDS: String(STAFF),
      OFFICE_NAME: "Kecamatan Jenawi",
    },
  });
});

afterAll(async () => {
  await app?.close();
  await api?.close();
});

function citizenSays(text: string) {
  return api.pushUpdate({ message: privateText(CITIZEN, ++messageId, text) });
}

function groupSays(from: number, text: string, replyTo?: SentMessage) {
  return api.pushUpdate({
    message: {
      message_id: ++messageId,
      from: { id: from, is_bot: false, first_name: from === STAFF ? "Wayan" : "Tamu" },
      chat: { id: Number(OPS), type: "supergroup", title: "Petugas Pengaduan" },
      date: Math.floor(Date.now() / 1000),
      text,
      ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] } : {}),
      ...(replyTo
        ? {
            reply_to_message: {
              message_id: replyTo.messageId,
              from: { id: api.botInfo.id, is_bot: true, first_name: api.botInfo.first_name, username: api.botInfo.username },
              chat: { id: Number(OPS), type: "supergroup", title: "Petugas Pengaduan" },
              date: Math.floor(Date.now() / 1000),
              text: replyTo.text,
            },
          }
        : {}),
    },
  });
}

const toCitizen = () => api.sent(CITIZEN).map((m) => m.text ?? m.caption ?? "");
const inGroup = () => api.sent(OPS);

describe("Telegram end to end", () => {
  let ticket: string;
  let card: SentMessage;

  it("a citizen files a complaint in a private chat and the masked card reaches the staff group", async () => {
    for (const text of ["halo", ...ANONYMOUS_INTAKE]) citizenSays(text);
    const receipt = await api.until(() => toCitizen().find((t) => TICKET.test(t)), 60_000, "the receipt");
    ticket = TICKET.exec(receipt)![0];
    card = await api.until(() => inGroup().find((m) => m.text?.includes(ticket)), 10_000, "the card");
    expect(card.text).toContain("Pelayanan");
    expect(card.text).toContain("Anonim");
    expect(JSON.stringify(card.replyMarkup)).toContain(`close:${ticket}`);
    // The menu's options were shown as a keyboard in the private chat.
    expect(api.sent(CITIZEN).some((m) => JSON.stringify(m.replyMarkup ?? {}).includes("keyboard"))).toBe(true);
  }, 90_000);

  it("a staff member's reply to the card reaches the citizen with the office name and ticket, and is confirmed", async () => {
    const before = toCitizen().length;
    api.inject429("sendMessage", 1, 1); // the first try is throttled: it must be waited out, not dropped
    groupSays(STAFF, "Terima kasih, petugas loket sudah kami tegur.", card);
    const relayed = await api.until(
      () =>
        toCitizen()
          .slice(before)
          .find((t) => t.includes("petugas loket sudah kami tegur")),
      20_000,
      "the relay",
    );
    expect(relayed).toContain("Kecamatan Jenawi");
    expect(relayed).toContain(ticket);
    await api.until(() => inGroup().find((m) => m.text?.includes("diteruskan ke pengadu")), 10_000, "the confirmation");
  }, 30_000);

  it("refuses a stranger in the group and changes nothing", async () => {
    groupSays(999, `/selesai ${ticket}`);
    await api.until(() => inGroup().find((m) => m.text?.includes("belum terdaftar sebagai petugas")), 10_000, "the refusal");
    expect((await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).status).toBe("open");
  }, 20_000);

  it("threads a citizen's follow-up under the card", async () => {
    citizenSays("Kejadiannya Senin pagi di loket 2");
    const followup = await api.until(() => inGroup().find((m) => m.text?.includes("loket 2")), 20_000, "the follow-up");
    expect(followup.replyToMessageId).toBe(card.messageId);
  }, 30_000);

  it("closes with /selesai@bot, asks the citizen for a rating and stores it", async () => {
    const before = toCitizen().length;
    groupSays(STAFF, `/selesai@${api.botInfo.username} ${ticket}`);
    await api.until(
      () =>
        toCitizen()
          .slice(before)
          .find((t) => /1.*5/.test(t)),
      20_000,
      "the rating question",
    );
    citizenSays("4");
    citizenSays("lewati");
    await api.until(() => inGroup().find((m) => m.text?.includes("4/5")), 30_000, "the rating notice");
    expect(await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } })).toMatchObject({ status: "closed", rating: 4 });
    const events = await app.db.prisma.complaintEvent.findMany({ where: { complaint: { ticket } }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.type)).toEqual(["received", "staff.reply", "citizen.followup", "staff.close", "rated"]);
  }, 60_000);
});

describe("one answer, one message", () => {
  const NEWCOMER = 700200;
  const says = (text: string) => api.pushUpdate({ message: privateText(NEWCOMER, ++messageId, text) });
  const keyboardOf = (m: SentMessage) => (m.replyMarkup?.keyboard as { text: string }[][] | undefined)?.flat().map((b) => b.text);

  it("sends a step's replies as one sendMessage with the last reply's keyboard: greeting + menu, 'not recognised' + menu", async () => {
    says("halo");
    await api.until(() => api.sent(NEWCOMER)[0], 20_000, "the greeting");
    says("sembarang");
    // The outbox sends a chat's rows in order: once the second answer is here, nothing of the first can follow.
    await api.until(() => api.sent(NEWCOMER)[1], 20_000, "the second answer");
    const sent = api.sent(NEWCOMER);
    expect(sent.map((m) => m.method)).toEqual(["sendMessage", "sendMessage"]);
    const [greeting, again] = sent as [SentMessage, SentMessage];
    expect(greeting.text).toMatch(
      /^Selamat datang di layanan pengaduan Kecamatan Jenawi[^]*\n\nSilakan pilih layanan[^]*1\. Buat aduan baru/,
    );
    expect(again.text).toMatch(/^Mohon maaf, pilihan tersebut belum kami kenali\.\n\nSilakan pilih layanan/);
    for (const message of sent) expect(keyboardOf(message)).toEqual(["1. Buat aduan baru", "2. Cek status aduan", "3. Minta informasi"]);

    // Each reply is still its own message in the conversation's history; the outbox holds one row per step.
    const conversation = await app.db.prisma.conversation.findFirstOrThrow({ where: { channel: "telegram", chatId: String(NEWCOMER) } });
    expect(await app.db.prisma.message.count({ where: { conversationId: conversation.id, direction: "out" } })).toBe(4);
    expect(await app.db.prisma.outboxMessage.count({ where: { chatId: String(NEWCOMER) } })).toBe(2);
  }, 60_000);
});

describe("reports in the staff group", () => {
  it("/rekap and /logbook send the month's files into the group", async () => {
    const month = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Jakarta", year: "numeric", month: "2-digit" })
      .format(new Date())
      .slice(0, 7);
    groupSays(STAFF, `/rekap ${month}`);
    const recap = await api.until(
      () => inGroup().find((m) => m.method === "sendDocument" && (m.caption ?? "").includes("Rekap bulanan")),
      30_000,
      "the recap PDF",
    );
    expect(recap.caption).toContain(month);
    groupSays(STAFF, "/logbook csv");
    const logbook = await api.until(
      () => inGroup().find((m) => m.method === "sendDocument" && (m.caption ?? "").includes("Logbook")),
      30_000,
      "the logbook",
    );
    expect(logbook.caption).toMatch(/1 baris/);
  }, 60_000);
});
