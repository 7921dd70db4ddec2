import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const booleanString = z
  .enum(["true", "false", "1", "0", "yes", "no", ""], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const port = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/** Every variable of ../shared/CONTRACT.md; .env.example documents each one. */
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
    ATTACHMENTS_DIR: z.string().min(1).default("./data/attachments"),
    LEADER_LEASE_SECONDS: z.coerce
      .number({ error: "must be a number of seconds" })
      .int("must be a whole number of seconds")
      .min(3, "must be at least 3")
      .max(120, "must be at most 120")
      .default(15),

    STAFF_SESSION_IDLE_MINUTES: z.coerce
      .number({ error: "must be a number of minutes" })
      .int("must be a whole number of minutes")
      .min(5, "must be at least 5")
      .max(720, "must be at most 720 (12 hours, the longest a console session lasts)")
      .default(30),

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
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_WEBHOOK_SECRET && !c.PUBLIC_BASE_URL) {
      ctx.addIssue({ code: "custom", path: ["TELEGRAM_WEBHOOK_SECRET"], message: "needs PUBLIC_BASE_URL to register the webhook" });
    }
    if (c.META_APP_SECRET && !c.META_VERIFY_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["META_VERIFY_TOKEN"], message: "must be set when META_APP_SECRET is" });
    }
  });

export type Config = z.output<typeof configSchema>;
