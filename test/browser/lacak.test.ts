/**
 * The public tracking page /lacak in a real headless Chromium on a 360 px phone, against the whole
 * server: reached from the chat page's menu, the ticket filled in from the link, the code typed,
 * the status, step, history and staff answer shown without the complainant's identity; English
 * after the toggle; a wrong code answered politely; nothing blocked by the page's strict CSP and
 * nothing loaded from elsewhere. Writes test-results/lacak-360.png.
 */
import { mkdirSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAS_CHROMIUM, launchChromium } from "../helpers/chromium.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { WebchatCitizen } from "../helpers/webchat-citizen.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RESULTS = join(ROOT, "test-results");
const WAIT = 15_000;

const NAME = "Ni Luh Ayu Lestari";
const PHONE = "0857 3333 4444";

describe.skipIf(!HAS_CHROMIUM)("the tracking page /lacak on a phone", () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let ticket = "";
  let code = "";
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    app = await startApp();
    const citizen = new WebchatCitizen(app.url);
    await citizen.start();
    ({ ticket, code } = await citizen.file(NAME, "Lampu jalan di depan balai banjar mati sejak dua minggu lalu", {
      details: [PHONE, "Jl. Melati 7, Denpasar"],
      category: "3",
    }));
    const complaint = await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    await app.db.prisma.complaintEvent.create({
      data: {
        id: randomUUID(),
        complaintId: complaint.id,
        type: "staff.reply",
        actor: "staff",
        data: JSON.stringify({ by: "Petugas", text: `Ibu ${NAME}, lampu akan diganti minggu ini. Info: ${PHONE}.` }),
        createdAt: new Date(complaint.createdAt.getTime() + 60_000),
      },
    });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: "id-ID",
      reducedMotion: "reduce",
    });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
    page.on("request", (request) => {
      if (!request.url().startsWith(app.url) && !request.url().startsWith("data:")) foreignRequests.push(request.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("is linked from the chat page's menu", async () => {
    await page.goto(app.url);
    // A tap before the page's script is ready opens nothing (the menu is the script's).
    await page.locator("body[data-ready]").waitFor({ state: "attached", timeout: WAIT });
    await page.locator("#menu-button").tap();
    const link = page.locator("#track-link");
    await link.waitFor({ state: "visible", timeout: WAIT });
    expect(await link.getAttribute("href")).toBe("/lacak");
  });

  it("shows the status, the step, the history and the staff answer for the ticket and its code, without identity", async () => {
    await page.goto(`${app.url}/lacak?ticket=${ticket}`);
    await expect.poll(() => page.locator("#ticket").inputValue(), { timeout: WAIT }).toBe(ticket);
    expect(await page.locator("h1").innerText()).toBe("Lacak Aduan");
    await page.locator("#code").fill(code.toLowerCase());
    await page.locator("#submit").tap();
    await page.locator("#result").waitFor({ state: "visible", timeout: WAIT });

    const result = await page.locator("#result").innerText();
    expect(result).toContain(ticket);
    expect(await page.locator("#status").innerText()).toBe("Sedang diproses");
    expect(await page.locator("#category").innerText()).toBe("Sarana Prasarana");
    expect(await page.locator("#step").innerText()).not.toBe("");
    expect(await page.locator("#due").innerText()).toMatch(/20\d\d/);
    expect(await page.locator("#events li").allInnerTexts()).toEqual([
      expect.stringContaining("Diterima"),
      expect.stringContaining("Petugas mengirim jawaban"),
    ]);
    expect(await page.locator("#replies li").innerText()).toContain("lampu akan diganti minggu ini");
    for (const secret of ["Ayu", "Lestari", "3333", "Melati"]) expect(await page.locator("body").innerText(), secret).not.toContain(secret);

    // Phone first: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(RESULTS, "lacak-360.png"), fullPage: true });
  });

  it("switches to English, history labels included", async () => {
    await page.locator("#lang-toggle").tap();
    await expect.poll(() => page.locator("html").getAttribute("lang"), { timeout: WAIT }).toBe("en");
    await expect.poll(() => page.locator("#events li").first().innerText(), { timeout: WAIT }).toContain("Received");
    expect(await page.locator("#status").innerText()).toBe("In progress");
    expect(await page.locator("label[for=code]").innerText()).toBe("Tracking code");
  });

  it("answers a wrong code politely and hides the earlier result", async () => {
    const wrong = code.startsWith("A") ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    await page.locator("#code").fill(wrong);
    await page.locator("#submit").tap();
    await page.locator("#error").waitFor({ state: "visible", timeout: WAIT });
    expect(await page.locator("#error").innerText()).toMatch(/No ticket with that tracking code/);
    expect(await page.locator("#result").isVisible()).toBe(false);
    // The 404 of the wrong code is the only console error the browser logs; the CSP blocked nothing.
    expect(pageErrors.filter((e) => !/404/.test(e))).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
