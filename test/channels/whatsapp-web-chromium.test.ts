/**
 * The real whatsapp-web.js client with Debian's chromium (`apt-get install -y chromium`; .ci/run
 * installs it). Offline, opening web.whatsapp.com fails at once (net::ERR_NAME_NOT_RESOLVED) and the
 * browser keeps running (NOTES.md): what is shown here is that the failure comes back cleanly and
 * that no chromium process started by the test is left afterwards.
 */
import { execFileSync } from "node:child_process";
import { lookup } from "node:dns/promises";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createWhatsAppWebAdapter, createWhatsAppWebJsClient } from "../../channels/whatsapp-web/index.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`whatsapp-web-chromium.test.ts: SKIPPED — no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}

/** Processes whose command line names the session dir: chromium's --user-data-dir is in it. */
function processesUsing(dir: string): string[] {
  try {
    return execFileSync("pgrep", ["-f", dir], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function online(): Promise<boolean> {
  return lookup("web.whatsapp.com").then(
    () => true,
    () => false,
  );
}

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    // Belt and braces: a failing test must not leave a browser behind for the next one.
    for (const pid of processesUsing(dir)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

function sessionDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kanal-wa-chromium-"));
  dirs.push(dir);
  return dir;
}

describe.skipIf(!hasChromium)("whatsapp-web with the real client and chromium", () => {
  it("fails cleanly offline and leaves no browser process after destroy()", async () => {
    const dir = sessionDir();
    const isOnline = await online();
    const client = createWhatsAppWebJsClient({ sessionDir: dir, chromiumPath: CHROMIUM });
    const qr = new Promise<string>((resolve) => client.on("qr", resolve));
    const outcome = await Promise.race([
      client.initialize().then(
        () => ({ kind: "initialized" as const }),
        (error: unknown) => ({ kind: "failed" as const, error: error as Error }),
      ),
      qr.then(() => ({ kind: "qr" as const })),
    ]);
    if (!isOnline) {
      expect(outcome.kind).toBe("failed");
      expect(outcome.kind === "failed" && outcome.error.message).toMatch(
        /net::ERR_(NAME_NOT_RESOLVED|INTERNET_DISCONNECTED|NAME_RESOLUTION_FAILED|CONNECTION_REFUSED|PROXY_CONNECTION_FAILED|ADDRESS_UNREACHABLE|TUNNEL_CONNECTION_FAILED)/,
      );
    }
    // The failure left the browser running: that is why destroy() is always called.
    const pid = client.browserPid?.();
    expect(pid).toBeTypeOf("number");
    expect(alive(pid!)).toBe(true);
    expect(processesUsing(dir).length).toBeGreaterThan(0);
    await client.destroy();
    await until(() => !alive(pid!) && processesUsing(dir).length === 0, "no chromium left", 5000);
    // LocalAuth put the browser profile under <sessionDir>/session.
    expect(existsSync(join(dir, "session"))).toBe(true);
  }, 30_000);

  it("the adapter reports the failed start, and stop() leaves no browser and releases the lock", async () => {
    const dir = sessionDir();
    const logs: string[] = [];
    let released = 0;
    const adapter = createWhatsAppWebAdapter({
      sessionDir: dir,
      chromiumPath: CHROMIUM,
      maxAttachmentBytes: 1024 * 1024,
      adminToken: "t",
      lock: { acquire: async () => true, release: async () => void released++ },
      log: (msg, fields) => void logs.push(`${msg} ${JSON.stringify(fields ?? {})}`),
      printQr: () => undefined,
      // One attempt within the test: the retry would come after a minute.
      reconnectDelayMs: () => 60_000,
    });
    await adapter.start(async () => undefined);
    if (await online()) {
      await until(() => ["waiting-for-scan", "disconnected"].includes(adapter.state().state), "the QR code or the failure", 25_000);
    } else {
      const state = await until(() => adapter.state().state === "disconnected" && adapter.state(), "the failed start");
      expect(state.reason).toMatch(/starting WhatsApp Web failed: net::ERR_/);
      expect(state.nextAttemptAt).toBeDefined();
      expect(logs.some((l) => l.includes("whatsapp-web: disconnected; reconnecting"))).toBe(true);
      // The failed client was destroyed at once: its browser is gone before stop().
      await until(() => processesUsing(dir).length === 0, "the failed browser closed", 5000);
    }
    await adapter.stop();
    await until(() => processesUsing(dir).length === 0, "no chromium left", 5000);
    expect(released).toBe(1);
    expect(adapter.state().state).toBe("stopped");
  }, 30_000);

  it("stop() while the browser is still starting waits for it and closes it", async () => {
    const dir = sessionDir();
    const adapter = createWhatsAppWebAdapter({
      sessionDir: dir,
      chromiumPath: CHROMIUM,
      maxAttachmentBytes: 1024 * 1024,
      lock: { acquire: async () => true, release: async () => undefined },
      printQr: () => undefined,
      reconnectDelayMs: () => 60_000,
    });
    await adapter.start(async () => undefined);
    // Give puppeteer a moment to spawn chromium, not enough to finish loading.
    await until(() => processesUsing(dir).length > 0, "chromium started", 10_000);
    await adapter.stop();
    await until(() => processesUsing(dir).length === 0, "no chromium left", 5000);
  }, 30_000);
});
