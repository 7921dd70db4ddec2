/**
 * The WhatsApp Web operator page's sign-in, as an attacker tries it: the token never works from a
 * URL, the cookie is HttpOnly/SameSite=Strict (Secure behind https), forged or foreign cookies open
 * nothing, other sites cannot post the form, guessing is throttled, and the token is never logged.
 * (A browser that cannot start: no chromium runs.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";
import { LIMITS } from "../../src/http/index.js";

const TOKEN = "operator-token-0123456789";
const base = (extra: Record<string, string> = {}) => ({
  RATE_LIMIT: "on",
  WHATSAPP_WEB_ENABLED: "true",
  WHATSAPP_WEB_ADMIN_TOKEN: TOKEN,
  CHROMIUM_PATH: "/nonexistent/chromium",
  ...extra,
});

let app: TestApp;
const logs: string[] = [];

beforeAll(async () => {
  app = await startApp({
    env: base({ TRUST_PROXY: "loopback" }),
    log: (msg, fields) => void logs.push(`${msg} ${JSON.stringify(fields ?? {})}`),
  });
});
afterAll(async () => {
  await app?.close();
});

let clients = 0;
const newClient = () => ({ "x-forwarded-for": `192.0.2.${++clients}` });

function signIn(target: TestApp, body: string, headers: Record<string, string> = {}) {
  return fetch(`${target.url}/admin/whatsapp/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
    redirect: "manual",
  });
}

const cookieOf = (response: Response) => response.headers.get("set-cookie")?.split(";")[0];
const page = (target: TestApp, cookie?: string, path = "/admin/whatsapp") =>
  fetch(target.url + path, { headers: cookie ? { cookie } : {} });

describe("the operator page's sign-in", () => {
  it("shows the sign-in form, never the page, to a browser without a session — the token in the URL opens nothing", async () => {
    for (const path of ["/admin/whatsapp", `/admin/whatsapp?token=${TOKEN}`]) {
      const res = await page(app, undefined, path);
      expect(res.status).toBe(401);
      const html = await res.text();
      expect(html).toMatch(/<form method="post" action="\/admin\/whatsapp\/login">/);
      expect(html).not.toMatch(/data-state="(starting|stopped|waiting-for-scan|connected)"/);
    }
  });

  it("signs in with the token posted from the form: an HttpOnly, SameSite=Strict cookie for the page only", async () => {
    const res = await signIn(app, `token=${encodeURIComponent(TOKEN)}`, newClient());
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/whatsapp");
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^kanal_admin_whatsapp=/);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).toMatch(/; Path=\/admin\/whatsapp/);
    expect(setCookie).toMatch(/; Max-Age=\d+/);
    expect(setCookie).not.toMatch(/; Secure/i); // plain http, no https proxy
    expect(setCookie).not.toContain(TOKEN);
    const signedIn = await page(app, cookieOf(res));
    expect(signedIn.status).toBe(200);
    const html = await signedIn.text();
    expect(html).toMatch(/data-state="/);
    expect(html).toContain('<form method="post" action="/admin/whatsapp/logout">');
    expect(signedIn.headers.get("cache-control")).toBe("no-store");
    expect(signedIn.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
  });

  it("refuses a wrong, empty, repeated or oversized token with the form again, and sets no cookie", async () => {
    for (const body of [
      "token=wrong-token-000000000",
      "token=",
      "",
      `token=${TOKEN}&token=${TOKEN}`,
      `token=${encodeURIComponent(TOKEN + " ")}`,
      `token=${encodeURIComponent(TOKEN)}%00`,
      `token[]=${TOKEN}`,
    ]) {
      const res = await signIn(app, body, newClient());
      expect(res.status, body).toBe(401);
      expect(res.headers.get("set-cookie"), body).toBeNull();
      expect(await res.text()).toMatch(/role="alert"/);
    }
    const huge = await signIn(app, `token=${"a".repeat(10_000)}`, newClient());
    expect(huge.status).toBe(413);
  });

  it("opens nothing with a forged, altered, expired-looking or foreign cookie", async () => {
    const good = cookieOf(await signIn(app, `token=${TOKEN}`, newClient()))!;
    const [name, value] = good.split("=") as [string, string];
    const [expiry, mac] = value.split(".") as [string, string];
    const forged = [
      `${name}=${Number(expiry) + 1}.${mac}`,
      `${name}=${expiry}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`,
      `${name}=${Date.now() + 3600_000}.${"A".repeat(43)}`,
      `${name}=${Date.now() - 1000}.${mac}`,
      `${name}=${Date.now() + 10 * 365 * 86_400_000}.${mac}`,
      `${name}=${TOKEN}`,
      `${name}=`,
    ];
    for (const cookie of forged) expect((await page(app, cookie)).status, cookie).toBe(401);
    // A session made with another token (another office, or the token before it was changed).
    const other = await startApp({ env: base({ WHATSAPP_WEB_ADMIN_TOKEN: "a-different-token-987654321" }) });
    try {
      const foreign = cookieOf(await signIn(other, "token=a-different-token-987654321"))!;
      expect((await page(other, foreign)).status).toBe(200);
      expect((await page(app, foreign)).status).toBe(401);
    } finally {
      await other.close();
    }
  }, 30_000);

  it("signs out: the cookie is cleared", async () => {
    const cookie = cookieOf(await signIn(app, `token=${TOKEN}`, newClient()))!;
    const out = await fetch(`${app.url}/admin/whatsapp/logout`, { method: "POST", headers: { cookie }, redirect: "manual" });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/^kanal_admin_whatsapp=;.*Expires=Thu, 01 Jan 1970/);
  });

  it("refuses the form posted from another site", async () => {
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { origin: "null" },
    ];
    for (const headers of crossSite) {
      const res = await signIn(app, `token=${TOKEN}`, { ...newClient(), ...headers });
      expect(res.status).toBe(403);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    // The page's own origin is fine.
    const own = await signIn(app, `token=${TOKEN}`, { ...newClient(), origin: new URL(app.url).origin, "sec-fetch-site": "same-origin" });
    expect(own.status).toBe(303);
  });

  it(`throttles guessing: ${LIMITS.login.max} tries per client, then 429 even for the right token`, async () => {
    const guesser = newClient();
    for (let i = 0; i < LIMITS.login.max; i++) expect((await signIn(app, `token=guess-${i}`, guesser)).status).toBe(401);
    const refused = await signIn(app, `token=${TOKEN}`, guesser);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect((await signIn(app, `token=${TOKEN}`, newClient())).status).toBe(303);
  });

  it("marks the cookie Secure behind https: a trusted proxy's X-Forwarded-Proto, or an https PUBLIC_BASE_URL", async () => {
    const viaProxy = await signIn(app, `token=${TOKEN}`, { ...newClient(), "x-forwarded-proto": "https" });
    expect(viaProxy.headers.get("set-cookie")).toMatch(/; Secure/i);
    const untrusted = await startApp({ env: base() });
    const https = await startApp({ env: base({ PUBLIC_BASE_URL: "https://aduan.example.go.id" }) });
    try {
      // Nobody trusted says it came over https: a client cannot ask for it.
      const forged = await signIn(untrusted, `token=${TOKEN}`, { "x-forwarded-proto": "https" });
      expect(forged.headers.get("set-cookie")).not.toMatch(/; Secure/i);
      expect((await signIn(https, `token=${TOKEN}`)).headers.get("set-cookie")).toMatch(/; Secure/i);
    } finally {
      await untrusted.close();
      await https.close();
    }
  }, 30_000);

  it("never writes the token into a log", () => {
    expect(logs.some((line) => line.includes("operator signed in"))).toBe(true);
    expect(logs.some((line) => line.includes("operator sign-in refused"))).toBe(true);
    expect(logs.join("\n")).not.toContain(TOKEN);
  });
});
