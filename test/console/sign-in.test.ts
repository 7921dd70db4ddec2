/**
 * Signing in to the staff web console, attacked: wrong passwords (throttled per account and per
 * client, across instances), forged and missing CSRF tokens, repeated fields, open redirects, idle
 * and disabled sessions, and the cookie's attributes. On SQLite, and on PostgreSQL under test:pg.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disableWebLogin } from "../../src/console/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { ConsoleClient, webLogin } from "../helpers/console.js";

let app: TestApp;
let second: TestApp;

beforeAll(async () => {
  app = await startApp({ env: { TRUST_PROXY: "127.0.0.1" } });
  // A second instance on the same database: sessions and the throttle must hold across instances.
  second = await startApp({ env: { DATABASE_URL: app.databaseUrl, TRUST_PROXY: "127.0.0.1" } });
  await webLogin(app.db, "ani", "kasi", { password: "sandi ani yang panjang" });
  await webLogin(app.db, "budi", "staf", { password: "sandi budi yang panjang" });
  await webLogin(app.db, "citra", "staf", { password: "sandi citra yang panjang" });
  await webLogin(app.db, "dewi", "staf", { password: "sandi dewi yang panjang" });
}, 60_000);

afterAll(async () => {
  await second?.close();
  await app?.close();
});

describe("signing in to /staff", () => {
  it("sends a stranger to the sign-in page, and back where they were going after it", async () => {
    const client = new ConsoleClient(app.url);
    const first = await client.get("/staff/inbox?status=open");
    expect(first.status).toBe(303);
    expect(first.location).toBe("/staff/login?next=%2Fstaff%2Finbox%3Fstatus%3Dopen");
    const login = await client.get(first.location!);
    expect(login.status).toBe(200);
    expect(login.headers.get("content-type")).toMatch(/^text\/html/);
    expect(login.text).toContain('<html lang="id">');
    expect(login.text).toMatch(/<label for="username">Nama pengguna<\/label>/);
    expect(login.text).toMatch(/<label for="password">Kata sandi<\/label>/);
    expect(login.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(login.headers.get("cache-control")).toBe("no-store");
    const signedIn = await client.post("/staff/login", {
      username: "Ani",
      password: "sandi ani yang panjang",
      next: "/staff/inbox?status=open",
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe("/staff/inbox?status=open");
  });

  it("sets an HttpOnly, SameSite=Strict session cookie (Secure behind https), storing only the token's hash", async () => {
    const client = new ConsoleClient(app.url);
    const answer = await client.signIn("ani", "sandi ani yang panjang");
    const cookie = answer.setCookies.find((c) => c.startsWith("kanal_staff="))!;
    expect(cookie).toMatch(/; Path=\/staff/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toMatch(/; Secure/);
    const token = client.cookies.get("kanal_staff")!;
    const rows = await app.db.prisma.staffSession.findMany();
    expect(rows.some((r) => r.id === token)).toBe(false);
    expect(rows.some((r) => r.id === createHash("sha256").update(token).digest("hex"))).toBe(true);

    const behindProxy = new ConsoleClient(app.url, { "x-forwarded-proto": "https" });
    const form = await behindProxy.get("/staff/login");
    expect(form.setCookies.find((c) => c.startsWith("kanal_staff_csrf="))).toMatch(/; Secure/);
    const secure = await behindProxy.post("/staff/login", { username: "ani", password: "sandi ani yang panjang" });
    expect(secure.setCookies.find((c) => c.startsWith("kanal_staff="))).toMatch(/; Secure/);
  });

  it("serves a session made on one instance on another", async () => {
    const client = new ConsoleClient(app.url);
    await client.signIn("budi", "sandi budi yang panjang");
    const elsewhere = new ConsoleClient(second.url);
    for (const [k, v] of client.cookies) elsewhere.cookies.set(k, v);
    const answer = await elsewhere.get("/staff");
    expect(answer.status).toBe(303);
    expect(answer.location).toBe("/staff/inbox");
  });

  it("refuses a wrong password and an unknown name with the same words", async () => {
    const client = new ConsoleClient(app.url);
    await client.get("/staff/login");
    const wrong = await client.post("/staff/login", { username: "dewi", password: "bukan sandinya sama sekali" });
    const unknown = await client.post("/staff/login", { username: "nobody", password: "bukan sandinya sama sekali" });
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(401);
      expect(answer.text).toContain("Nama pengguna atau kata sandi salah.");
      expect(answer.setCookies.some((c) => c.startsWith("kanal_staff="))).toBe(false);
    }
  });

  it("throttles an account after five failures, even with the right password, on every instance", async () => {
    const a = new ConsoleClient(app.url, { "x-forwarded-for": "10.0.0.1" });
    const b = new ConsoleClient(second.url, { "x-forwarded-for": "10.0.0.2" });
    await a.get("/staff/login");
    await b.get("/staff/login");
    // Five failures spread over two instances and two addresses count for the one account.
    for (const client of [a, b, a, b, a]) {
      expect((await client.post("/staff/login", { username: "citra", password: "tebakan yang salah" })).status).toBe(401);
    }
    const right = await b.post("/staff/login", { username: "citra", password: "sandi citra yang panjang" });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(800);
    expect(right.text).toMatch(/Terlalu banyak percobaan masuk yang gagal\. Silakan coba lagi dalam 1[45] menit\./);
    expect(right.setCookies.some((c) => c.startsWith("kanal_staff="))).toBe(false);
    // Another account from another address is not held up by it.
    const other = new ConsoleClient(app.url, { "x-forwarded-for": "10.0.0.3" });
    await other.signIn("budi", "sandi budi yang panjang");
  });

  it("throttles a client that walks through many names", async () => {
    const guesser = new ConsoleClient(app.url, { "x-forwarded-for": "10.0.0.9" });
    await guesser.get("/staff/login");
    for (let i = 0; i < 20; i++) {
      expect((await guesser.post("/staff/login", { username: `name${i}`, password: "tebakan yang salah" })).status).toBe(401);
    }
    const blocked = await guesser.post("/staff/login", { username: "budi", password: "sandi budi yang panjang" });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("refuses a sign-in or sign-out without the CSRF token, or with another session's", async () => {
    const client = new ConsoleClient(app.url);
    await client.get("/staff/login");
    const noToken = await client.post("/staff/login", { username: "ani", password: "sandi ani yang panjang" }, { csrf: false });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain("Formulir ini sudah kedaluwarsa");
    const forged = await client.post("/staff/login", { username: "ani", password: "sandi ani yang panjang", _csrf: "forged-token" });
    expect(forged.status).toBe(403);
    // A form from a page without the CSRF cookie (another site's page) has no secret to match.
    const stranger = new ConsoleClient(app.url);
    expect((await stranger.post("/staff/login", { username: "ani", password: "x", _csrf: client.csrf })).status).toBe(403);

    await client.signIn("ani", "sandi ani yang panjang");
    const before = await app.db.prisma.staffSession.count();
    expect((await client.post("/staff/logout", {}, { csrf: false })).status).toBe(403);
    const other = new ConsoleClient(app.url);
    await other.signIn("budi", "sandi budi yang panjang");
    // Budi's page token, in Ani's browser (same CSRF cookie name): bound to Budi's session, refused.
    await client.get("/staff/login");
    expect((await client.post("/staff/logout", { _csrf: other.csrf })).status).toBe(403);
    expect(await app.db.prisma.staffSession.count()).toBe(before + 1);
  });

  it("signs out: the session is gone from the database, and the old cookie no longer works", async () => {
    const client = new ConsoleClient(app.url);
    await client.signIn("ani", "sandi ani yang panjang");
    const token = client.cookies.get("kanal_staff")!;
    const page = await client.get("/staff/login?next=/staff/board");
    expect(page.status).toBe(303); // already signed in: on to where it was going
    await client.get("/staff/login").catch(() => undefined);
    // The sign-out form is on every page; any console page gives its token.
    client.csrf = /name="csrf-token" content="([^"]+)"/.exec((await signedInPage(client)).text)?.[1] ?? client.csrf;
    const out = await client.post("/staff/logout", {});
    expect(out.status).toBe(303);
    expect(out.location).toBe("/staff/login?out=1");
    expect((await client.get(out.location!)).text).toContain("Anda telah keluar.");
    const hash = createHash("sha256").update(token).digest("hex");
    expect(await app.db.prisma.staffSession.findUnique({ where: { id: hash } })).toBeNull();
    const replay = new ConsoleClient(app.url);
    replay.cookies.set("kanal_staff", token);
    expect((await replay.get("/staff")).location).toMatch(/^\/staff\/login\?next=%2Fstaff&expired=1$/);
  });

  it("signs out after the idle time, and when the login is disabled", async () => {
    const client = new ConsoleClient(app.url);
    await client.signIn("budi", "sandi budi yang panjang");
    expect((await client.get("/staff")).location).toBe("/staff/inbox");
    const hash = createHash("sha256").update(client.cookies.get("kanal_staff")!).digest("hex");
    await app.db.prisma.staffSession.update({ where: { id: hash }, data: { lastSeenAt: new Date(Date.now() - 31 * 60_000) } });
    const idle = await client.get("/staff");
    expect(idle.location).toBe("/staff/login?next=%2Fstaff&expired=1");
    expect((await client.get(idle.location!)).text).toContain("tidak ada aktivitas selama 30 menit");
    expect(await app.db.prisma.staffSession.findUnique({ where: { id: hash } })).toBeNull();

    await client.signIn("dewi", "sandi dewi yang panjang");
    expect((await client.get("/staff")).location).toBe("/staff/inbox");
    await disableWebLogin(app.db, "dewi");
    expect((await client.get("/staff")).location).toMatch(/expired=1$/);
    await client.get("/staff/login");
    expect((await client.post("/staff/login", { username: "dewi", password: "sandi dewi yang panjang" })).status).toBe(401);
  });

  it("refuses repeated fields and never leads off the console after sign-in", async () => {
    const client = new ConsoleClient(app.url);
    await client.get("/staff/login");
    const repeated = await client.post("/staff/login", { username: ["ani", "budi"], password: "sandi ani yang panjang" });
    expect(repeated.status).toBe(400);
    for (const next of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "/staff//evil.example",
      "/staff/%2F%2Fevil",
      "/elsewhere",
    ]) {
      const c = new ConsoleClient(app.url);
      await c.get("/staff/login");
      const answer = await c.post("/staff/login", { username: "ani", password: "sandi ani yang panjang", next });
      expect(answer.location, next).toBe("/staff/inbox");
    }
    const nul = await client.post("/staff/login", { username: "ani\u0000", password: "sandi\u0000ani" });
    expect(nul.status).toBe(401);
  });

  it("speaks English on request, and remembers it", async () => {
    const client = new ConsoleClient(app.url);
    const switched = await client.get("/staff/login?lang=en");
    expect(switched.status).toBe(303);
    expect(switched.location).toBe("/staff/login");
    const page = await client.get("/staff/login");
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain("Username");
    expect(page.text).toContain('hreflang="id"');
  });
});

/** Any page of the signed-in console (the inbox once it exists; the error page of an unknown path until then). */
async function signedInPage(client: ConsoleClient) {
  return client.get("/staff/no-such-page");
}
