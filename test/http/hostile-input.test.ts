/**
 * Malformed input as an attacker sends it, through the whole app on SQLite and (under test:pg)
 * PostgreSQL: every answer is a 4xx with `{ "error" }`, never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webchatChatId } from "../../src/db/index.js";
import { startApp, type TestApp } from "../helpers/app.js";

let app: TestApp;
let session: string;

beforeAll(async () => {
  app = await startApp({
    env: {
      META_APP_SECRET: "app-secret-for-tests",
      META_VERIFY_TOKEN: "verify-me",
      WHATSAPP_WEB_ENABLED: "true",
      WHATSAPP_WEB_ADMIN_TOKEN: "operator-token-0123456789",
      CHROMIUM_PATH: "/nonexistent/chromium",
    },
  });
  session = await newSession();
});
afterAll(async () => {
  await app?.close();
});

async function send(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(app.url + path, {
    method,
    headers,
    body: typeof body === "string" || body === undefined ? body : new Uint8Array(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

async function newSession(): Promise<string> {
  const res = await send("POST", "/api/webchat/sessions", "{}", { "content-type": "application/json" });
  expect(res.status).toBe(201);
  return res.json!.sessionId as string;
}

const multipart = (boundary?: string) => ({ "content-type": `multipart/form-data${boundary ? `; boundary=${boundary}` : ""}` });
const part = (headers: string, content: string) => `--XYZ\r\n${headers}\r\n\r\n${content}\r\n`;
const FILE_HEADERS = 'Content-Disposition: form-data; name="file"; filename="bukti.jpg"\r\nContent-Type: image/jpeg';

describe("a malformed multipart upload is the client's error (400 or 413, never 500)", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["no boundary", multipart(), part(FILE_HEADERS, "abc") + "--XYZ--\r\n"],
    ["a boundary the body never uses", multipart("XYZ"), "garbage garbage garbage"],
    ["garbage bytes", multipart("XYZ"), "\u0000\u00ff\u0001--XYZ\r\n\r\n"],
    ["a part cut off before its end", multipart("XYZ"), "--XYZ\r\n" + FILE_HEADERS + "\r\n\r\nabc"],
    ["a part cut off in its headers", multipart("XYZ"), '--XYZ\r\nContent-Disposition: form-data; name="fi'],
    ["a part without headers", multipart("XYZ"), part("", "abc") + "--XYZ--\r\n"],
    ["an empty body", multipart("XYZ"), ""],
    ["only the closing boundary", multipart("XYZ"), "--XYZ--\r\n"],
    ["a text field instead of a file", multipart("XYZ"), part('Content-Disposition: form-data; name="file"', "abc") + "--XYZ--\r\n"],
    ["a header line of 100 000 characters", multipart("XYZ"), "--XYZ\r\nX-Long: " + "a".repeat(100_000) + "\r\n\r\nabc\r\n--XYZ--\r\n"],
    ["a boundary of 200 characters", multipart("B".repeat(200)), "--" + "B".repeat(200) + "\r\n\r\n"],
    ["a quoted boundary never closed", { "content-type": 'multipart/form-data; boundary="XYZ' }, part(FILE_HEADERS, "abc")],
  ];
  it.each(cases)("%s", async (_name, headers, body) => {
    const res = await send("POST", `/api/webchat/sessions/${session}/attachments`, body, headers);
    expect([400, 413]).toContain(res.status);
    expect(typeof res.json?.error).toBe("string");
  });

  it("still takes a well-formed upload after all that", async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);
    const body = Buffer.concat([Buffer.from(`--XYZ\r\n${FILE_HEADERS}\r\n\r\n`), jpeg, Buffer.from("\r\n--XYZ--\r\n")]);
    const res = await send("POST", `/api/webchat/sessions/${session}/attachments`, body, multipart("XYZ"));
    expect(res.status).toBeLessThan(500);
    expect(res.json?.replies).toBeDefined();
  });
});

describe("a multipart body is read only where files are taken", () => {
  it.each([
    ["a web-chat message", "/api/webchat/sessions/SESSION/messages"],
    ["a new session", "/api/webchat/sessions"],
  ])("%s answers 415 without reading the upload", async (_name, path) => {
    const body = `--XYZ\r\n${FILE_HEADERS}\r\n\r\n${"x".repeat(1000)}\r\n--XYZ--\r\n`;
    const res = await send("POST", path.replace("SESSION", session), body, multipart("XYZ"));
    expect(res.status).toBe(415);
    expect(typeof res.json?.error).toBe("string");
  });
});

describe("a query parameter given twice is refused with 400 on every route", () => {
  const routes: [string, string][] = [
    ["GET", "/?x=1&x=2"],
    ["GET", "/health?x=1&x=2"],
    ["GET", "/metrics?x=1&x=2"],
    ["GET", "/webchat/static/app.js?v=1&v=1"],
    ["GET", "/webchat/texts/id?v=1&v=2"],
    ["POST", "/api/webchat/sessions?locale=en&locale=en"],
    ["GET", "/api/webchat/sessions/SESSION/messages?after=1&after=2"],
    ["POST", "/api/webchat/sessions/SESSION/messages?x=1&x=2"],
    ["POST", "/api/webchat/sessions/SESSION/attachments?x=1&x=2"],
    ["GET", "/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.verify_token=verify-me&hub.challenge=1"],
    ["GET", "/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1&hub.challenge=2"],
    ["POST", "/webhooks/meta?x=1&x=2"],
    ["GET", "/admin/whatsapp?token=operator-token-0123456789&token=x"],
    ["GET", "/no-such-route?x=1&x=2"],
    ["GET", "/health?constructor=1&constructor=2"],
    ["GET", "/health?__proto__=1&__proto__=2"],
    ["GET", "/health?a=1&a=2&a=3&a=4&a=5&a=6&a=7&a=8&a=9"],
  ];
  it.each(routes)("%s %s", async (method, path) => {
    const res = await send(method, path.replace("SESSION", session), method === "POST" ? "{}" : undefined, {
      "content-type": "application/json",
    });
    expect(res.status).toBe(400);
    expect(res.json?.error).toMatch(/once/);
  });

  it("answers single parameters as before (the subscription check, the history cursor)", async () => {
    const ok = await send("GET", "/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=42");
    expect(ok.status).toBe(200);
    expect(ok.text).toBe("42");
    expect((await send("GET", "/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42")).status).toBe(403);
    expect((await send("GET", `/api/webchat/sessions/${session}/messages?after=0`)).status).toBe(200);
    expect((await send("GET", "/health?constructor=1")).status).toBe(200);
  });
});

describe("text PostgreSQL refuses is cleaned at the edge, the same on SQLite and PostgreSQL", () => {
  const post = (path: string, body: unknown) => send("POST", path, JSON.stringify(body), { "content-type": "application/json" });

  it("stores a web-chat text with NUL and lone surrogates cleaned, and answers 200", async () => {
    const id = await newSession();
    const res = await post(`/api/webchat/sessions/${id}/messages`, {
      text: "1\u0000",
      clientMessageId: "retry\u0000\ud800",
    });
    expect(res.status).toBe(200);
    // "1\0" is "1": the menu choice was understood, the next question is the name.
    expect(JSON.stringify(res.json?.replies)).toMatch(/nama|anonim/i);
    const name = await post(`/api/webchat/sessions/${id}/messages`, { text: "Bu\u0000di \ud83d Santoso \udc00" });
    expect(name.status).toBe(200);
    const stored = await app.db.prisma.message.findMany({
      where: { channel: "webchat", direction: "in", conversation: { chatId: webchatChatId(id) } },
      orderBy: { id: "asc" },
      select: { text: true, providerMessageId: true },
    });
    expect(stored.map((m) => m.text)).toEqual(["1", "Budi \ufffd Santoso \ufffd"]);
    expect(stored[0]!.providerMessageId).toBe(`${webchatChatId(id)}:retry\ufffd`);
    // The same retry id, sent again the same way, is the same message: answered once.
    const again = await post(`/api/webchat/sessions/${id}/messages`, { text: "1\u0000", clientMessageId: "retry\u0000\ud800" });
    expect(again.status).toBe(200);
    expect(
      await app.db.prisma.message.count({ where: { channel: "webchat", direction: "in", conversation: { chatId: webchatChatId(id) } } }),
    ).toBe(2);
  });

  it("refuses a text that is nothing but NULs as empty (400), not as a server error", async () => {
    const res = await post(`/api/webchat/sessions/${session}/messages`, { text: "\u0000\u0000\u0000" });
    expect(res.status).toBe(400);
    expect(res.json?.error).toMatch(/empty/);
  });

  it.each([
    ["a NUL", "%00"],
    ["a NUL inside", "abc%00def"],
    ["an encoded lone surrogate", "%ED%A0%80"],
    ["an emoji", "%F0%9F%98%80"],
    ["a dot-dot", ".."],
    ["101 characters", "a".repeat(101)],
  ])("answers a session id with %s as an unknown session, on every session route", async (_name, id) => {
    for (const [method, path, body] of [
      ["GET", `/api/webchat/sessions/${id}/messages`, undefined],
      ["POST", `/api/webchat/sessions/${id}/messages`, JSON.stringify({ text: "halo" })],
      ["POST", `/api/webchat/sessions/${id}/attachments`, "--XYZ--\r\n"],
    ] as const) {
      const res = await send(method, path, body, {
        "content-type": path.endsWith("attachments") ? "multipart/form-data; boundary=XYZ" : "application/json",
      });
      // 404 (no such session), 400 (a path Fastify cannot decode), 414 (longer than a parameter may be).
      expect([400, 404, 414]).toContain(res.status);
      expect(typeof res.json?.error).toBe("string");
    }
  });
});
