/**
 * A channel's libraries are loaded only when that channel is configured (issue 17 item 1): `npm start`
 * with the web chat alone never loads telegraf, discord.js, whatsapp-web.js, imapflow or nodemailer.
 * The bot runs as a real process with a preload that records every module it loads; the same run
 * with Telegram configured shows that the record does see a channel's library when it is loaded.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/db/index.js";
import { startSilentServer } from "../fakes/silent-server.js";
import { freePort, startBotProcess, type BotProcess } from "../helpers/process.js";

const LIBRARIES = ["telegraf", "discord.js", "whatsapp-web.js", "imapflow", "nodemailer", "mailparser"] as const;
/** Libraries of work an idle web-chat process never does: PostgreSQL, printed forms, evidence ZIPs, reports, files. */
const IDLE_UNUSED = ["pg", "qrcode", "archiver", "pdfkit", "exceljs", "file-type"] as const;
const RECORD = join(repoRoot, "test/fixtures/loads/record.mjs");

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the bot with `env`, asks /health, stops it with SIGTERM, and says which libraries it loaded. */
async function librariesLoaded(env: Record<string, string>): Promise<{ loaded: string[]; idleUnused: string[]; modules: number }> {
  const dir = mkdtempSync(join(tmpdir(), "kanal-loads-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, "loads.txt");
  const bot: BotProcess = await startBotProcess(
    {
      DATABASE_URL: `file:${join(dir, "bot.db")}`,
      ATTACHMENTS_DIR: join(dir, "attachments"),
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
      KANAL_LOAD_LOG: log,
      ...env,
    },
    60_000,
    ["--import", RECORD],
  );
  cleanups.push(() => void bot.child.kill("SIGKILL"));
  const health = await fetch(`${bot.url}/health`);
  expect(health.status).toBe(200);
  bot.child.kill("SIGTERM");
  expect(await bot.exited).toBe(0);
  const lines = readFileSync(log, "utf8").split("\n");
  const has = (lib: string) => lines.some((line) => line.includes(`/node_modules/${lib}/`));
  return { loaded: LIBRARIES.filter(has), idleUnused: IDLE_UNUSED.filter(has), modules: lines.length };
}

describe("channel libraries load only for configured channels", () => {
  it("npm start with the web chat alone loads none of them", async () => {
    const { loaded, idleUnused, modules } = await librariesLoaded({});
    // The record did see the bot's own modules (fastify among them): it is not empty by mistake.
    expect(modules).toBeGreaterThan(100);
    expect(loaded).toEqual([]);
    // Nor the libraries of work it has not been asked for (idle memory, issue 17 item 1).
    expect(idleUnused).toEqual([]);
  }, 90_000);

  it("with Telegram configured, telegraf is loaded and the other channels' libraries are not", async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const { loaded } = await librariesLoaded({
      TELEGRAM_BOT_TOKEN: "123456:lazy-loading-token",
      TELEGRAM_API_ROOT: silent.url,
      CHANNEL_START_TIMEOUT_SECONDS: "1",
    });
    expect(loaded).toEqual(["telegraf"]);
  }, 90_000);
});
