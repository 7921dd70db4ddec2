import { fileURLToPath } from "node:url";
import type { ChannelAdapter } from "../../src/core/index.js";

/** The page and its assets, served by src/http. */
export const WEBCHAT_PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));

/**
 * The website chat is a pull channel: the page gets the bot's replies in the HTTP answer and reads
 * later ones (staff replies) from the history, so nothing is pushed and `send` has nothing to do.
 */
export function createWebchatAdapter(): ChannelAdapter {
  return {
    name: "webchat",
    limits: { maxTextLength: 4000, media: true, buttons: true, delivery: "pull", canReachLater: true },
    async start() {},
    // Served by the HTTP server: it runs whenever the bot does.
    status: () => ({ state: "running" }),
    async send() {
      return { ok: true, providerMessageId: "webchat:history" };
    },
    async stop() {},
  };
}
