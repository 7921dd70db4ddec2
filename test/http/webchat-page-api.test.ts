/**
 * What the website chat page learns from the server beyond the contract's minimum: the
 * conversation's current language in the history, and the limits it tells the person before sending.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { ATTACHMENT_MAX_BYTES: String(100_000) } });
});
afterAll(async () => {
  await app.close();
});

async function json(method: string, path: string, body?: unknown) {
  const response = await fetch(app.url + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function newSession(body: unknown = {}): Promise<string> {
  const res = await json("POST", "/api/webchat/sessions", body);
  expect(res.status).toBe(201);
  return res.body.sessionId as string;
}

const say = (id: string, text: string) => json("POST", `/api/webchat/sessions/${id}/messages`, { text });
const history = (id: string, after?: string) =>
  json("GET", `/api/webchat/sessions/${id}/messages${after === undefined ? "" : `?after=${after}`}`);

describe("the history tells the page the conversation's language", () => {
  it("reports the locale the session opened in, and follows the keywords either way", async () => {
    const id = await newSession();
    const opened = await history(id);
    expect(opened.body.locale).toBe("id");

    expect((await say(id, "english")).status).toBe(200);
    const english = await history(id, opened.body.cursor as string);
    expect(english.body.locale).toBe("en");
    // The contract's fields are unchanged beside it.
    expect(Array.isArray(english.body.messages)).toBe(true);
    expect(typeof english.body.cursor).toBe("string");

    await say(id, "indonesia");
    const back = await history(id, english.body.cursor as string);
    expect(back.body.locale).toBe("id");
    // Even with nothing new after the cursor, the locale is there.
    expect((await history(id, back.body.cursor as string)).body).toMatchObject({ messages: [], locale: "id" });
  });

  it("an English session says so from the start", async () => {
    const id = await newSession({ locale: "en" });
    expect((await history(id)).body.locale).toBe("en");
  });
});

describe("the page's limits", () => {
  it("are the server's own: the file size from ATTACHMENT_MAX_BYTES and the contract's text length", async () => {
    const res = await json("GET", "/webchat/config");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ maxAttachmentBytes: 100_000, maxTextLength: 4000, sessionIdleDays: 30 });
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  it("match what the server enforces: a text one character over is refused", async () => {
    const { maxTextLength } = (await json("GET", "/webchat/config")).body as { maxTextLength: number };
    const id = await newSession();
    expect((await say(id, "a".repeat(maxTextLength + 1))).status).toBe(400);
    expect((await say(id, "a".repeat(maxTextLength))).status).toBe(200);
  });
});
