/**
 * Discord below src/main/: the real discord.js client against the fake Discord, the pipeline on a
 * fresh SQLite database, the outbox worker and the staff console. A citizen files a complaint by
 * DM; a staff member's /balas reaches the DM — through a 429 that the outbox waits out.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscordAdapter, DISCORD_LIMITS, type DiscordAdapter } from "../../channels/discord/index.js";
import { loadSopPreset } from "../../src/complaints/index.js";
import type { ChannelAdapter, ChannelName, OutboundMessage, StaffMessage } from "../../src/core/index.js";
import { repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import { createOutboxWorker, type OutboxWorker } from "../../src/outbox/index.js";
import { createStaffConsole } from "../../src/staff/index.js";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord.js";
import { ANONYMOUS_INTAKE, createTestPipeline, PUSH, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { firstOutboxSaying } from "../helpers/outbox.js";
import { staffSettings } from "../helpers/staff-settings.js";

const OPS = "-100777000111";
const STAFF = "111";
const CITIZEN = "987654321098765432";

let fake: FakeDiscord;
let t: TestPipeline;
let adapter: DiscordAdapter;
let worker: OutboxWorker;
let dm: string;
/** The staff group, as a recording channel: cards and follow-ups land here. */
const opsPosts: OutboundMessage[] = [];
const ops: ChannelAdapter = {
  name: "telegram",
  limits: PUSH,
  start: async () => undefined,
  status: () => ({ state: "running" }),
  stop: async () => undefined,
  async send(_chatId, message) {
    opsPosts.push(message);
    return { ok: true, providerMessageId: String(opsPosts.length) };
  },
};

beforeAll(async () => {
  fake = await startFakeDiscord();
  dm = fake.dmChannelFor(CITIZEN);
  t = await createTestPipeline({
    limits: { discord: DISCORD_LIMITS },
    overrides: {
      staffFeed: { channel: "telegram", chatId: OPS, locale: "id", replyMode: "reply" },
      onOutboxRows: () => worker?.notify(),
    },
  });
  adapter = createDiscordAdapter({ token: fake.token, apiBase: fake.apiBase, maxAttachmentBytes: 1024 * 1024 });
  worker = createOutboxWorker({
    db: t.db,
    adapters: new Map<ChannelName, ChannelAdapter>([
      ["discord", adapter],
      ["telegram", ops],
    ]),
    options: { pollIntervalMs: 50, baseDelayMs: 10 },
    log: () => undefined,
  });
  worker.start();
  await adapter.start((inbound) => t.pipeline.receive(inbound));
});

afterAll(async () => {
  await adapter?.stop();
  await worker?.stop();
  await t?.close();
  await fake?.close();
});

const toCitizen = () => fake.posted(dm).map((p) => p.message.content);

function citizenSays(text: string) {
  fake.dispatchMessageCreate({
    channel_id: dm,
    channel_type: 1,
    author: { id: CITIZEN, username: "sari", global_name: "Sari" },
    content: text,
  });
}

describe("Discord end to end (pipeline and outbox)", () => {
  let ticket: string;

  it("a citizen files a complaint by DM and gets the ticket there; staff get the card", async () => {
    for (const text of ["halo", ...ANONYMOUS_INTAKE]) citizenSays(text);
    const receipt = await fake.until(() => toCitizen().find((text) => TICKET.test(text)), 60_000, "the receipt");
    ticket = TICKET.exec(receipt)![0];
    // The greeting came first, with our *bold* as Discord's **bold**.
    expect(toCitizen()[0]).toMatch(/\*\*.+\*\*/);
    await fake.until(() => opsPosts.find((m) => m.text.includes(ticket)), 10_000, "the card");
    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    expect(complaint.channel).toBe("discord");
  }, 90_000);

  it("a staff reply reaches the DM, after a 429 that the outbox waits out", async () => {
    const templates = loadTemplates(join(repoRoot, "templates"));
    const sop = loadSopPreset(join(repoRoot, "templates"), "generic");
    const staff = createStaffConsole({
      db: t.db,
      voice: t.pipeline,
      templates,
      sop,
      settings: staffSettings([STAFF], OPS),
      limitsOf: (channel) => (channel === "discord" ? DISCORD_LIMITS : PUSH),
    });
    const before = toCitizen().length;
    fake.inject429("POST /channels/:id/messages", 1);
    const message: StaffMessage = {
      updateId: "u-1",
      from: { id: STAFF, name: "Wayan" },
      chatKind: "ops",
      chatId: OPS,
      messageId: "1",
      text: `/balas ${ticket} Petugas loket sudah kami tegur.`,
      attachments: [],
      receivedAt: new Date(),
    };
    const asked = Date.now();
    await staff(message);
    const relayed = await fake.until(
      () =>
        toCitizen()
          .slice(before)
          .find((text) => text.includes("sudah kami tegur")),
      20_000,
      "the relay",
    );
    expect(relayed).toContain(ticket);
    // The 429 said one second: the send was not tried again sooner.
    const throttled = fake.calls.find((c) => c.status === 429)!;
    const delivered = fake.calls.filter((c) => c.status === 200 && c.at > throttled.at && c.path === `/channels/${dm}/messages`)[0]!;
    expect(delivered.at - throttled.at).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(1000);
    // The worker marks the row sent just after the provider answered: give it that moment.
    const sentRow = () => firstOutboxSaying(t.db, { channel: "discord" }, "sudah kami tegur");
    let row = await sentRow();
    for (let i = 0; i < 200 && row.status !== "sent"; i++) {
      await new Promise((r) => setTimeout(r, 25));
      row = await sentRow();
    }
    expect(row.status).toBe("sent");
    expect(row.attempts).toBeGreaterThanOrEqual(1);
  }, 30_000);
});
