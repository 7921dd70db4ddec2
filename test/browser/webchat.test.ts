/**
 * The website chat in a real (headless) Chromium on a phone-sized screen, against the full server
 * with a fresh SQLite database: a whole complaint in Indonesian, a file refused for its size, a
 * reload that resumes the conversation, and the English UI. Screenshots go to test-results/.
 *
 * Option buttons are found by their role in the flow (position or keyword), not by their exact
 * wording, so rewording templates/<locale>/messages.json does not break this test.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from "../helpers/chromium.js";
import { startApp } from "../helpers/app.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RESULTS = join(ROOT, "test-results");
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

const launch = launchChromium;

/** A phone: touch, a small screen, Indonesian, and no animations (so positions settle at once). */
const phone = (browser: Browser, width: number, height: number) =>
  browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "id-ID",
    reducedMotion: "reduce",
  });

type Box = { top: number; bottom: number; left: number; right: number; height: number };

/** Where an element is on the screen now (viewport coordinates). */
async function box(page: Page, selector: string): Promise<Box> {
  const rect = await page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
    });
  return rect;
}

/** The band between the sticky header and the sticky composer: what the person actually sees. */
async function visibleBand(page: Page): Promise<{ top: number; bottom: number }> {
  return { top: (await box(page, ".topbar")).bottom, bottom: (await box(page, ".composer")).top };
}

/** Whole on screen, between the header and the composer (half a pixel of rounding allowed). */
async function expectInView(page: Page, selector: string): Promise<void> {
  const band = await visibleBand(page);
  const b = await box(page, selector);
  expect(b.top, `${selector} top`).toBeGreaterThanOrEqual(band.top - 0.5);
  expect(b.bottom, `${selector} bottom`).toBeLessThanOrEqual(band.bottom + 0.5);
}

/** The intro card is whole on screen or scrolled away whole, never half under the header. */
async function expectIntroNotCut(page: Page): Promise<void> {
  const header = (await box(page, ".topbar")).bottom;
  const intro = await box(page, "#intro");
  const whole = intro.top >= header - 0.5;
  const gone = intro.bottom <= header + 0.5;
  expect(whole || gone, `intro ${intro.top}..${intro.bottom}, header ends at ${header}`).toBe(true);
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
      browser = await launch();
      context = await phone(browser, 390, 844);
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
      // No maxlength: a browser cuts a longer paste silently at it (the page counts instead).
      expect(await page.locator("#composer-input").getAttribute("maxlength")).toBeNull();
      expect(await page.locator("#send").getAttribute("aria-label")).toBe(id["send.aria"]);
      for (const option of await Promise.all((await options(page).all()).map((b) => b.boundingBox()))) {
        expect(option?.height ?? 0).toBeGreaterThanOrEqual(44); // touch target
      }
      // First view on a 390×844 phone: the intro card is not half under the sticky header, and the
      // menu's buttons are on screen.
      await expectIntroNotCut(page);
      await expectInView(page, "#log .options .option:last-child");

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
      // The photo shows as a thumbnail on the citizen's message, loaded from this session's own URL.
      const thumb = page.locator('#log .msg[data-from="citizen"] img.msg__thumb').last();
      await thumb.waitFor({ state: "visible", timeout: WAIT });
      await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: WAIT }).toBe(8);
      expect(await thumb.getAttribute("alt")).toBe("antrean.png");
      expect(await thumb.getAttribute("src")).toMatch(/^\/api\/webchat\/sessions\/[A-Za-z0-9_-]+\/files\/[A-Za-z0-9-]+$/);
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
      // The thumbnail comes back with the history.
      const thumb = page.locator("#log img.msg__thumb").first();
      // Thumbnails load lazily: the reloaded page shows the end of the conversation, the photo is above it.
      await thumb.scrollIntoViewIfNeeded();
      await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: WAIT }).toBe(8);

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

describe.skipIf(!HAS_CHROMIUM)("website chat on a small phone, for an office with a long name", () => {
  const OFFICE = "Kecamatan Kedungwaringin Kabupaten Bekasi";
  /** This office takes files up to 2.5 MB: the page must say so, not the contract's default 10 MB. */
  const MAX_BYTES = 2.5 * 1024 * 1024;
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  const uploads: string[] = [];
  const sent: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-aduan-webchat-small-"));
    app = await startApp({ env: { OFFICE_NAME: OFFICE, ATTACHMENT_MAX_BYTES: String(MAX_BYTES) } });
    browser = await launch();
    context = await phone(browser, 360, 640);
    page = await context.newPage();
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().includes("/attachments")) uploads.push(request.url());
      if (request.method() === "POST" && request.url().endsWith("/messages")) sent.push(request.postData() ?? "");
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the header small, wraps the name between words, and shows the menu's buttons", async () => {
    await page.goto(app.url);
    await page.locator("body[data-ready]").waitFor({ state: "attached", timeout: WAIT });
    await options(page).nth(2).waitFor({ state: "visible", timeout: WAIT });
    expect(await page.locator(".brand__office").innerText()).toBe(OFFICE);

    // 171 px before: a third of a 640 px screen.
    expect((await box(page, ".topbar")).height).toBeLessThanOrEqual(96);

    // No word is broken across lines: each word of the name is one box on the screen.
    const split = await page.locator(".brand__office").evaluate((h1) => {
      const text = h1.firstChild;
      if (!text || text.nodeType !== Node.TEXT_NODE) return ["(no text node)"];
      const broken: string[] = [];
      for (const match of (text.textContent ?? "").matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        if (range.getClientRects().length !== 1) broken.push(match[0]);
      }
      return broken;
    });
    expect(split).toEqual([]);

    // The header's own buttons fit beside the name, full size.
    for (const selector of ["#lang-toggle", "#menu-button"]) {
      const b = await box(page, selector);
      expect(b.height, selector).toBeGreaterThanOrEqual(44);
      expect(b.right, selector).toBeLessThanOrEqual(360);
    }

    // The menu's buttons are on screen without scrolling, and the intro is not cut in half.
    for (let i = 0; i < 3; i++) await expectInView(page, `#log .options .option:nth-child(${i + 1})`);
    await expectIntroNotCut(page);
    await screenshot(page, "webchat-360.png");
  });

  it("opens the conversation menu with the keyboard and closes it with Escape", async () => {
    const button = page.locator("#menu-button");
    expect(await button.getAttribute("aria-expanded")).toBe("false");
    await button.focus();
    await page.keyboard.press("Enter");
    expect(await button.getAttribute("aria-expanded")).toBe("true");
    expect(await page.locator("#session-menu").isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("new-conversation");
    await page.keyboard.press("Escape");
    expect(await page.locator("#session-menu").isVisible()).toBe(false);
    expect(await button.getAttribute("aria-expanded")).toBe("false");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("menu-button");
    // A tap elsewhere closes it too (the intro's left edge: the open menu covers its middle).
    await button.tap();
    expect(await page.locator("#session-menu").isVisible()).toBe(true);
    await page.locator("#intro").tap({ position: { x: 8, y: 8 } });
    expect(await page.locator("#session-menu").isVisible()).toBe(false);
  });

  it("names the office's own file limit, in the page's language, and refuses a bigger file before sending it", async () => {
    expect(await page.locator("#attach").getAttribute("aria-label")).toContain("2,5 MB");
    const big = join(dir, "foto-jalan-rusak.jpg");
    writeFileSync(big, Buffer.alloc(3 * 1024 * 1024, 0x20));
    await page.locator("#file").setInputFiles(big);
    const notice = page.locator("#log .notice").last();
    await notice.waitFor({ state: "visible", timeout: WAIT });
    expect(await notice.innerText()).toContain("2,5 MB");
    expect(await notice.innerText()).toContain("foto-jalan-rusak.jpg");
    expect(uploads).toEqual([]);

    await type(page, "english");
    await expect.poll(() => page.locator("#attach").getAttribute("aria-label"), { timeout: WAIT }).toContain("2.5 MB");
    await type(page, "indonesia");
  });

  it("counts towards the 4000-character limit and never cuts a longer text: it says so and keeps it", async () => {
    const id = texts("id");
    const input = page.locator("#composer-input");
    const counter = page.locator("#composer-count");
    await input.fill("a".repeat(100));
    expect(await counter.isVisible()).toBe(false); // far from the limit: no noise

    await input.fill("b".repeat(3700));
    expect(await counter.isVisible()).toBe(true);
    expect(await counter.innerText()).toBe(id["composer.count"]!.replace("{count}", "3.700").replace("{max}", "4.000"));
    expect(await input.getAttribute("aria-describedby")).toContain("composer-count");
    // Crossing into the last tenth is said once to a screen reader.
    expect(await page.locator("#composer-status").innerText()).toContain("300");

    const long = "Jalan di depan kantor desa rusak parah. ".repeat(105); // 4200 characters
    await input.fill(long);
    expect(await counter.innerText()).toContain("4.199"); // trimmed, as the server counts it
    expect(await counter.getAttribute("class")).toContain("composer__count--over");
    expect(await input.getAttribute("aria-invalid")).toBe("true");

    const before = sent.length;
    await input.press("Enter");
    const notice = page.locator("#log .notice").last();
    await notice.waitFor({ state: "visible", timeout: WAIT });
    expect(await notice.innerText()).toContain("4.199");
    expect(await notice.innerText()).toContain("4.000");
    await page.locator("#send").tap();
    expect(sent.length).toBe(before); // nothing was sent…
    expect(await input.inputValue()).toBe(long); // …and nothing was cut
    expect(await page.locator("#log .notice").filter({ hasText: "4.199" }).count()).toBe(1); // said once

    // Shortened to the limit, it goes as it is.
    const fits = long.slice(0, 4000).trim();
    await input.fill(fits);
    expect(await input.getAttribute("aria-invalid")).toBeNull();
    expect(await page.locator("#log .notice").filter({ hasText: "4.199" }).count()).toBe(0);
    await answered(page, () => input.press("Enter"));
    expect(sent.length).toBe(before + 1);
    expect((JSON.parse(sent.at(-1)!) as { text: string }).text).toBe(fits);
    expect(await counter.isVisible()).toBe(false);
  });
});

describe.skipIf(!HAS_CHROMIUM)("website chat on a shared computer", () => {
  const STORE_KEY = "kanal-aduan.webchat.v1";
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const historyReads: string[] = [];

  beforeAll(async () => {
    app = await startApp();
    browser = await launch();
    context = await phone(browser, 390, 844);
    page = await context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    page.on("request", (request) => {
      if (request.method() === "GET" && /\/api\/webchat\/sessions\/[^/]+\/messages/.test(request.url())) historyReads.push(request.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const stored = () => page.evaluate((key) => window.localStorage.getItem(key), STORE_KEY);
  const sessionOf = async () => (JSON.parse((await stored()) ?? "{}") as { sessionId?: string }).sessionId;

  async function ready(): Promise<void> {
    await page.locator("body[data-ready]").waitFor({ state: "attached", timeout: WAIT });
    await options(page).nth(2).waitFor({ state: "visible", timeout: WAIT });
  }

  it("Akhiri sesi forgets the session on this device and clears the page", async () => {
    const id = texts("id");
    await page.goto(app.url);
    await ready();
    await choose(page, options(page).first());
    await type(page, "Siti Rahayu");
    const first = await sessionOf();
    expect(first).toBeTruthy();

    await page.locator("#menu-button").tap();
    const end = page.locator("#end-session");
    expect(await end.innerText()).toBe(id["endSession"]);
    await end.tap();
    await page.locator("#session-ended").waitFor({ state: "visible", timeout: WAIT });
    expect(await page.locator("#session-ended").innerText()).toContain(id["ended"]);
    expect(await logText(page)).not.toContain("Siti Rahayu");
    expect(await messages(page).count()).toBe(0);
    expect(await stored()).toBeNull();
    expect(await page.locator("#composer-input").isDisabled()).toBe(true);

    // The next person at this computer: a reload shows a new conversation, nothing of the last one.
    const readsBefore = historyReads.length;
    await page.reload();
    await ready();
    expect(await logText(page)).not.toContain("Siti Rahayu");
    const second = await sessionOf();
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect(historyReads.slice(readsBefore).filter((url) => url.includes(encodeURIComponent(first!)))).toEqual([]);

    // Or "start again" on the ended card, without a reload.
    await page.locator("#menu-button").tap();
    await page.locator("#end-session").tap();
    await page.locator("#start-again").tap();
    await ready();
    expect(await page.locator("#composer-input").isDisabled()).toBe(false);
    expect(await sessionOf()).not.toBe(second);
  });

  it("reopened after the session's idle time, the page shows nothing of the old conversation", async () => {
    const id = texts("id");
    await choose(page, options(page).first());
    await type(page, "Budi Hartono");
    const old = await sessionOf();
    // This device last used the conversation 31 days ago (WEBCHAT_SESSION_IDLE_DAYS is 30).
    await page.evaluate((key) => {
      const data = JSON.parse(window.localStorage.getItem(key) ?? "{}") as { lastActive?: number };
      data.lastActive = Date.now() - 31 * 24 * 60 * 60 * 1000;
      window.localStorage.setItem(key, JSON.stringify(data));
    }, STORE_KEY);
    historyReads.length = 0;
    await page.reload();
    await ready();
    expect(await logText(page)).not.toContain("Budi Hartono");
    expect(await page.locator("#log .notice").first().innerText()).toContain(id["expired"]);
    expect(await sessionOf()).not.toBe(old);
    // Not even fetched: the old session's history never left the server.
    expect(historyReads.filter((url) => url.includes(encodeURIComponent(old!)))).toEqual([]);
  });
});
