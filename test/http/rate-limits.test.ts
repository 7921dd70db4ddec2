/**
 * Per-client limits as an attacker meets them, on SQLite and (test:pg) PostgreSQL: floods of
 * sessions, messages, uploads and guessed webhook tokens are refused with 429, Retry-After and a
 * polite {error, retryAfterSeconds}; the limits on shared resources hold across two instances on one
 * database; a forged X-Forwarded-For changes nothing unless TRUST_PROXY names the proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";
import { LIMITS } from "../../src/http/rate-limit.js";
import { metaJson, signatureOf } from "../fakes/meta-graph.js";

const SECRET = "app-secret-for-tests";
let direct: TestApp;
let proxied: TestApp;
let unlimited: TestApp;

beforeAll(async () => {
  const meta = {
    META_APP_SECRET: SECRET,
    META_VERIFY_TOKEN: "verify-me",
    WHATSAPP_CLOUD_TOKEN: "token",
    WHATSAPP_PHONE_NUMBER_ID: "106540352242922",
  };
  direct = await startApp({ env: { ...meta, RATE_LIMIT: "on" } });
  proxied = await startApp({ env: { ...meta, RATE_LIMIT: "on", TRUST_PROXY: "loopback" } });
  unlimited = await startApp({ env: { RATE_LIMIT: "off" } });
});
afterAll(async () => {
  await direct?.close();
  await proxied?.close();
  await unlimited?.close();
});

let clients = 0;
/** A fresh client address, as the proxy in front of `proxied` would report it. */
const newClient = () => `198.51.100.${++clients}`;

async function call(app: TestApp, method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(app.url + path, {
    method,
    body: options.body,
    headers: { ...(typeof options.body === "string" ? { "content-type": "application/json" } : {}), ...options.headers },
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, retryAfter: response.headers.get("retry-after"), headers: response.headers };
}

const openSession = (app: TestApp, headers: Record<string, string> = {}) =>
  call(app, "POST", "/api/webchat/sessions", { body: "{}", headers });

function expectPolite429(res: Awaited<ReturnType<typeof call>>, language: RegExp = /Mohon maaf|Silakan coba lagi/) {
  expect(res.status).toBe(429);
  expect(Number(res.retryAfter)).toBeGreaterThan(0);
  expect(res.json?.error).toMatch(language);
  expect(res.json?.retryAfterSeconds).toBe(Number(res.retryAfter));
}

describe("session creation", () => {
  it(`allows ${LIMITS.sessions.max} per client, then answers 429 politely and creates nothing`, async () => {
    const client = { "x-forwarded-for": newClient() };
    for (let i = 0; i < LIMITS.sessions.max; i++) expect((await openSession(proxied, client)).status).toBe(201);
    const before = await proxied.db.prisma.conversation.count();
    const refused = await openSession(proxied, client);
    expectPolite429(refused);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(LIMITS.sessions.windowMs / 1000);
    expect(await proxied.db.prisma.conversation.count()).toBe(before);
    // In English for a client that asks for English.
    expectPolite429(await openSession(proxied, { ...client, "accept-language": "en-GB,en;q=0.9" }), /too many requests.*try again/i);
    // Another client is not held back by this one.
    expect((await openSession(proxied, { "x-forwarded-for": newClient() })).status).toBe(201);
  });

  it("counts a client whose X-Forwarded-For is forged as itself when no proxy is trusted", async () => {
    let refused = 0;
    for (let i = 0; i < LIMITS.sessions.max + 5; i++) {
      const res = await openSession(direct, { "x-forwarded-for": `203.0.113.${i}` });
      if (res.status === 429) refused++;
      else expect(res.status).toBe(201);
    }
    expect(refused).toBe(5);
  });

  it("takes the address the trusted proxy appended, not one the client put in front of it", async () => {
    const real = newClient();
    let refused = 0;
    for (let i = 0; i < LIMITS.sessions.max + 3; i++) {
      // The client sends "X-Forwarded-For: <forged>"; a proxy appends the address it saw.
      const res = await openSession(proxied, { "x-forwarded-for": `10.9.8.${i}, ${real}` });
      if (res.status === 429) refused++;
    }
    expect(refused).toBe(3);
  });

  it("holds across two instances on one database", async () => {
    const second = await startApp({
      env: { DATABASE_URL: proxied.databaseUrl, RATE_LIMIT: "on", TRUST_PROXY: "loopback" },
      dir: proxied.dir,
    });
    try {
      const client = { "x-forwarded-for": newClient() };
      const half = LIMITS.sessions.max / 2;
      for (let i = 0; i < half; i++) expect((await openSession(proxied, client)).status).toBe(201);
      for (let i = 0; i < half; i++) expect((await openSession(second, client)).status).toBe(201);
      expectPolite429(await openSession(second, client));
      expectPolite429(await openSession(proxied, client));
    } finally {
      await second.close();
    }
  }, 30_000);

  it("counts racing requests exactly: of 40 sent at once, 20 pass", async () => {
    const client = { "x-forwarded-for": newClient() };
    const results = await Promise.all(Array.from({ length: 40 }, () => openSession(proxied, client)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(LIMITS.sessions.max);
    expect(results.filter((r) => r.status === 429)).toHaveLength(40 - LIMITS.sessions.max);
  });
});

describe("messages and uploads", () => {
  it(`allows ${LIMITS.messages.max} messages a minute per client, then 429`, async () => {
    const client = { "x-forwarded-for": newClient() };
    const session = (await openSession(proxied, client)).json!.sessionId as string;
    const path = `/api/webchat/sessions/${session}/messages`;
    const answers = [];
    for (let i = 0; i < LIMITS.messages.max; i++)
      answers.push((await call(proxied, "POST", path, { body: '{"text":"menu"}', headers: client })).status);
    expect(answers.every((s) => s === 200)).toBe(true);
    expectPolite429(await call(proxied, "POST", path, { body: '{"text":"menu"}', headers: client }));
  }, 60_000);

  it(`allows ${LIMITS.uploads.max} uploads per client, then 429`, async () => {
    const client = { "x-forwarded-for": newClient() };
    const session = (await openSession(proxied, client)).json!.sessionId as string;
    const path = `/api/webchat/sessions/${session}/attachments`;
    const form = () => {
      const data = new FormData();
      data.append("file", new Blob([new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31])], { type: "application/pdf" }), "bukti.pdf");
      return data;
    };
    for (let i = 0; i < LIMITS.uploads.max; i++) {
      const res = await fetch(proxied.url + path, { method: "POST", body: form(), headers: client });
      expect(res.status).not.toBe(429);
      await res.arrayBuffer();
    }
    const refused = await fetch(proxied.url + path, { method: "POST", body: form(), headers: client });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toMatch(/Mohon maaf/);
  }, 30_000);
});

describe("webhooks", () => {
  const verify = (token: string, headers: Record<string, string>) =>
    call(proxied, "GET", `/webhooks/meta?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=42`, { headers });

  it("refuses a client that guessed the verify token too often, even when it then guesses right", async () => {
    const guesser = { "x-forwarded-for": newClient() };
    for (let i = 0; i < LIMITS.webhookRefusals.max; i++) expect((await verify(`guess-${i}`, guesser)).status).toBe(403);
    expectPolite429(await verify("guess-final", guesser));
    expect((await verify("verify-me", guesser)).status).toBe(429);
    // Meta, another client, still verifies.
    const ok = await verify("verify-me", { "x-forwarded-for": newClient() });
    expect(ok.status).toBe(200);
  });

  it("never counts or limits signed deliveries", async () => {
    const meta = { "x-forwarded-for": newClient() };
    const body = metaJson({ object: "whatsapp_business_account", entry: [] });
    for (let i = 0; i < LIMITS.webhookRefusals.max * 2; i++) {
      const res = await call(proxied, "POST", "/webhooks/meta", {
        body,
        headers: { ...meta, "content-type": "application/json", "x-hub-signature-256": signatureOf(SECRET, body) },
      });
      expect(res.status).toBe(200);
    }
  });
});

describe("RATE_LIMIT=off", () => {
  it("limits nothing (load tests)", async () => {
    const results = await Promise.all(Array.from({ length: LIMITS.sessions.max + 10 }, () => openSession(unlimited)));
    expect(results.every((r) => r.status === 201)).toBe(true);
  });
});

describe("a proxy nobody trusts", () => {
  it("is named once in the log, pointing at TRUST_PROXY", async () => {
    const lines: string[] = [];
    const app = await startApp({ env: { RATE_LIMIT: "on" }, log: (msg) => void lines.push(msg) });
    try {
      await fetch(`${app.url}/health`);
      expect(lines.filter((l) => l.includes("TRUST_PROXY"))).toEqual([]);
      for (let i = 0; i < 3; i++) await fetch(`${app.url}/health`, { headers: { "x-forwarded-for": "203.0.113.9" } });
      expect(lines.filter((l) => l.includes("TRUST_PROXY is off"))).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
