/**
 * A channel that is configured but failed to start (Telegram refused the token) is not "not
 * configured": the outbox row waiting for it, and the log line about it, say what really happened.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";
import { startFakeBotApi, type FakeBotApi } from "../fakes/telegram-bot-api.js";

let api: FakeBotApi;
let app: TestApp;
const lines: { msg: string; fields?: Record<string, unknown> }[] = [];

beforeAll(async () => {
  api = await startFakeBotApi();
  app = await startApp({
    env: {
      // A token the Bot API does not know: getMe answers 401 Unauthorized.
      TELEGRAM_BOT_TOKEN: "7000000009:AAF-revoked-token-of-the-office",
      TELEGRAM_API_ROOT: api.url,
    },
    log: (msg, fields) => lines.push({ msg, fields }),
  });
});
afterAll(async () => {
  await app?.close();
  await api?.close();
});

describe("a reply waiting for a channel whose token was refused", () => {
  it("is held back with the reason: the channel failed to start, its token refused", async () => {
    const health = (await (await fetch(`${app.url}/health`)).json()) as { channels: Record<string, string> };
    expect(health.channels.telegram).toBe("failed");

    const id = randomUUID();
    await app.db.prisma.outboxMessage.create({
      data: {
        id,
        channel: "telegram",
        chatId: "5550001",
        payload: JSON.stringify({ text: "Aduan Anda kami terima." }),
        status: "pending",
        nextAttemptAt: new Date(),
      },
    });
    const deadline = Date.now() + 10_000;
    let row = await app.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });
    while (row.attempts === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      row = await app.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });
    }
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.lastError).toBe(
      "channel telegram failed to start: TELEGRAM_BOT_TOKEN was refused by Telegram (401 Unauthorized): check the token with @BotFather",
    );
    expect(row.lastError).not.toContain("not configured");
    const retried = lines.find((l) => l.msg === "outbox send will be retried" && l.fields?.id === id);
    expect(retried?.fields?.reason).toBe(row.lastError);
    expect(lines.some((l) => l.msg === "telegram: could not start")).toBe(true);
  });

  it("while a channel nobody configured is still called that", async () => {
    const id = randomUUID();
    await app.db.prisma.outboxMessage.create({
      data: { id, channel: "discord", chatId: "123", payload: JSON.stringify({ text: "x" }), status: "pending", nextAttemptAt: new Date() },
    });
    const deadline = Date.now() + 10_000;
    let row = await app.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });
    while (row.attempts === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      row = await app.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });
    }
    expect(row.lastError).toBe("channel discord not configured");
  });
});
