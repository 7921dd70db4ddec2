import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { repoRoot } from "../../src/db/index.js";

const noFile = join(tmpdir(), "does-not-exist.env");

describe("configuration", () => {
  it("needs nothing: SQLite, 127.0.0.1:3000, Bahasa Indonesia, ADU tickets", () => {
    const config = loadConfig({}, noFile);
    expect(config).toMatchObject({
      DATABASE_URL: "file:./data/kanal-aduan.db",
      HOST: "127.0.0.1",
      PORT: 3000,
      DEFAULT_LOCALE: "id",
      OFFICE_NAME: "Kantor Pelayanan",
      TICKET_PREFIX: "ADU",
      SOP_PRESET: "generic",
      STAFF_REPLY_MODE: "reply",
      TELEGRAM_API_ROOT: "https://api.telegram.org",
      META_GRAPH_API_BASE: "https://graph.facebook.com/v21.0",
      DISCORD_API_BASE: "https://discord.com/api",
      WHATSAPP_WEB_ENABLED: false,
      STAFF_TELEGRAM_IDS: [],
      ATTACHMENT_MAX_BYTES: 10 * 1024 * 1024,
      ATTACHMENT_MAX_FILES: 10,
      ATTACHMENT_MAX_BYTES_PER_CONVERSATION: 50 * 1024 * 1024,
      ATTACHMENT_SWEEP_GRACE_HOURS: 168,
    });
  });

  it("accepts .env.example copied as it is", () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-env-"));
    copyFileSync(join(repoRoot, ".env.example"), join(dir, ".env"));
    expect(() => loadConfig({}, join(dir, ".env"))).not.toThrow();
  });

  // The contract lives beside the repository (../shared), not in it: a clone elsewhere cannot check it.
  const contractFile = join(repoRoot, "..", "shared", "CONTRACT.md");
  it.skipIf(!existsSync(contractFile))("lists every contract variable in .env.example (needs ../shared/CONTRACT.md)", async () => {
    const { readFileSync } = await import("node:fs");
    const example = readFileSync(join(repoRoot, ".env.example"), "utf8");
    const contract = readFileSync(contractFile, "utf8").split("## Environment")[1]?.split("## Tickets")[0] ?? "";
    const names = [...contract.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!).filter((n) => !["INBOX", "ADU"].includes(n));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(example, name).toMatch(new RegExp(`^${name}=`, "m"));
  });

  it("reads a .env file, and the environment wins over it", () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-env-"));
    writeFileSync(join(dir, ".env"), "OFFICE_NAME=Kecamatan Jenawi\nPORT=4000\n");
    expect(loadConfig({ PORT: "5000" }, join(dir, ".env"))).toMatchObject({ OFFICE_NAME: "Kecamatan Jenawi", PORT: 5000 });
  });

  it.each([
    [{ PORT: "abc" }, /^PORT must be a number \(got "abc"\)$/],
    [{ PORT: "70000" }, /^PORT must be between/],
    [{ DEFAULT_LOCALE: "fr" }, /^DEFAULT_LOCALE must be id or en/],
    [{ DATABASE_URL: "mysql://x" }, /^DATABASE_URL must start with file: .* or postgresql:\/\//],
    [{ TICKET_PREFIX: "adu" }, /^TICKET_PREFIX must be 1–10 capital letters/],
    [{ TELEGRAM_OPS_CHAT_ID: "ops" }, /^TELEGRAM_OPS_CHAT_ID must be a numeric Telegram chat id/],
    [{ STAFF_TELEGRAM_IDS: "12, abc" }, /^STAFF_TELEGRAM_IDS must be comma-separated numeric/],
    [{ WHATSAPP_WEB_ENABLED: "maybe" }, /^WHATSAPP_WEB_ENABLED must be true or false/],
    [{ OFFICE_TIMEZONE: "Mars/Olympus" }, /^OFFICE_TIMEZONE must be an IANA time zone/],
    [{ TELEGRAM_WEBHOOK_SECRET: "s3cret" }, /^TELEGRAM_WEBHOOK_SECRET needs PUBLIC_BASE_URL/],
    [{ PUBLIC_BASE_URL: "http://example.org" }, /^PUBLIC_BASE_URL must be an https URL/],
    [{ ATTACHMENT_MAX_FILES: "0" }, /^ATTACHMENT_MAX_FILES must be at least 1/],
    [{ ATTACHMENT_MAX_FILES: "2.5" }, /^ATTACHMENT_MAX_FILES must be a whole number/],
    [{ ATTACHMENT_MAX_BYTES_PER_CONVERSATION: "lots" }, /^ATTACHMENT_MAX_BYTES_PER_CONVERSATION must be a number of bytes/],
    [
      { ATTACHMENT_MAX_BYTES: "2000000", ATTACHMENT_MAX_BYTES_PER_CONVERSATION: "1000000" },
      /^ATTACHMENT_MAX_BYTES_PER_CONVERSATION must be at least ATTACHMENT_MAX_BYTES \(2000000\)/,
    ],
    [{ ATTACHMENT_SWEEP_GRACE_HOURS: "0" }, /^ATTACHMENT_SWEEP_GRACE_HOURS must be at least 1/],
    [{ EMAIL_TRUSTED_AUTHSERV_ID: "mx.kantor.go.id; dmarc=pass" }, /^EMAIL_TRUSTED_AUTHSERV_ID must be one authserv-id/],
  ])("%o → one line naming the variable", (env, message) => {
    let error: Error | undefined;
    try {
      loadConfig(env, noFile);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message.split("\n")).toHaveLength(1);
  });

  it("never echoes a secret's value", () => {
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_SECRET: "has spaces!", PUBLIC_BASE_URL: "https://x.id" }, noFile)).toThrow(
      /^TELEGRAM_WEBHOOK_SECRET must be/,
    );
    try {
      loadConfig({ TELEGRAM_WEBHOOK_SECRET: "has spaces!", PUBLIC_BASE_URL: "https://x.id" }, noFile);
    } catch (e) {
      expect((e as Error).message).not.toContain("has spaces!");
    }
  });
});
