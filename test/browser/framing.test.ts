/**
 * The chat page's Content-Security-Policy header in a real Chromium: another site cannot frame it
 * by default (clickjacking), a site named in WEBCHAT_FRAME_ANCESTORS can, and the chat works there
 * under the header's policy (no blocked script, style or request).
 */
import { createServer, type Server } from "node:http";
import { type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from "../helpers/chromium.js";
import { startApp, type TestApp } from "../helpers/app.js";

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM ? "framing the chat page" : `framing the chat page: SKIPPED, no Chromium at ${CHROMIUM}`,
  () => {
    let browser: Browser;
    let office: Server;
    let officeOrigin: string;
    let guarded: TestApp;
    let embeddable: TestApp;

    beforeAll(async () => {
      // The office's own website, on another origin (another port), embedding whatever ?src= names.
      office = createServer((request, response) => {
        const src = new URL(request.url ?? "/", "http://x").searchParams.get("src") ?? "";
        response.setHeader("content-type", "text/html; charset=utf-8");
        response.end(
          `<!doctype html><title>Kantor</title><iframe id="chat" src="${src.replace(/"/g, "")}" width="400" height="600"></iframe>`,
        );
      });
      await new Promise<void>((resolve) => office.listen(0, "127.0.0.1", resolve));
      const address = office.address();
      officeOrigin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      guarded = await startApp();
      embeddable = await startApp({ env: { WEBCHAT_FRAME_ANCESTORS: officeOrigin } });
      browser = await launchChromium();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await guarded?.close();
      await embeddable?.close();
      await new Promise((resolve) => office?.close(resolve));
    });

    async function frameOf(appUrl: string) {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`${officeOrigin}/?src=${encodeURIComponent(appUrl + "/")}`);
      await page.waitForLoadState("load");
      const frame = page.frames().find((f) => f !== page.mainFrame());
      return { page, frame, violations };
    }

    it("is not shown inside another site by default", async () => {
      const { page, frame, violations } = await frameOf(guarded.url);
      try {
        expect(frame).toBeDefined();
        // Blocked by frame-ancestors 'none': the frame holds Chromium's error page, not the chat.
        await expect.poll(async () => frame!.locator("#log").count(), { timeout: 3000 }).toBe(0);
        expect(frame!.url()).not.toContain(new URL(guarded.url).host);
        expect(violations.join("\n")).toMatch(/frame-ancestors/);
      } finally {
        await page.close();
      }
    }, 30_000);

    it("works inside the site WEBCHAT_FRAME_ANCESTORS names, with nothing refused by its policy", async () => {
      const { page, frame, violations } = await frameOf(embeddable.url);
      try {
        expect(frame).toBeDefined();
        // The greeting and menu are drawn: script, style and API calls all passed the header's policy.
        await expect.poll(async () => frame!.locator("#log .msg[data-from='bot']").count(), { timeout: 10_000 }).toBeGreaterThan(0);
        expect(violations).toEqual([]);
      } finally {
        await page.close();
      }
    }, 30_000);
  },
);
