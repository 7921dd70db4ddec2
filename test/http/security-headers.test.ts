/** Real security headers (helmet's, worked out once per kind of answer) on every answer: the pages, the API, errors and 404s. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";

let app: TestApp;
let framed: TestApp;
let session: string;

beforeAll(async () => {
  app = await startApp({ env: { META_APP_SECRET: "app-secret-for-tests", META_VERIFY_TOKEN: "verify-me" } });
  framed = await startApp({ env: { WEBCHAT_FRAME_ANCESTORS: "https://kecamatan.example.go.id https://*.denpasarkota.go.id" } });
  const res = await fetch(`${app.url}/api/webchat/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  session = ((await res.json()) as { sessionId: string }).sessionId;
});
afterAll(async () => {
  await app?.close();
  await framed?.close();
});

function directives(csp: string | null): Map<string, string> {
  return new Map(
    (csp ?? "")
      .split(";")
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0]!, d.split(/\s+/).slice(1).join(" ")]),
  );
}

describe("security headers", () => {
  it("serve the chat page with its policy as a header: everything from this server, framed by nobody", async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    const csp = directives(page.headers.get("content-security-policy"));
    expect(csp.get("default-src")).toBe("'self'");
    expect(csp.get("script-src")).toBe("'self'");
    expect(csp.get("connect-src")).toBe("'self'");
    expect(csp.get("object-src")).toBe("'none'");
    expect(csp.get("base-uri")).toBe("'none'");
    expect(csp.get("frame-ancestors")).toBe("'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    // No HSTS over plain http without PUBLIC_BASE_URL.
    expect(page.headers.get("strict-transport-security")).toBeNull();
  });

  it("let only WEBCHAT_FRAME_ANCESTORS frame the chat page, and nothing else of the server", async () => {
    const page = await fetch(`${framed.url}/`);
    expect(directives(page.headers.get("content-security-policy")).get("frame-ancestors")).toBe(
      "https://kecamatan.example.go.id https://*.denpasarkota.go.id",
    );
    // X-Frame-Options cannot name origins: left out, frame-ancestors decides.
    expect(page.headers.get("x-frame-options")).toBeNull();
    const api = await fetch(`${framed.url}/health`);
    expect(directives(api.headers.get("content-security-policy")).get("frame-ancestors")).toBe("'none'");
  });

  const answers: [string, string, string | undefined, number][] = [
    ["GET", "/webchat/static/app.js", undefined, 200],
    ["GET", "/webchat/texts/id", undefined, 200],
    ["GET", "/health", undefined, 200],
    ["GET", "/metrics", undefined, 200],
    ["POST", "/api/webchat/sessions", "{}", 201],
    ["GET", "/api/webchat/sessions/SESSION/messages", undefined, 200],
    ["POST", "/api/webchat/sessions/SESSION/messages", '{"text":"halo"}', 200],
    ["POST", "/api/webchat/sessions/SESSION/messages", "{not json", 400],
    ["GET", "/api/webchat/sessions/no-such-session/messages", undefined, 404],
    ["GET", "/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1", undefined, 403],
    ["POST", "/webhooks/meta", "{}", 401],
    ["GET", "/health?x=1&x=2", undefined, 400],
    ["GET", "/no/such/route", undefined, 404],
  ];
  it.each(answers)("%s %s: nosniff, no referrer, an inert policy", async (method, path, body, status) => {
    const res = await fetch(app.url + path.replace("SESSION", session), {
      method,
      body,
      headers: body ? { "content-type": "application/json" } : {},
    });
    expect(res.status).toBe(status);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const csp = directives(res.headers.get("content-security-policy"));
    expect(csp.get("default-src")).toBe("'none'");
    expect(csp.get("frame-ancestors")).toBe("'none'");
  });
});

describe("behind https", () => {
  it("sends HSTS when PUBLIC_BASE_URL is https, on the pages with their own policy too", async () => {
    const secure = await startApp({ env: { PUBLIC_BASE_URL: "https://aduan.example.go.id" } });
    try {
      const res = await fetch(`${secure.url}/health`);
      expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}$/);
      for (const page of ["/", "/lacak"]) {
        const answer = await fetch(`${secure.url}${page}`);
        expect(answer.status).toBe(200);
        expect(answer.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}$/);
        expect(directives(answer.headers.get("content-security-policy")).get("script-src")).toBe("'self'");
        expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      }
    } finally {
      await secure.close();
    }
  });
});
