import { closeSync, openSync, readSync } from "node:fs";
import { isIP } from "node:net";
import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const booleanString = z
  .enum(["true", "false", "1", "0", "yes", "no", ""], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** One identity key as the setting writes it (the database layer parses it for real). */
function identityKeyText(key: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(key) || (/^[A-Za-z0-9+/]{43}=$/.test(key) && Buffer.from(key, "base64").length === 32);
}

const port = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/** "a, b c" → ["a", "b", "c"]: lists may be separated by commas, spaces or both. */
const list = (value: string) => value.split(/[\s,]+/).filter((item) => item !== "");

/** proxy-addr's names for address ranges, accepted by Fastify's trustProxy. */
const PROXY_RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isProxyAddress(item: string): boolean {
  if (PROXY_RANGE_NAMES.has(item)) return true;
  const [address, prefix, ...rest] = item.split("/");
  const version = isIP(address ?? "");
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits >= 0 && bits <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: which peer's X-Forwarded-For names the client. Off (the default) uses the socket's
 * address, so nobody can forge their address; a hop count trusts that many proxies in front; a list
 * trusts those addresses (CIDRs, or loopback / linklocal / uniquelocal). `true` (trust anyone) is
 * refused: it lets every client pick the address its rate limits count under.
 */
const trustProxy = z
  .string()
  .trim()
  .default("off")
  .refine((v) => /^(off|false|0|none|)$/i.test(v) || /^\d{1,2}$/.test(v) || list(v).every(isProxyAddress), {
    error: "must be off, a number of proxies in front (1, 2…), or the proxies' addresses (e.g. 127.0.0.1, 10.0.0.0/8, loopback)",
  })
  .transform((v): false | number | string[] => {
    if (/^(off|false|0|none|)$/i.test(v)) return false;
    if (/^\d{1,2}$/.test(v)) return Number(v);
    return list(v);
  });

/** An origin a CSP frame-ancestors may name: scheme://host[:port], a *. subdomain wildcard allowed. */
const FRAME_ORIGIN = /^https?:\/\/(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$/;

const frameAncestors = z
  .string()
  .default("")
  .refine((v) => list(v).every((origin) => FRAME_ORIGIN.test(origin)), {
    error: "must be origins such as https://kecamatan.example.go.id (scheme and host, no path), separated by spaces or commas",
  })
  .transform((v) => list(v));

/** The first bytes of a PNG or a JPEG: pdfkit draws only those, and a wrong file is caught at start-up. */
function isPngOrJpeg(path: string): boolean {
  try {
    const fd = openSync(path, "r");
    try {
      const head = Buffer.alloc(8);
      readSync(fd, head, 0, 8, 0);
      return head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) || (head[0] === 0xff && head[1] === 0xd8);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Every setting (the external contract's and the bot's own); .env.example documents each one (test/config). */
export const configSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .default("file:./data/kanal-aduan.db")
      .refine((v) => v.startsWith("file:") || /^postgres(ql)?:\/\//.test(v), {
        error: "must start with file: (SQLite) or postgresql:// (PostgreSQL)",
      }),
    HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
    PORT: z.coerce
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be between 0 (any free port) and 65535")
      .max(65535, "must be between 0 (any free port) and 65535")
      .default(3000),
    PUBLIC_BASE_URL: z.url({ protocol: /^https$/, error: "must be an https URL" }).optional(),
    DEFAULT_LOCALE: z.enum(["id", "en"], { error: "must be id or en" }).default("id"),
    OFFICE_NAME: z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters").default("Kantor Pelayanan"),
    TICKET_PREFIX: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{0,9}$/, "must be 1–10 capital letters or digits, starting with a letter")
      .default("ADU"),
    SOP_PRESET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "must be a preset name from templates/sop/ (lowercase letters, digits, dashes)")
      .default("generic"),
    OFFICE_TIMEZONE: z
      .string()
      .default("Asia/Jakarta")
      .refine(
        (tz) => {
          try {
            new Intl.DateTimeFormat("id-ID", { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        },
        { error: "must be an IANA time zone such as Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)" },
      ),
    ATTACHMENT_MAX_BYTES: z.coerce
      .number({ error: "must be a number of bytes" })
      .int("must be a whole number of bytes")
      .min(1024, "must be at least 1024")
      .default(10 * 1024 * 1024),
    ATTACHMENT_MAX_FILES: z.coerce
      .number({ error: "must be a number of files" })
      .int("must be a whole number of files")
      .min(1, "must be at least 1")
      .max(100, "must be at most 100")
      .default(10),
    ATTACHMENT_MAX_BYTES_PER_CONVERSATION: z.coerce
      .number({ error: "must be a number of bytes" })
      .int("must be a whole number of bytes")
      .min(1024, "must be at least 1024")
      .default(50 * 1024 * 1024),
    ATTACHMENT_SWEEP_GRACE_HOURS: z.coerce
      .number({ error: "must be a number of hours" })
      .int("must be a whole number of hours")
      .min(1, "must be at least 1")
      .max(24 * 365, "must be at most 8760 (a year)")
      .default(7 * 24),
    ATTACHMENTS_DIR: z.string().min(1).default("./data/attachments"),
    RATE_LIMIT: z
      .enum(["on", "off", "true", "false"], { error: "must be on or off" })
      .default("on")
      .transform((v) => v === "on" || v === "true"),
    TRUST_PROXY: trustProxy,
    WEBCHAT_SESSION_IDLE_DAYS: z.coerce
      .number({ error: "must be a number of days" })
      .int("must be a whole number of days")
      .min(1, "must be at least 1")
      .max(3650, "must be at most 3650")
      .default(30),
    WEBCHAT_FRAME_ANCESTORS: frameAncestors,
    // --- Privacy (README "Privacy") ---
    /** Keys of the identity fields at rest, the current first (a rotation lists the new key, then the old); each 32 bytes as base64 or hex. */
    IDENTITY_KEY: optionalString.refine((v) => v === undefined || v.split(",").every((k) => identityKeyText(k.trim())), {
      error: "must be 32-byte keys as base64 (44 characters) or hex (64 characters), separated by commas, the current one first",
    }),
    RETENTION_MONTHS: z.coerce
      .number({ error: "must be a number of months" })
      .int("must be a whole number of months")
      .min(0, "must be 0 (keep) or more")
      .max(1200, "must be at most 1200")
      .default(60),
    LEADER_LEASE_SECONDS: z.coerce
      .number({ error: "must be a number of seconds" })
      .int("must be a whole number of seconds")
      .min(3, "must be at least 3")
      .max(120, "must be at most 120")
      .default(15),
    CHANNEL_START_TIMEOUT_SECONDS: z.coerce
      .number({ error: "must be a number of seconds" })
      .int("must be a whole number of seconds")
      .min(1, "must be at least 1")
      .max(600, "must be at most 600")
      .default(30),

    STAFF_SESSION_IDLE_MINUTES: z.coerce
      .number({ error: "must be a number of minutes" })
      .int("must be a whole number of minutes")
      .min(5, "must be at least 5")
      .max(720, "must be at most 720 (12 hours, the longest a console session lasts)")
      .default(30),

    // The letterhead (kop surat) of letters, forms and reports.
    OFFICE_PARENT: optionalString,
    OFFICE_ADDRESS: optionalString,
    OFFICE_PHONE: optionalString,
    OFFICE_EMAIL: optionalString.refine((v) => v === undefined || /^[^\s@]+@[^\s@]+$/.test(v), { error: "must be an e-mail address" }),
    OFFICE_WEBSITE: optionalString,
    OFFICE_CITY: optionalString,
    OFFICE_LOGO: optionalString.refine((v) => v === undefined || isPngOrJpeg(v), {
      error: "must be the path of a readable PNG or JPEG file (the letterhead's logo)",
    }),

    TELEGRAM_BOT_TOKEN: optionalString,
    TELEGRAM_OPS_CHAT_ID: optionalString.refine((v) => v === undefined || /^-?\d+$/.test(v), {
      error: "must be a numeric Telegram chat id (groups are negative, e.g. -1001234567890)",
    }),
    TELEGRAM_API_ROOT: httpUrl.default("https://api.telegram.org"),
    TELEGRAM_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(v), {
      error: "must be 1–256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)",
    }),
    STAFF_TELEGRAM_IDS: z
      .string()
      .default("")
      .refine((v) => v.trim() === "" || v.split(",").every((id) => /^\d+$/.test(id.trim())), {
        error: "must be comma-separated numeric Telegram user ids",
      })
      .transform((v) => (v.trim() === "" ? [] : v.split(",").map((id) => id.trim()))),
    STAFF_REPLY_MODE: z.enum(["reply", "command"], { error: "must be reply or command" }).default("reply"),

    META_APP_SECRET: optionalString,
    META_VERIFY_TOKEN: optionalString,
    META_PAGE_ACCESS_TOKEN: optionalString,
    WHATSAPP_CLOUD_TOKEN: optionalString,
    WHATSAPP_PHONE_NUMBER_ID: optionalString,
    META_GRAPH_API_BASE: httpUrl.default("https://graph.facebook.com/v21.0"),
    WHATSAPP_REPLY_TEMPLATE: optionalString.refine((v) => v === undefined || /^[a-z0-9_]{1,512}$/.test(v), {
      error: "must be an approved template's name (lowercase letters, digits and _)",
    }),
    WHATSAPP_REPLY_TEMPLATE_LANGUAGE: z
      .string()
      .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "must be a WhatsApp template language code such as id, en or en_US")
      .default("id"),

    WHATSAPP_WEB_ENABLED: booleanString.default(false),
    WHATSAPP_WEB_SESSION_DIR: z.string().min(1).default("./data/wa-session"),
    CHROMIUM_PATH: z.string().min(1).default("/usr/bin/chromium"),
    WHATSAPP_WEB_ADMIN_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
      error: "must be at least 16 characters (it guards the page that links the office's WhatsApp number)",
    }),

    DISCORD_BOT_TOKEN: optionalString,
    DISCORD_API_BASE: httpUrl.default("https://discord.com/api"),

    EMAIL_IMAP_HOST: optionalString,
    EMAIL_IMAP_PORT: port.optional(),
    EMAIL_IMAP_SECURE: booleanString.default(true),
    EMAIL_IMAP_USER: optionalString,
    EMAIL_IMAP_PASSWORD: optionalString,
    EMAIL_IMAP_MAILBOX: z.string().min(1).default("INBOX"),
    EMAIL_SMTP_HOST: optionalString,
    EMAIL_SMTP_PORT: port.optional(),
    EMAIL_SMTP_SECURE: booleanString.default(true),
    EMAIL_SMTP_USER: optionalString,
    EMAIL_SMTP_PASSWORD: optionalString,
    EMAIL_FROM: optionalString.refine((v) => v === undefined || /@/.test(v), { error: "must be an e-mail address" }),
    // An authserv-id is a host name (RFC 8601 §2.5): no spaces, no ";", which would let it match anything.
    EMAIL_TRUSTED_AUTHSERV_ID: optionalString.refine((v) => v === undefined || /^[^\s;()"]+$/.test(v), {
      error: "must be one authserv-id, e.g. mx.kantor.go.id (the first word of the office mail server's Authentication-Results)",
    }),
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_WEBHOOK_SECRET && !c.PUBLIC_BASE_URL) {
      ctx.addIssue({ code: "custom", path: ["TELEGRAM_WEBHOOK_SECRET"], message: "needs PUBLIC_BASE_URL to register the webhook" });
    }
    if (c.ATTACHMENT_MAX_BYTES_PER_CONVERSATION < c.ATTACHMENT_MAX_BYTES) {
      ctx.addIssue({
        code: "custom",
        path: ["ATTACHMENT_MAX_BYTES_PER_CONVERSATION"],
        message: `must be at least ATTACHMENT_MAX_BYTES (${c.ATTACHMENT_MAX_BYTES}), or no file of the largest size could ever be kept`,
      });
    }
    if (c.META_APP_SECRET && !c.META_VERIFY_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["META_VERIFY_TOKEN"], message: "must be set when META_APP_SECRET is" });
    }
  });

export type Config = z.output<typeof configSchema>;
