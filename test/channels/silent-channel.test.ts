/**
 * A channel's start never holds the HTTP server (issue 13 item 8): with a Telegram Bot API that
 * accepts connections and never answers, the port opens, the web chat works, and /health shows
 * telegram "starting" and then "failed" with the timeout as the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChannelStatus } from "../../src/core/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { startSilentServer, type SilentServer } from "../fakes/silent-server.js";

// Long enough that /health is asked before it runs out even on a busy machine; the test waits it out.
const TIMEOUT_SECONDS = 10;

interface Health {
  status: string;
  channels: Record<string, string>;
  channelDetails: Record<string, ChannelStatus>;
}

let silent: SilentServer;
let app: TestApp;

beforeAll(async () => {
  silent = await startSilentServer();
  app = await startApp({
    env: {
      TELEGRAM_BOT_TOKEN: "123456:silent-api-token",
      TELEGRAM_API_ROOT: silent.url,
      CHANNEL_START_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
    },
    waitForChannels: false,
  });
});
afterAll(async () => {
  await app?.close();
  await silent?.close();
});

const health = async () => (await (await fetch(`${app.url}/health`)).json()) as Health;

describe("a Telegram API that never answers", () => {
  it("does not hold the HTTP server: /health answers with telegram starting, and the web chat works", async () => {
    const first = await health();
    expect(first.status).toBe("ok");
    expect(first.channels).toMatchObject({ webchat: "running", telegram: "starting" });
    expect(first.channelDetails.telegram).toEqual({ state: "starting" });
    // The start really is waiting on the silent API (getMe), not skipped.
    for (let i = 0; i < 50 && silent.connections() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(silent.connections()).toBeGreaterThan(0);

    const session = await fetch(`${app.url}/api/webchat/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(session.status).toBe(201);
    const { sessionId } = (await session.json()) as { sessionId: string };
    const answer = await fetch(`${app.url}/api/webchat/sessions/${sessionId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "1" }),
    });
    expect(answer.status).toBe(200);
    const { replies } = (await answer.json()) as { replies: { text: string }[] };
    expect(replies.length).toBeGreaterThan(0);
  }, 30_000);

  it("then shows telegram failed with the timeout as the reason, and the web chat is still running", async () => {
    let current = await health();
    const deadline = Date.now() + (TIMEOUT_SECONDS + 20) * 1000;
    while (current.channels.telegram !== "failed" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      current = await health();
    }
    expect(current.channels.telegram).toBe("failed");
    expect(current.channelDetails.telegram).toEqual({
      state: "failed",
      reason: `telegram did not start within ${TIMEOUT_SECONDS} s (timeout)`,
    });
    expect(current.channels.webchat).toBe("running");
    expect(current.status).toBe("ok");
  }, 40_000);
});
