/** Webhook mode through the real HTTP server: the route mounted by src/http, the secret header checked. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";
import { privateText, startFakeBotApi, type FakeBotApi } from "../fakes/telegram-bot-api.js";

const SECRET = "webhook_Secret-123";
let api: FakeBotApi;
let app: TestApp;

beforeAll(async () => {
  api = await startFakeBotApi();
  app = await startApp({
    env: {
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.url,
      TELEGRAM_OPS_CHAT_ID: "-1002000",
      PUBLIC_BASE_URL: "https://aduan.example.go.id",
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    },
  });
});
afterAll(async () => {
  await app?.close();
  await api?.close();
});

const update = (id: number, text: string) => ({ update_id: id, message: privateText(5150, id, text, "Made") });

async function post(body: string, headers: Record<string, string>) {
  const response = await fetch(`${app.url}/webhooks/telegram`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return response.status;
}

describe("Telegram webhook mode", () => {
  it("registers the webhook with the secret on start and reports it in /health", async () => {
    expect(api.webhookInfo()).toMatchObject({ url: "https://aduan.example.go.id/webhooks/telegram", secretToken: SECRET });
    const health = (await (await fetch(`${app.url}/health`)).json()) as { channels: Record<string, string> };
    expect(health.channels.telegram).toBe("webhook");
  });

  it("refuses a missing or wrong secret and processes nothing", async () => {
    expect(await post(JSON.stringify(update(1, "halo")), {})).toBe(401);
    expect(await post(JSON.stringify(update(2, "halo")), { "x-telegram-bot-api-secret-token": "wrong" })).toBe(401);
    expect(await app.db.prisma.message.count({ where: { channel: "telegram" } })).toBe(0);
  });

  it("refuses a body that is not JSON", async () => {
    expect(await post("{nope", { "x-telegram-bot-api-secret-token": SECRET })).toBe(400);
  });

  it("processes a signed update once, even when Telegram delivers it twice", async () => {
    const body = JSON.stringify(update(3, "halo"));
    expect(await post(body, { "x-telegram-bot-api-secret-token": SECRET })).toBe(200);
    expect(await post(body, { "x-telegram-bot-api-secret-token": SECRET })).toBe(200);
    expect(await app.db.prisma.message.count({ where: { channel: "telegram", direction: "in" } })).toBe(1);
    // One step, one message: the greeting and the menu arrive together.
    const answer = await api.until(() => api.sent(5150)[0], 10_000, "the greeting and menu");
    expect(answer.text).toMatch(/^Selamat datang[^]*1\. Buat aduan baru/);
  });
});
