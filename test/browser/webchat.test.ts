/**
 * The website chat in a real (headless) Chromium on a phone-sized screen, against the full server
 * with a fresh SQLite database: a whole complaint in Indonesian, a file refused for its size, a
 * reload that resumes the conversation, and the English UI. Screenshots go to test-results/.
 *
 * Option buttons are found by their role in the flow (position or keyword), not by their exact
 * wording, so rewording templates/<locale>/messages.json does not break this test.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp } from "../helpers/app.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RESULTS = join(ROOT, "test-results");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM);
const TICKET = /[A-Z]+-\d{4}-\d{5,}/;
const WAIT = 10_000;

type Texts = Record<string, string>;
const texts = (locale: "id" | "en"): Texts => JSON.parse(readFileSync(join(ROOT, "templates", locale, "webchat.json"), "utf8")) as Texts;

/** A valid 8×8 PNG, built here so the test needs no fixture file. */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const size = 8;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.concat(Array.from({ length: size }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, 0x3c)])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// The page marks the form aria-busy while a message or file is in flight.
async function idle(page: Page): Promise<void> {
  await page.locator('#composer[aria-busy="false"]').waitFor({ state: "attached", timeout: WAIT });
}

/** Drawn history messages (pending bubbles have no id yet). */
const messages = (page: Page, from?: "citizen" | "bot" | "staff") =>
  page.locator(from ? `#log .msg[data-id][data-from="${from}"]` : "#log .msg[data-id]");

const options = (page: Page) => page.locator("#log .options .option");

/** Does something that makes the bot answer, and waits for that answer to be drawn. */
async function answered(page: Page, action: () => Promise<void>): Promise<void> {
  const before = await messages(page, "bot").count();
  await action();
  await idle(page);
  try {
    await expect.poll(() => messages(page, "bot").count(), { timeout: WAIT }).toBeGreaterThan(before);
  } catch (error) {
    // Say what the page showed instead (an error notice names the HTTP failure's symptom).
    const notices = await page.locator("#log .notice").allInnerTexts();
    const lastBot = await messages(page, "bot")
      .last()
      .innerText()
      .catch(() => "(none)");
    throw new Error(`the bot did not answer; page notices: ${JSON.stringify(notices)}; last bot message: ${JSON.stringify(lastBot)}`, {
      cause: error,
    });
  }
}

async function choose(page: Page, option: ReturnType<typeof options>): Promise<void> {
  await option.waitFor({ state: "visible", timeout: WAIT });
  await answered(page, () => option.click());
}

async function type(page: Page, text: string): Promise<void> {
  await answered(page, async () => {
    await page.locator("#composer-input").fill(text);
    await page.locator("#composer-input").press("Enter");
  });
}

const logText = (page: Page) => page.locator("#log").innerText();

/**
 * The whole conversation on one image. The header and the composer stick to the screen's edges,
 * which a full-page capture would draw mid-page: they are put back in the flow for the capture.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  const unstick = (on: boolean) =>
    page.evaluate((on) => {
      document.querySelectorAll<HTMLElement>(".topbar, .composer").forEach((el) => (el.style.position = on ? "static" : ""));
      window.scrollTo(0, 0);
    }, on);
  await unstick(true);
  await page.screenshot({ path: join(RESULTS, name), fullPage: true });
  await unstick(false);
}

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM
    ? "website chat in a phone browser"
    : `website chat: SKIPPED, no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  () => {
    let app: Awaited<ReturnType<typeof startApp>>;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let dir: string;
    let ticket = "";
    const pageErrors: string[] = [];
    const foreignRequests: string[] = [];
    const uploads: number[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "kanal-aduan-webchat-"));
      mkdirSync(RESULTS, { recursive: true });
      app = await startApp();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        locale: "id-ID",
        reducedMotion: "reduce",
      });
      page = await context.newPage();
      const origin = new URL(app.url).origin;
      page.on("pageerror", (error) => pageErrors.push(error.message));
      page.on("request", (request) => {
        const url = request.url();
        if (!url.startsWith(origin) && !url.startsWith("data:")) foreignRequests.push(url);
        if (request.method() === "POST" && url.includes("/attachments")) uploads.push(Date.now());
      });
    });

    afterAll(async () => {
      await browser?.close();
      await app?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("files a whole complaint in Indonesian and shows its ticket", async () => {
      const id = texts("id");
      await page.goto(app.url);
      expect(await page.locator("html").getAttribute("lang")).toBe("id");

      // Greeting and menu, as buttons, without typing anything.
      await options(page).nth(2).waitFor({ state: "visible", timeout: WAIT });
      expect(await messages(page, "bot").count()).toBeGreaterThan(0);
      expect(await options(page).count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator("#log .msg--bot strong").count()).toBeGreaterThan(0); // *bold* rendered
      expect(await page.locator("#log").getAttribute("aria-live")).toBe("polite");
      expect(await page.locator("#composer-input").getAttribute("maxlength")).toBe("4000");
      expect(await page.locator("#send").getAttribute("aria-label")).toBe(id["send.aria"]);
      for (const box of await Promise.all((await options(page).all()).map((b) => b.boundingBox()))) {
        expect(box?.height ?? 0).toBeGreaterThanOrEqual(44); // touch target
      }

      // Menu 1: a new complaint. Then the name: "Anonim".
      await choose(page, options(page).first());
      await choose(
        page,
        options(page)
          .filter({ hasText: /anonim/i })
          .first(),
      );

      // Contact / address are asked only where the channel cannot reach the citizen; answer if asked.
      for (
        let i = 0;
        i < 3 &&
        !(await options(page)
          .filter({ hasText: /pelayanan/i })
          .count());
        i++
      ) {
        const skip = options(page).filter({ hasText: /lewati/i });
        if (await skip.count()) await choose(page, skip.first());
        else await type(page, "warga.uji@example.com");
      }

      // Category 2 (Pelayanan) by its button.
      await options(page).nth(1).waitFor({ state: "visible", timeout: WAIT });
      expect(await options(page).nth(1).innerText()).toMatch(/pelayanan/i);
      await choose(page, options(page).nth(1));

      // The complaint text, typed and sent with a tap on Kirim: the text box keeps the focus, so a
      // phone's keyboard stays open for the next message.
      const complaint = "Antrean loket KTP sangat panjang, nomor antrean habis pukul 08.00 padahal loket buka sampai 15.00.";
      await page.locator("#composer-input").tap();
      await page.locator("#composer-input").fill(complaint);
      await answered(page, () => page.locator("#send").tap());
      await messages(page, "citizen").filter({ hasText: "Antrean loket KTP" }).waitFor({ timeout: WAIT });
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("composer-input");
      expect(await page.locator("#composer-input").inputValue()).toBe("");

      // Evidence: a small PNG through the attach input, then the "done/skip" button.
      const photo = join(dir, "antrean.png");
      writeFileSync(photo, png());
      await answered(page, () => page.locator("#file").setInputFiles(photo));
      expect(uploads.length).toBe(1);
      await choose(page, options(page).first());

      // The summary, confirmed with "ya": the reply holds the ticket.
      await choose(
        page,
        options(page)
          .filter({ hasText: /\bya\b/i })
          .first(),
      );
      await expect.poll(() => logText(page), { timeout: WAIT }).toMatch(TICKET);
      ticket = TICKET.exec(await logText(page))![0];
      expect(await messages(page, "bot").filter({ hasText: ticket }).count()).toBeGreaterThan(0);
    });

    it("refuses a file over 10 MB before uploading, politely, and the conversation goes on", async () => {
      expect(ticket, "needs the complaint filed by the first test").toMatch(TICKET);
      const id = texts("id");
      const big = join(dir, "rekaman-besar.pdf");
      writeFileSync(big, Buffer.alloc(11 * 1024 * 1024, 0x20));
      const uploadsBefore = uploads.length;

      await page.locator("#file").setInputFiles(big);
      const notice = page.locator("#log .notice").last();
      await notice.waitFor({ state: "visible", timeout: WAIT });
      expect(await notice.innerText()).toContain(id["error.tooLarge"]!.split("{name}")[0]!.trim());
      expect(await notice.innerText()).toContain("rekaman-besar.pdf");
      expect(uploads.length).toBe(uploadsBefore); // never sent

      // A type the office does not take (plain text): refused by the server (415), said politely.
      const note = join(dir, "catatan.txt");
      writeFileSync(note, "bukan dokumen yang diterima");
      // Either the bot's own answer (kept in the history) or the page's notice: whichever came, it apologises.
      const said = page.locator("#log .msg[data-from='bot'], #log .notice");
      const saidBefore = await said.count();
      await page.locator("#file").setInputFiles(note);
      await idle(page);
      await expect.poll(() => said.count(), { timeout: WAIT }).toBeGreaterThan(saidBefore);
      expect((await said.allInnerTexts()).slice(saidBefore).join("\n")).toMatch(/maaf/i);

      // Still usable: a follow-up message is answered, under the same ticket.
      const withTicket = await messages(page, "bot").filter({ hasText: ticket }).count();
      await type(page, "Mohon segera ditindaklanjuti <b>hari ini</b>, terima kasih.");
      expect(await messages(page, "bot").filter({ hasText: ticket }).count()).toBeGreaterThan(withTicket);
      // What people type is shown as typed, never as markup.
      expect(await messages(page, "citizen").last().innerText()).toContain("<b>hari ini</b>");
      expect(await page.locator("#log b").count()).toBe(0);
    });

    it("keeps a message the network lost, and sends it once on retry", async () => {
      const id = texts("id");
      await page.route("**/api/webchat/sessions/*/messages", (route) =>
        route.request().method() === "POST" ? route.abort("internetdisconnected") : route.continue(),
      );
      await page.locator("#composer-input").fill("Apakah ada kabar terbaru?");
      await page.locator("#composer-input").press("Enter");
      await page.locator("#log .msg--failed").waitFor({ timeout: WAIT });
      const notice = page.locator("#log .notice").last();
      expect(await notice.innerText()).toContain(id["error.network"]);
      await page.unroute("**/api/webchat/sessions/*/messages");

      await answered(page, () => notice.getByRole("button", { name: id["retry"] }).click());
      expect(await page.locator("#log .msg--failed").count()).toBe(0);
      expect(await messages(page, "citizen").filter({ hasText: "Apakah ada kabar terbaru?" }).count()).toBe(1);
    });

    it("resumes the same conversation after a reload, each message once", async () => {
      expect(ticket, "needs the complaint filed by the first test").toMatch(TICKET);
      const ids = await messages(page).evaluateAll((els) => els.map((el) => el.getAttribute("data-id")));
      await page.reload();
      await page.locator("body[data-ready]").waitFor({ state: "attached", timeout: WAIT });
      await expect.poll(() => messages(page).count(), { timeout: WAIT }).toBeGreaterThanOrEqual(ids.length);
      const after = await messages(page).evaluateAll((els) => els.map((el) => el.getAttribute("data-id")));
      // Same messages in the same order (a staff reply may have arrived meanwhile, at the end).
      expect(after.slice(0, ids.length)).toEqual(ids);
      expect(new Set(after).size).toBe(after.length);
      expect(await logText(page)).toContain(ticket);
      expect(await logText(page)).toContain("Antrean loket KTP");

      await screenshot(page, "webchat.png");
    });

    it("follows the conversation's language, switched by the button or by a typed keyword", async () => {
      const en = texts("en");
      await answered(page, () => page.locator("#lang-toggle").click());
      expect(await page.locator("html").getAttribute("lang")).toBe("en");
      expect(await page.locator("#send").getAttribute("aria-label")).toBe(en["send.aria"]);
      expect(await page.locator("#composer-input").getAttribute("placeholder")).toBe(en["composer.placeholder"]);
      expect(await messages(page, "citizen").last().innerText()).toMatch(/english/i);

      // Typed keywords switch the page too, either way: it follows the conversation's locale.
      const id = texts("id");
      await type(page, "indonesia");
      await expect.poll(() => page.locator("html").getAttribute("lang"), { timeout: WAIT }).toBe("id");
      expect(await page.locator("#composer-input").getAttribute("placeholder")).toBe(id["composer.placeholder"]);
      expect(await page.locator("#send").getAttribute("aria-label")).toBe(id["send.aria"]);
      expect(await page.locator("#lang-toggle-text").innerText()).toBe(id["lang.toggle"]);
      await type(page, "english");
      await expect.poll(() => page.locator("html").getAttribute("lang"), { timeout: WAIT }).toBe("en");
      expect(await page.locator(".brand__service").innerText()).toBe(en["header.subtitle"]);
      expect(await page.locator("#lang-toggle-text").innerText()).toBe(en["lang.toggle"]);

      await screenshot(page, "webchat-en.png");
      expect(pageErrors).toEqual([]);
      expect(foreignRequests).toEqual([]);
    });
  },
);
