/**
 * Discord and WhatsApp Web wired by npm start's code: a Discord DM through the whole app, and the
 * WhatsApp Web operator page and session lock (with a browser that cannot start, so no chromium runs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";
import { TICKET } from "../helpers/pipeline.js";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord.js";

const ADMIN_TOKEN = "operator-token-0123456789";
let fake: FakeDiscord;
let app: TestApp;

beforeAll(async () => {
  fake = await startFakeDiscord();
  app = await startApp({
    env: {
      DISCORD_BOT_TOKEN: fake.token,
      DISCORD_API_BASE: fake.apiBase,
      WHATSAPP_WEB_ENABLED: "true",
      WHATSAPP_WEB_ADMIN_TOKEN: ADMIN_TOKEN,
      CHROMIUM_PATH: "/nonexistent/chromium",
    },
  });
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

describe("Discord through the running app", () => {
  it("answers a citizen's DM and files the complaint", async () => {
    const citizen = "880011223344556677";
    const dm = fake.dmChannelFor(citizen);
    const say = (content: string) =>
      fake.dispatchMessageCreate({
        channel_id: dm,
        channel_type: 1,
        author: { id: citizen, username: "putu", global_name: "Putu" },
        content,
      });
    const texts = () => fake.posted(dm).map((p) => p.message.content);
    say("halo");
    await waitFor(() => texts().some((t) => /1\. Buat aduan baru/.test(t)));
    // One step, one message: the greeting and the menu are one post.
    expect(texts()[0]).toMatch(/^Selamat datang[^]*\n\nSilakan pilih layanan[^]*1\. Buat aduan baru/);
    for (const text of ["1", "anonim", "3", "Toilet umum di kantor kecamatan rusak dan tidak ada air sejak minggu lalu", "lewati", "ya"]) {
      const before = texts().length;
      say(text);
      await waitFor(() => texts().length > before);
    }
    await waitFor(() => texts().some((t) => TICKET.test(t)), 20_000);
    const complaint = await app.db.prisma.complaint.findFirstOrThrow({ where: { channel: "discord" } });
    expect(complaint.category).toBe("Sarana Prasarana");
    const health = (await (await fetch(`${app.url}/health`)).json()) as { channels: Record<string, string> };
    expect(health.channels.discord).toBe("running");
  }, 60_000);
});

describe("WhatsApp Web operator page", () => {
  it("is refused without signing in and shows the link's state after signing in with the token", async () => {
    expect((await fetch(`${app.url}/admin/whatsapp`)).status).toBe(401);
    // The token in the URL opens nothing: it is typed into the sign-in form only.
    expect((await fetch(`${app.url}/admin/whatsapp?token=${ADMIN_TOKEN}`)).status).toBe(401);
    const signIn = await fetch(`${app.url}/admin/whatsapp/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
      redirect: "manual",
    });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const page = await fetch(`${app.url}/admin/whatsapp`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("cache-control")).toContain("no-store");
    expect(await page.text()).toMatch(/WhatsApp/);
    const health = (await (await fetch(`${app.url}/health`)).json()) as { channels: Record<string, string> };
    expect(health.channels["whatsapp-web"]).toBeDefined();
    expect(health.channels["whatsapp-web"]).not.toBe("connected");
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}
