/**
 * The staff web console in a real (headless) Chromium, against the whole server with a fresh
 * database (SQLite, or PostgreSQL with KANAL_TEST_DB=postgresql): a complaint filed through the
 * website chat is found in the inbox, answered (the citizen's open chat page shows the reply, and
 * draws the photo and offers the PDF sent with a second one), noted (the citizen never sees the
 * note) and closed (the citizen is asked for a rating); a role
 * that may not see identities sees the reporter masked; a wrong password is throttled; a POST
 * without the CSRF token is refused. Screenshots of each page at 390 and 1280 px go to test-results/.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from "../helpers/chromium.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { webLogin } from "../helpers/console.js";
import { SAMPLES } from "../helpers/sample-files.js";
import { WebchatCitizen } from "../helpers/webchat-citizen.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RESULTS = join(ROOT, "test-results");
const WAIT = 15_000;

const launch = launchChromium;

const desktop = (browser: Browser) =>
  browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "id-ID", reducedMotion: "reduce" });
const phone = (browser: Browser) =>
  browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "id-ID", reducedMotion: "reduce" });

async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/staff/login`);
  await page.getByLabel("Nama pengguna").fill(username);
  await page.getByLabel("Kata sandi").fill(password);
  await Promise.all([page.waitForURL(/\/staff\/inbox/), page.getByRole("button", { name: "Masuk" }).click()]);
}

/** The same page at the phone's width and the desk's, saved as <name>-390.png and <name>-1280.png. */
async function screenshots(pages: { phone: Page; desk: Page }, path: string, name: string): Promise<void> {
  for (const [page, width] of [
    [pages.phone, 390],
    [pages.desk, 1280],
  ] as const) {
    await page.goto(path);
    await page.screenshot({ path: join(RESULTS, `console-${name}-${width}.png`), fullPage: true });
  }
}

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM ? "staff web console in a browser" : `staff web console: SKIPPED, no Chromium at ${CHROMIUM} (or set CHROMIUM_PATH)`,
  () => {
    let app: TestApp;
    let browser: Browser;
    let staff: BrowserContext;
    let citizenContext: BrowserContext;
    let citizenPage: Page;
    let ani: Page;
    let aniPhone: Page;
    let ticket = "";
    const pageErrors: string[] = [];

    /** What the citizen's chat page shows, from the office (replies and the bot). */
    const citizenSees = () => citizenPage.locator("#log").innerText();

    beforeAll(async () => {
      mkdirSync(RESULTS, { recursive: true });
      app = await startApp({ env: { OFFICE_NAME: "Kecamatan Uji Coba", TELEGRAM_OPS_CHAT_ID: "-100500" } });
      await webLogin(app.db, "ani", "kasi", { name: "Ani Kasi", password: "sandi ani yang panjang" });
      await webLogin(app.db, "budi", "staf", { name: "Budi Staf", password: "sandi budi yang panjang" });
      await webLogin(app.db, "dewi", "staf", { name: "Dewi", password: "sandi dewi yang panjang" });
      await webLogin(app.db, "rina", "admin", { name: "Rina Admin", password: "sandi rina yang panjang", telegramId: "777001" });
      // The citizen files through the website chat's API, then has the chat page open (which
      // resumes the same session from its storage) while staff work the complaint.
      const citizen = new WebchatCitizen(app.url);
      await citizen.start();
      ticket = await citizen.fileComplaint("Siti Aminah", "Lampu jalan di depan kantor kelurahan mati sejak seminggu.");
      browser = await launch();
      citizenContext = await phone(browser);
      await citizenContext.addInitScript(
        (session) => window.localStorage.setItem("kanal-aduan.webchat.v1", JSON.stringify({ sessionId: session, locale: "id" })),
        citizen.sessionId,
      );
      citizenPage = await citizenContext.newPage();
      await citizenPage.goto(app.url);
      await citizenPage.locator("#log .msg[data-id]", { hasText: ticket }).first().waitFor({ timeout: WAIT });

      staff = await desktop(browser);
      ani = await staff.newPage();
      ani.on("pageerror", (error) => pageErrors.push(error.message));
      await signIn(ani, app.url, "ani", "sandi ani yang panjang");
      const phoneContext = await phone(browser);
      aniPhone = await phoneContext.newPage();
      await signIn(aniPhone, app.url, "ani", "sandi ani yang panjang");
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    it("finds the complaint filed through the web chat in the inbox", async () => {
      await ani.goto(`${app.url}/staff/inbox`);
      const row = ani.locator(`tr[data-ticket="${ticket}"]`);
      await row.waitFor({ timeout: WAIT });
      expect(await row.innerText()).toContain("Pelayanan");
      expect(await row.innerText()).toContain("Lampu jalan");
      // Search by a word of the text, with the keyboard.
      await ani.getByLabel("Cari teks atau tiket").fill("lampu");
      await Promise.all([ani.waitForURL(/q=lampu/), ani.getByLabel("Cari teks atau tiket").press("Enter")]);
      expect(await ani.locator(`tr[data-ticket="${ticket}"]`).count()).toBe(1);
      await screenshots({ phone: aniPhone, desk: ani }, `${app.url}/staff/inbox`, "inbox");
    });

    it("shows a new complaint in the open inbox without a reload, counted in the tab title", async () => {
      await ani.goto(`${app.url}/staff/inbox`);
      const title = await ani.title();
      const other = new WebchatCitizen(app.url);
      await other.start();
      const second = await other.fileComplaint("Rudi Hartono", "Trotoar di Jalan Melati rusak dan membahayakan pejalan kaki.");
      await ani.locator(`tr[data-ticket="${second}"]`).waitFor({ timeout: WAIT });
      expect(await ani.title()).toBe(`(1) ${title}`);
      expect(await ani.locator(`tr[data-ticket="${ticket}"]`).count()).toBe(1);
    });

    it("draws the SOP board and the reports page on a phone and a desk", async () => {
      await ani.goto(`${app.url}/staff/board`);
      expect(await ani.locator(`.column li.card[data-ticket="${ticket}"]`).count()).toBe(1);
      await screenshots({ phone: aniPhone, desk: ani }, `${app.url}/staff/board`, "board");
      await ani.goto(`${app.url}/staff/reports`);
      expect(await ani.locator("svg.chart").count()).toBe(4);
      await screenshots({ phone: aniPhone, desk: ani }, `${app.url}/staff/reports`, "reports");
    });

    it("replies from the complaint page, and the citizen's chat page shows the reply", async () => {
      await ani.goto(`${app.url}/staff/inbox`);
      await Promise.all([ani.waitForURL(new RegExp(`/staff/complaints/${ticket}$`)), ani.getByRole("link", { name: ticket }).click()]);
      expect(await ani.locator("#identity").innerText()).toBe("S. A.");
      await ani.getByLabel("Balas ke pengadu").fill("Terima kasih, petugas akan memeriksa lampu hari ini.");
      await ani.getByRole("button", { name: "Kirim balasan" }).click();
      await ani.locator("#outcome").waitFor({ timeout: WAIT });
      expect(await ani.locator(".timeline .msg.staff").last().innerText()).toContain("Ani Kasi");
      await expect.poll(citizenSees, { timeout: WAIT }).toContain("Terima kasih, petugas akan memeriksa lampu hari ini.");
    });

    it("replies with a photo and a PDF: the citizen's chat page draws the photo and offers the PDF", async () => {
      await ani.goto(`${app.url}/staff/complaints/${ticket}`);
      await ani.getByLabel("Balas ke pengadu").fill("Berikut foto lokasi dan surat balasan kami.");
      await ani.getByLabel("Lampiran (opsional)").setInputFiles([
        { name: "foto-lokasi.png", mimeType: "image/png", buffer: Buffer.from(SAMPLES.png) },
        { name: "surat-balasan.pdf", mimeType: "application/pdf", buffer: Buffer.from(SAMPLES.pdf) },
      ]);
      await ani.getByRole("button", { name: "Kirim balasan" }).click();
      await ani.locator("#outcome").waitFor({ timeout: WAIT });
      const entry = await ani.locator(".timeline .msg.staff").last().innerText();
      expect(entry).toContain("Unduh foto-lokasi.png");
      expect(entry).toContain("Unduh surat-balasan.pdf");
      const letter = citizenPage.getByRole("link", { name: "Unduh surat-balasan.pdf" });
      await letter.waitFor({ timeout: WAIT });
      expect(await citizenPage.locator(".msg--staff img.msg__thumb").count()).toBe(1);
      const [download] = await Promise.all([citizenPage.waitForEvent("download"), letter.click()]);
      expect(download.suggestedFilename()).toBe("surat-balasan.pdf");
    });

    it("writes an internal note that the citizen never sees", async () => {
      await ani.goto(`${app.url}/staff/complaints/${ticket}`);
      await ani.getByLabel("Catatan internal").fill("Sudah koordinasi dengan dinas PU.");
      await ani.getByRole("button", { name: "Simpan catatan" }).click();
      await ani.locator("#outcome").waitFor({ timeout: WAIT });
      expect(await ani.locator(".timeline .note").last().innerText()).toContain("Sudah koordinasi dengan dinas PU.");
      // Two polls of the chat page later, still nothing of it.
      await citizenPage.waitForTimeout(7_000);
      expect(await citizenSees()).not.toContain("dinas PU");
      await screenshots({ phone: aniPhone, desk: ani }, `${app.url}/staff/complaints/${ticket}`, "complaint");
      // The first screen only, for the README (docs/staff-console.png is a copy of it), on a phone.
      await aniPhone.screenshot({ path: join(RESULTS, "console-complaint-first-screen-390.png") });
    });

    it("shows the identity to a role that may see it", async () => {
      await ani.goto(`${app.url}/staff/complaints/${ticket}`);
      await ani.getByRole("button", { name: "Tampilkan identitas" }).click();
      await expect.poll(() => ani.locator("#identity").innerText(), { timeout: WAIT }).toContain("Siti Aminah");
    });

    it("keeps the identity masked for a role that may not see it", async () => {
      const context = await desktop(browser);
      const budi = await context.newPage();
      await signIn(budi, app.url, "budi", "sandi budi yang panjang");
      await budi.goto(`${app.url}/staff/complaints/${ticket}`);
      expect(await budi.locator("#identity").innerText()).toBe("S. A.");
      expect(await budi.getByRole("button", { name: "Tampilkan identitas" }).count()).toBe(0);
      expect(await budi.content()).not.toContain("Siti Aminah");
      await context.close();
    });

    it("refuses a POST without the CSRF token", async () => {
      // The signed-in browser's own cookies, a form without its token: what a forged form would send.
      const answer = await ani.request.post(`${app.url}/staff/complaints/${ticket}/act`, {
        form: { action: "reply", once: "00000000-0000-4000-8000-000000000000", text: "palsu" },
        maxRedirects: 0,
      });
      expect(answer.status()).toBe(403);
      expect(await answer.text()).toContain("Formulir ini sudah kedaluwarsa");
      await citizenPage.waitForTimeout(3_500);
      expect(await citizenSees()).not.toContain("palsu");
    });

    it("closes the complaint, and the citizen is asked for a rating", async () => {
      await ani.goto(`${app.url}/staff/complaints/${ticket}`);
      await ani.getByRole("button", { name: "Tutup aduan dan minta penilaian" }).click();
      await ani.locator("#outcome").waitFor({ timeout: WAIT });
      await expect.poll(citizenSees, { timeout: WAIT }).toMatch(/Mohon beri penilaian/);
      await ani.goto(`${app.url}/staff/inbox`);
      expect(await ani.locator(`tr[data-ticket="${ticket}"]`).count()).toBe(0);
    });

    it("gives an admin the staff and audit pages, and English on request", async () => {
      const deskContext = await desktop(browser);
      const phoneContext = await phone(browser);
      const desk = await deskContext.newPage();
      const small = await phoneContext.newPage();
      await signIn(desk, app.url, "rina", "sandi rina yang panjang");
      await signIn(small, app.url, "rina", "sandi rina yang panjang");
      await desk.getByRole("link", { name: "Staf", exact: true }).click();
      await desk.waitForURL(/\/staff\/people$/);
      expect(await desk.locator("tbody tr").count()).toBe(4);
      await screenshots({ phone: small, desk }, `${app.url}/staff/people`, "staff");
      await desk.getByRole("link", { name: "Audit", exact: true }).click();
      await desk.waitForURL(/\/staff\/audit$/);
      expect(await desk.locator('tr[data-type="staff.identity"]').count()).toBe(1);
      await screenshots({ phone: small, desk }, `${app.url}/staff/audit`, "audit");
      // The language switch: remembered, and the same page in English.
      await desk.goto(`${app.url}/staff/inbox`);
      await desk.getByRole("link", { name: "English" }).click();
      await desk.waitForURL(/\/staff\/inbox$/);
      expect(await desk.locator("html").getAttribute("lang")).toBe("en");
      expect(await desk.locator("h1").innerText()).toBe("Inbox");
      await desk.screenshot({ path: join(RESULTS, "console-inbox-en-1280.png"), fullPage: true });
      await deskContext.close();
      await phoneContext.close();
    });

    it("shows the sign-in page on a phone and a desk", async () => {
      const deskContext = await desktop(browser);
      const phoneContext = await phone(browser);
      await screenshots({ phone: await phoneContext.newPage(), desk: await deskContext.newPage() }, `${app.url}/staff/login`, "login");
      await deskContext.close();
      await phoneContext.close();
    });

    it("throttles a wrong password", async () => {
      const context = await desktop(browser);
      const page = await context.newPage();
      for (let i = 0; i < 5; i++) {
        await page.goto(`${app.url}/staff/login`);
        await page.getByLabel("Nama pengguna").fill("dewi");
        await page.getByLabel("Kata sandi").fill("tebakan yang salah");
        await page.getByRole("button", { name: "Masuk" }).click();
        await page.getByRole("alert").waitFor({ timeout: WAIT });
        expect(await page.getByRole("alert").innerText()).toContain("Nama pengguna atau kata sandi salah.");
      }
      await page.goto(`${app.url}/staff/login`);
      await page.getByLabel("Nama pengguna").fill("dewi");
      await page.getByLabel("Kata sandi").fill("sandi dewi yang panjang");
      await page.getByRole("button", { name: "Masuk" }).click();
      await page.getByRole("alert").waitFor({ timeout: WAIT });
      expect(await page.getByRole("alert").innerText()).toContain("Terlalu banyak percobaan masuk yang gagal");
      expect(page.url()).toContain("/staff/login");
      await page.screenshot({ path: join(RESULTS, "console-login-throttled-1280.png") });
      await context.close();
    });

    it("ran without a script error on any page", () => {
      expect(pageErrors).toEqual([]);
    });
  },
);
