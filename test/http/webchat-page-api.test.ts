/**
 * What the website chat page learns from the server beyond the contract's minimum: the
 * conversation's current language in the history.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
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
