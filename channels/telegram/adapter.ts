import { createHash, timingSafeEqual } from "node:crypto";
import { Telegraf, TelegramError } from "telegraf";
import type { CallbackQuery, Update, UserFromGetMe } from "telegraf/types";
import {
  KanalError,
  type ChannelAdapter,
  type ChannelLimits,
  type InboundSink,
  type SendResult,
  type StaffAnswer,
  type StaffMessage,
  type StaffSink,
  type ChannelServices,
  type Webhook,
  type WebhookRequest,
  type WebhookResponse,
  type Log,
} from "../../src/core/index.js";
import { downloadLimited } from "./download.js";
import { attachmentsOf, isServiceMessage, reduceCommand, toInbound, viewOf, type FileAccess, type MessageView } from "./inbound.js";
import { startPolling, type Poller } from "./polling.js";
import { createSender } from "./send.js";

export interface TelegramAdapterOptions {
  /** TELEGRAM_BOT_TOKEN. */
  token: string;
  /** TELEGRAM_API_ROOT, e.g. https://api.telegram.org, a self-hosted Bot API server or a local fake. */
  apiRoot: string;
  /** TELEGRAM_OPS_CHAT_ID: the staff group; everything said there goes to the staff console given to start(). */
  opsChatId?: string;
  /** Webhook mode: the full public URL (…/webhooks/telegram) and TELEGRAM_WEBHOOK_SECRET. Otherwise long polling. */
  webhook?: { url: string; secret: string };
  /** Attachments larger than this are refused while downloading. */
  maxAttachmentBytes: number;
  /** The bot's own account; when given, start() does not call getMe (tests). */
  botInfo?: UserFromGetMe;
  log?: Log;
  /** Long-poll timeout of getUpdates (default 50 s; tests use 1). */
  pollingTimeoutSeconds?: number;
  /** First wait after a failed update or getUpdates (default 1000 ms, doubling up to 30 s). */
  pollingBackoffMs?: number;
  /** How long stop() waits for updates in flight (default 10 s); unfinished ones stay unconfirmed. */
  stopGraceMs?: number;
}

export interface TelegramAdapter extends ChannelAdapter {
  readonly name: "telegram";
  /** Set in webhook mode: mounted at /webhooks/telegram. */
  readonly webhook?: Webhook;
  /** The bot's account (from options or getMe), known once started. */
  readonly botInfo: UserFromGetMe | undefined;
}

/**
 * Telegram's broadcast limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
 * about one message per second in a chat, 20 per minute in a group, 30 per second overall.
 */
export const TELEGRAM_LIMITS: ChannelLimits = {
  maxTextLength: 4096,
  media: true,
  buttons: true,
  delivery: "push",
  canReachLater: true,
  pacing: { perChatMs: 1000, groupPerMinute: 20, globalPerSecond: 30 },
  // Paced a second apart per chat: a greeting and the menu as two messages would arrive a second apart.
  oneMessagePerStep: true,
};

/** What the bot asks Telegram for; edits and channel posts are not conversation. */
const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** A staff answer that hit a short rate limit is tried once more after this long at most. */
const STAFF_ANSWER_RETRY_CAP_MS = 10_000;

/** telegraf resolves methods against the root with `new URL("./bot…", root)`: a root with a path needs its trailing slash. */
export function normaliseApiRoot(root: string): string {
  return root.endsWith("/") ? root : `${root}/`;
}

/** The webhook URL for a public base URL (PUBLIC_BASE_URL), as the HTTP server mounts it. */
export function telegramWebhookUrl(publicBaseUrl: string): string {
  return new URL("webhooks/telegram", normaliseApiRoot(publicBaseUrl)).toString();
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  const log: Log = options.log ?? (() => undefined);
  if (options.webhook && !/^[A-Za-z0-9_-]{1,256}$/.test(options.webhook.secret)) {
    throw new KanalError("KA_CONFIG", "TELEGRAM_WEBHOOK_SECRET must be 1–256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)");
  }
  // webhookReply: false: every API call really goes to the API, so its result and errors are known
  // (telegraf would otherwise answer some calls inside the webhook's HTTP response).
  const bot = new Telegraf(options.token, { telegram: { apiRoot: normaliseApiRoot(options.apiRoot), webhookReply: false } });
  if (options.botInfo) bot.botInfo = options.botInfo;
  const telegram = bot.telegram;
  const sendTo = createSender(telegram);
  const files: FileAccess = {
    link: (fileId) => telegram.getFileLink(fileId),
    download: (url, limit) => downloadLimited(url, limit),
    maxBytes: options.maxAttachmentBytes,
  };
  const opsChatId = options.opsChatId?.trim() || undefined;
  const secretDigest = options.webhook ? digest(options.webhook.secret) : undefined;

  let sink: InboundSink | undefined;
  /** The staff console, given at start(); without it, the ops group and staff commands are ignored. */
  let staffSink: StaffSink | undefined;
  let poller: Poller | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  // A handler's error must reach our polling loop or webhook (to leave the update unconfirmed);
  // telegraf's default handler logs it and sets process.exitCode.
  bot.catch((error) => {
    throw error;
  });
  bot.use(async (ctx) => {
    await route(ctx.update);
  });

  async function route(update: Update): Promise<void> {
    if ("message" in update) return onMessage(update, viewOf(update.message), isServiceMessage(update.message));
    if ("callback_query" in update) return onCallback(update, update.callback_query);
    if ("my_chat_member" in update) {
      const { chat, new_chat_member } = update.my_chat_member;
      // The operator needs the group's id for TELEGRAM_OPS_CHAT_ID: say it when the bot is added.
      log("telegram: the bot's membership changed", {
        chatId: String(chat.id),
        chatType: chat.type,
        title: "title" in chat ? chat.title : undefined,
        status: new_chat_member.status,
      });
    }
    // edited_message, channel_post, edited_channel_post and the rest: not conversation, ignored.
  }

  async function onMessage(update: Update, m: MessageView, service: boolean): Promise<void> {
    if (m.from && m.from.id === bot.botInfo?.id) return;
    const chatId = String(m.chat.id);
    if (opsChatId !== undefined && chatId === opsChatId) {
      if (m.migrate_to_chat_id !== undefined) {
        log("telegram: the ops group became a supergroup; set TELEGRAM_OPS_CHAT_ID to the new id", {
          oldId: chatId,
          newId: String(m.migrate_to_chat_id),
        });
      }
      if (service) return;
      return toStaff(update, m, "ops");
    }
    if (m.chat.type === "private") {
      if (service) return;
      const text = m.text ?? m.caption ?? "";
      if (staffSink && /^\/(identitas|identity)(@[A-Za-z0-9_]+)?(\s|$)/i.test(text)) return toStaff(update, m, "private");
      if (!sink) throw new Error("telegram: a message arrived before start()");
      await sink(toInbound(m, update, files, bot.botInfo?.username));
      return;
    }
    // Any other group: only commands, so the console can refuse them; the chatter there is not ours.
    if ((m.chat.type === "group" || m.chat.type === "supergroup") && !service && m.text?.startsWith("/")) {
      return toStaff(update, m, "other");
    }
  }

  async function toStaff(update: Update, m: MessageView, chatKind: StaffMessage["chatKind"]): Promise<void> {
    if (!staffSink) return;
    const { text, forOtherBot } = reduceCommand(m.text ?? m.caption ?? "", bot.botInfo?.username);
    if (forOtherBot) return;
    const attachments = attachmentsOf(m, files);
    if (text.trim() === "" && attachments.length === 0) return; // a sticker or a poll: nothing to act on
    const reply = m.reply_to_message;
    const message: StaffMessage = {
      updateId: String(update.update_id),
      from: m.from
        ? { id: String(m.from.id), name: [m.from.first_name, m.from.last_name].filter(Boolean).join(" "), username: m.from.username }
        : { id: String(m.chat.id) },
      chatKind,
      chatId: String(m.chat.id),
      messageId: String(m.message_id),
      text,
      // In a forum group every message "replies" to its topic's first message: that is no reply.
      replyToMessageId: reply && reply.forum_topic_created === undefined ? String(reply.message_id) : undefined,
      attachments,
      receivedAt: new Date(m.date * 1000),
    };
    const answer = await staffSink(message);
    await postAnswer(message.chatId, answer, message.messageId!);
  }

  async function onCallback(update: Update, query: CallbackQuery): Promise<void> {
    const message = query.message;
    const data = "data" in query ? query.data : undefined;
    if (!message || data === undefined || !staffSink) {
      await answerCallback(query.id, undefined);
      return;
    }
    const chatId = String(message.chat.id);
    const chatKind: StaffMessage["chatKind"] = chatId === opsChatId ? "ops" : message.chat.type === "private" ? "private" : "other";
    const staff: StaffMessage = {
      updateId: String(update.update_id),
      from: {
        id: String(query.from.id),
        name: [query.from.first_name, query.from.last_name].filter(Boolean).join(" "),
        username: query.from.username,
      },
      chatKind,
      chatId,
      messageId: String(message.message_id),
      text: "",
      attachments: [],
      callbackData: data,
      receivedAt: new Date(),
    };
    // On a failure the query stays unanswered: the redelivered update answers it.
    const answer = await staffSink(staff);
    await answerCallback(query.id, answer.callbackNotice);
    await postAnswer(chatId, answer, staff.messageId!);
  }

  async function answerCallback(id: string, notice: string | undefined): Promise<void> {
    // A query is answerable for a short while only (400 "query is too old"): not worth failing the update.
    await telegram.answerCbQuery(id, notice ?? "").catch((error: Error) => {
      log("telegram: answerCallbackQuery failed", { error: error.message });
    });
  }

  /**
   * Staff answers go straight to the staff chat, not through the outbox: they are not citizen
   * traffic, and the console has already acted, so a failure here is logged, never re-run.
   */
  async function postAnswer(chatId: string, answer: StaffAnswer, messageId: string): Promise<void> {
    for (const reply of answer.messages) {
      const message = {
        text: reply.text,
        replyTo: reply.replyTo ?? messageId,
        ...(reply.attachments ? { attachments: reply.attachments } : {}),
      };
      let result: SendResult = await sendTo(chatId, message);
      if (!result.ok && result.retryable && (result.retryAfterMs ?? 1000) <= STAFF_ANSWER_RETRY_CAP_MS) {
        await sleep(result.retryAfterMs ?? 1000);
        result = await sendTo(chatId, message);
      }
      if (!result.ok) log("telegram: a staff answer could not be sent", { chatId, reason: result.reason });
    }
  }

  async function ensureBotInfo(): Promise<UserFromGetMe> {
    try {
      bot.botInfo ??= await telegram.getMe();
      return bot.botInfo;
    } catch (error) {
      if (error instanceof TelegramError && error.code === 401) {
        throw new KanalError("KA_CONFIG", "TELEGRAM_BOT_TOKEN was refused by Telegram (401 Unauthorized): check the token with @BotFather");
      }
      throw error;
    }
  }

  const webhook: Webhook | undefined = options.webhook
    ? {
        path: "telegram",
        async handle(request: WebhookRequest): Promise<WebhookResponse> {
          if (request.method !== "POST") return { status: 405, body: { error: "Telegram delivers updates with POST" } };
          const header = request.headers[SECRET_HEADER];
          const given = Array.isArray(header) ? header[0] : header;
          // Compared as SHA-256 digests: equal lengths for timingSafeEqual, and no early exit on length.
          if (given === undefined || !timingSafeEqual(digest(given), secretDigest!)) {
            return { status: 401, body: { error: "missing or wrong X-Telegram-Bot-Api-Secret-Token" } };
          }
          if (!sink || stopped) return { status: 503, body: { error: "the Telegram channel is not running" } };
          let update: unknown;
          try {
            update = JSON.parse(request.rawBody.toString("utf8"));
          } catch {
            return { status: 400, body: { error: "the body is not JSON" } };
          }
          if (typeof update !== "object" || update === null || typeof (update as { update_id?: unknown }).update_id !== "number") {
            return { status: 400, body: { error: "the body is not a Telegram update" } };
          }
          try {
            await bot.handleUpdate(update as Update);
            return { status: 200, body: {} };
          } catch (error) {
            // Telegram retries a non-2xx answer; the pipeline dedupes by providerMessageId.
            log("telegram: an update failed; Telegram will deliver it again", {
              updateId: (update as Update).update_id,
              error: (error as Error).message,
            });
            return { status: 500, body: { error: "the update was not processed" } };
          }
        },
      }
    : undefined;

  return {
    name: "telegram",
    limits: TELEGRAM_LIMITS,
    webhook,
    // Long polling: two pollers on one bot take each other's updates (Telegram answers 409).
    singleton: !options.webhook,
    get botInfo() {
      return bot.botInfo;
    },

    status() {
      if (!sink || stopped) return { state: "stopped" };
      return { state: options.webhook ? "webhook" : "running" };
    },

    async start(inboundSink, services?: ChannelServices) {
      if (sink) throw new Error("telegram: start() was called twice");
      staffSink = services?.staff;
      await ensureBotInfo();
      // Stopped while Telegram was slow to answer (a start that timed out): start nothing more.
      if (stopped) throw new Error("telegram: stopped while starting");
      sink = inboundSink;
      if (options.webhook) {
        try {
          await telegram.setWebhook(options.webhook.url, {
            secret_token: options.webhook.secret,
            allowed_updates: [...ALLOWED_UPDATES],
          });
        } catch (error) {
          if (error instanceof TelegramError && error.code === 400) {
            throw new KanalError(
              "KA_CONFIG",
              `Telegram refused the webhook ${options.webhook.url} (${error.description}): PUBLIC_BASE_URL must be a public https URL`,
            );
          }
          throw error;
        }
        log("telegram: webhook set", { url: options.webhook.url });
        return;
      }
      // getUpdates is refused (409) while a webhook is set, e.g. left over from webhook mode.
      await telegram.deleteWebhook({ drop_pending_updates: false });
      if (stopped) throw new Error("telegram: stopped while starting");
      poller = startPolling({
        telegram,
        timeoutSeconds: options.pollingTimeoutSeconds ?? 50,
        allowedUpdates: [...ALLOWED_UPDATES],
        handle: (update) => bot.handleUpdate(update),
        log,
        backoffMs: options.pollingBackoffMs ?? 1000,
        stopGraceMs: options.stopGraceMs ?? 10_000,
      });
      log("telegram: long polling started", { bot: bot.botInfo?.username });
    },

    send(chatId, message) {
      return sendTo(chatId, message);
    },

    stop() {
      stopping ??= (async () => {
        stopped = true;
        await poller?.stop();
      })();
      return stopping;
    },
  };
}
