import type { Config } from "../config/index.js";

/** The settings whose values must never show on /health or in an outbox row's lastError. */
const SECRETS = [
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_WEBHOOK_SECRET",
  "DISCORD_BOT_TOKEN",
  "META_APP_SECRET",
  "META_VERIFY_TOKEN",
  "META_PAGE_ACCESS_TOKEN",
  "WHATSAPP_CLOUD_TOKEN",
  "WHATSAPP_WEB_ADMIN_TOKEN",
  "EMAIL_IMAP_PASSWORD",
  "EMAIL_SMTP_PASSWORD",
] as const satisfies readonly (keyof Config)[];

/**
 * A channel's failure reason comes from its SDK's error text, which may quote a request URL with
 * the credential in it (a Bot API URL holds the token). /health is public: every configured
 * secret is cut out of such a text before it is shown.
 */
export function secretRedactor(config: Config): (text: string) => string {
  const values = SECRETS.map((key) => config[key])
    .filter((value): value is string => typeof value === "string" && value.length >= 4)
    // Longest first, so a secret containing another is cut whole.
    .sort((a, b) => b.length - a.length);
  return (text) => values.reduce((out, value) => out.split(value).join("[redacted]"), text);
}
