/**
 * Configuration → channels. Each channel's module (and with it its SDK: telegraf, discord.js,
 * whatsapp-web.js, imapflow and nodemailer) is imported only when that channel is configured, so a
 * bot with the web chat alone never loads them (start-up time and memory on a small machine).
 */
import { createWebchatAdapter } from "../../channels/webchat/adapter.js";
import type { Config } from "../config/index.js";
import type { ChannelAdapter, Log, Webhook } from "../core/index.js";
import { channelStateStore, rethrowUnavailable, sessionLock } from "../db/index.js";
import type { AdminPage } from "../http/index.js";
import { recordDeliveryStatus } from "../outbox/index.js";
import { reportUnreadableMail, reportWhatsAppLoggedOut } from "../staff/index.js";
import type { Base } from "./base.js";
import { deliveryFailureReporter, failedInboundRecorder, staffNoticeOf } from "./staff-notices.js";

/**
 * A configured channel: the adapter made at start-up and, when a failed start may be tried again or
 * the channel runs only on the leader (ChannelAdapter.singleton), how to make a fresh one.
 */
export interface ChannelEntry {
  first: ChannelAdapter;
  create?: () => ChannelAdapter;
}

export interface Channels {
  entries: ChannelEntry[];
  /** Webhooks not carried by one adapter (Meta's one route for three products). */
  webhooks: Webhook[];
  /** Operator pages (the WhatsApp Web QR code). */
  adminPages: AdminPage[];
}

const entryOf = (make: () => ChannelAdapter): ChannelEntry => ({ first: make(), create: make });

type Maker = (config: Config, base: Base, log: Log) => Promise<Partial<Channels> | undefined>;

const telegram: Maker = async (config, _base, log) => {
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) return undefined;
  const { createTelegramAdapter, telegramWebhookUrl } = await import("../../channels/telegram/index.js");
  const webhook =
    config.TELEGRAM_WEBHOOK_SECRET && config.PUBLIC_BASE_URL
      ? { url: telegramWebhookUrl(config.PUBLIC_BASE_URL), secret: config.TELEGRAM_WEBHOOK_SECRET }
      : undefined;
  const make = () =>
    createTelegramAdapter({
      token,
      apiRoot: config.TELEGRAM_API_ROOT,
      opsChatId: config.TELEGRAM_OPS_CHAT_ID,
      webhook,
      maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
      log,
    });
  // Webhook mode: the route is mounted once, with the first adapter; a new try would not be reachable.
  return { entries: [webhook ? { first: make() } : entryOf(make)] };
};

const meta: Maker = async (config, base, log) => {
  if (!config.META_APP_SECRET || !config.META_VERIFY_TOKEN) return undefined;
  const { createMetaChannels } = await import("../../channels/meta/index.js");
  const reportFailure = deliveryFailureReporter(config, base);
  const channels = createMetaChannels({
    appSecret: config.META_APP_SECRET,
    verifyToken: config.META_VERIFY_TOKEN,
    graphApiBase: config.META_GRAPH_API_BASE,
    whatsapp:
      config.WHATSAPP_CLOUD_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID
        ? {
            token: config.WHATSAPP_CLOUD_TOKEN,
            phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
            replyTemplate: config.WHATSAPP_REPLY_TEMPLATE
              ? { name: config.WHATSAPP_REPLY_TEMPLATE, language: config.WHATSAPP_REPLY_TEMPLATE_LANGUAGE }
              : undefined,
          }
        : undefined,
    pageAccessToken: config.META_PAGE_ACCESS_TOKEN,
    maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
    log,
    // A status that cannot be recorded for want of the database is rejected, so Meta delivers it again.
    onStatus: async (update) => {
      const failed = await recordDeliveryStatus(base.db, "whatsapp-cloud", update).catch(rethrowUnavailable);
      if (failed) await reportFailure?.(failed);
    },
    onFailedMessage: failedInboundRecorder(config, base),
  });
  return { entries: channels.adapters.map((first) => ({ first })), webhooks: [channels.webhook] };
};

const email: Maker = async (config, base, log) => {
  const { EMAIL_IMAP_HOST, EMAIL_IMAP_USER, EMAIL_IMAP_PASSWORD, EMAIL_SMTP_HOST, EMAIL_FROM } = config;
  if (!(EMAIL_IMAP_HOST && EMAIL_IMAP_USER && EMAIL_IMAP_PASSWORD && EMAIL_SMTP_HOST && EMAIL_FROM)) {
    if (EMAIL_IMAP_HOST || EMAIL_SMTP_HOST) {
      log("e-mail is off: it needs EMAIL_IMAP_HOST, EMAIL_IMAP_USER, EMAIL_IMAP_PASSWORD, EMAIL_SMTP_HOST and EMAIL_FROM", {});
    }
    return undefined;
  }
  const { createEmailAdapter } = await import("../../channels/email/index.js");
  const notice = staffNoticeOf(config, base);
  const make = () =>
    createEmailAdapter({
      imap: {
        host: EMAIL_IMAP_HOST,
        port: config.EMAIL_IMAP_PORT ?? (config.EMAIL_IMAP_SECURE ? 993 : 143),
        secure: config.EMAIL_IMAP_SECURE,
        user: EMAIL_IMAP_USER,
        password: EMAIL_IMAP_PASSWORD,
        mailbox: config.EMAIL_IMAP_MAILBOX,
      },
      smtp: {
        host: EMAIL_SMTP_HOST,
        port: config.EMAIL_SMTP_PORT ?? (config.EMAIL_SMTP_SECURE ? 465 : 587),
        secure: config.EMAIL_SMTP_SECURE,
        user: config.EMAIL_SMTP_USER,
        password: config.EMAIL_SMTP_PASSWORD,
      },
      from: EMAIL_FROM,
      trustedAuthservId: config.EMAIL_TRUSTED_AUTHSERV_ID,
      officeName: config.OFFICE_NAME,
      state: channelStateStore(base.db, "email"),
      maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
      log,
      onUnreadable: notice ? (mail) => reportUnreadableMail(notice, mail) : undefined,
    });
  return { entries: [entryOf(make)] };
};

const whatsappWeb: Maker = async (config, base, log) => {
  if (!config.WHATSAPP_WEB_ENABLED) return undefined;
  const { createWhatsAppWebAdapter } = await import("../../channels/whatsapp-web/index.js");
  const notice = staffNoticeOf(config, base);
  const make = () =>
    createWhatsAppWebAdapter({
      sessionDir: config.WHATSAPP_WEB_SESSION_DIR,
      chromiumPath: config.CHROMIUM_PATH,
      maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES,
      adminToken: config.WHATSAPP_WEB_ADMIN_TOKEN,
      lock: sessionLock(config.DATABASE_URL, "kanal-aduan:whatsapp-web", `${config.WHATSAPP_WEB_SESSION_DIR.replace(/\/+$/, "")}.lock`),
      onLoggedOut: notice ? () => reportWhatsAppLoggedOut(notice) : undefined,
      timeZone: config.OFFICE_TIMEZONE,
      log,
    });
  // The page shows the adapter of the current leader term (each term makes a new one).
  let current = make();
  return {
    entries: [{ first: current, create: () => (current = make()) }],
    adminPages: [{ path: "whatsapp", page: () => current.adminPage }],
  };
};

const discord: Maker = async (config, _base, log) => {
  const token = config.DISCORD_BOT_TOKEN;
  if (!token) return undefined;
  const { createDiscordAdapter } = await import("../../channels/discord/index.js");
  return {
    entries: [
      entryOf(() =>
        createDiscordAdapter({ token, apiBase: config.DISCORD_API_BASE, maxAttachmentBytes: config.ATTACHMENT_MAX_BYTES, log }),
      ),
    ],
  };
};

/** The channels whose credentials are set (the website chat always), in this order. */
const MAKERS: readonly Maker[] = [telegram, meta, email, whatsappWeb, discord];

export async function configuredChannels(config: Config, base: Base, log: Log): Promise<Channels> {
  const channels: Channels = { entries: [{ first: createWebchatAdapter() }], webhooks: [], adminPages: [] };
  for (const make of MAKERS) {
    const made = await make(config, base, log);
    channels.entries.push(...(made?.entries ?? []));
    channels.webhooks.push(...(made?.webhooks ?? []));
    channels.adminPages.push(...(made?.adminPages ?? []));
  }
  return channels;
}
