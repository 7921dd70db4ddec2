import { afterEach, describe, expect, it } from "vitest";
import type { ChannelAdapter, OutboundMessage, SendResult } from "../../src/core/index.js";
import { createOutboxWorker, type OutboxWorker } from "../../src/outbox/index.js";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import { ANONYMOUS_INTAKE, createTestPipeline, PUSH, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { firstOutboxSaying, outboxSaying } from "../helpers/outbox.js";

let t: TestPipeline | undefined;
let worker: OutboxWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  await t?.close();
  t = worker = undefined;
});

/** A push channel whose provider refuses the first `failures` sends with a retry-after. */
function flakyChannel(failures: number, permanent = false) {
  const sent: { chatId: string; message: OutboundMessage }[] = [];
  let calls = 0;
  const adapter: ChannelAdapter = {
    name: "telegram",
    limits: PUSH,
    async start() {},
    status: () => ({ state: "running" }),
    async stop() {},
    async send(chatId, message): Promise<SendResult> {
      calls++;
      if (permanent) return { ok: false, retryable: false, reason: "403 Forbidden: bot was blocked by the user" };
      if (calls <= failures) return { ok: false, retryable: true, retryAfterMs: 50, reason: "429 Too Many Requests" };
      sent.push({ chatId, message });
      return { ok: true, providerMessageId: `tg-${calls}` };
    },
  };
  return { adapter, sent, calls: () => calls };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("condition not met in time");
}

describe("pipeline → outbox → channel", () => {
  it("delivers every reply of a push channel in order, after transient refusals, exactly once", async () => {
    const channel = flakyChannel(3);
    t = await createTestPipeline({ overrides: { onOutboxRows: () => worker?.notify() } });
    worker = createOutboxWorker({
      db: t.db,
      adapters: new Map([["telegram", channel.adapter]]),
      options: { pollIntervalMs: 20, baseDelayMs: 10 },
      log: () => undefined,
    });
    worker.start();
    const replies: string[] = [];
    for (const text of ["halo", ...ANONYMOUS_INTAKE]) {
      const result = await t.pipeline.receive(textMessage("tg-chat", text, { channel: "telegram", sender: { id: "42" } }));
      replies.push(...result.replies.map((r) => r.text));
    }
    await until(async () => (await t!.db.prisma.outboxMessage.count({ where: { status: "sent" } })) === replies.length);
    expect(channel.sent.map((s) => s.message.text)).toEqual(replies);
    expect(channel.sent.every((s) => s.chatId === "tg-chat")).toBe(true);
    expect(channel.sent.at(-1)!.message.ticket).toMatch(TICKET);
    const rows = await t.db.prisma.outboxMessage.findMany();
    expect(rows.every((r) => r.providerMessageId?.startsWith("tg-"))).toBe(true);
    expect(channel.calls()).toBe(replies.length + 3);
  });

  it("records a permanent refusal on the outbox row and stops trying", async () => {
    const channel = flakyChannel(0, true);
    t = await createTestPipeline({ overrides: { onOutboxRows: () => worker?.notify() } });
    worker = createOutboxWorker({
      db: t.db,
      adapters: new Map([["telegram", channel.adapter]]),
      options: { pollIntervalMs: 20 },
      log: () => undefined,
    });
    worker.start();
    await t.pipeline.receive(textMessage("blocked", "halo", { channel: "telegram", sender: { id: "43" } }));
    // The rows of one chat go out in order: wait until every one of them has been tried and failed.
    await until(async () => {
      const failed = await t!.db.prisma.outboxMessage.count({ where: { status: "failed" } });
      return failed >= 1 && failed === (await t!.db.prisma.outboxMessage.count());
    });
    const failed = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { status: "failed" } });
    expect(failed.lastError).toMatch(/blocked by the user/);
    const callsThen = channel.calls();
    await new Promise((r) => setTimeout(r, 200));
    expect(await t.db.prisma.outboxMessage.count({ where: { status: "sent" } })).toBe(0);
    // One call per row (the greeting and the menu are two rows): none is retried.
    expect(callsThen).toBe(await t.db.prisma.outboxMessage.count());
    expect(channel.calls()).toBe(callsThen);
  });
});

describe("a message the provider refuses for good", () => {
  it("is told to staff under the complaint's card", async () => {
    const { reportDeliveryFailure } = await import("../../src/staff/index.js");
    const { loadTemplates } = await import("../../src/i18n/index.js");
    const { repoRoot } = await import("../../src/db/index.js");
    const { join } = await import("node:path");
    const templates = loadTemplates(join(repoRoot, "templates"));
    const feed = { channel: "telegram" as const, chatId: "-100777", locale: "id" as const, replyMode: "reply" as const };
    const channel = flakyChannel(0);
    let blocked = false;
    const adapter: ChannelAdapter = {
      ...channel.adapter,
      async send(chatId, message) {
        if (chatId === "tg-blocked" && blocked)
          return { ok: false, retryable: false, reason: "403 Forbidden: bot was blocked by the user" };
        return channel.adapter.send(chatId, message);
      },
    };
    t = await createTestPipeline({ overrides: { staffFeed: feed, onOutboxRows: () => worker?.notify() } });
    worker = createOutboxWorker({
      db: t.db,
      adapters: new Map([["telegram", adapter]]),
      options: { pollIntervalMs: 20 },
      log: () => undefined,
      onPermanentFailure: (row) => reportDeliveryFailure({ db: t!.db, templates, officeName: "Kecamatan Uji", feed }, row),
    });
    worker.start();
    const extra = { channel: "telegram" as const, sender: { id: "44" } };
    let last: ReceiveResult | undefined;
    for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t.pipeline.receive(textMessage("tg-blocked", text, extra));
    const ticket = TICKET.exec(last!.replies.map((r) => r.text).join(" "))![0];
    await until(async () => (await t!.db.prisma.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } })) === 0);
    blocked = true;
    await t.pipeline.receive(textMessage("tg-blocked", "Ada tambahan informasi", extra));
    await until(async () => (await outboxSaying(t!.db, { chatId: "-100777", kind: "staff" }, "gagal terkirim")).length === 1);
    const failed = await t.db.prisma.outboxMessage.findFirstOrThrow({ where: { status: "failed" } });
    expect(failed.lastError).toMatch(/blocked by the user/);
    const notice = await firstOutboxSaying(t.db, { chatId: "-100777" }, "gagal terkirim");
    expect(JSON.parse(notice.payload)).toMatchObject({ threadOf: notice.complaintId });
    expect(notice.payload).toContain(ticket);
    await until(async () => (await t!.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: notice.id } })).status === "sent");
  });
});
