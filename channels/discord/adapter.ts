import { Client, DiscordjsError, DiscordjsErrorCodes, Events, GatewayIntentBits, Options, Partials, type Message } from "discord.js";
import { KanalError, type ChannelAdapter, type ChannelLimits, type InboundSink, type Log } from "../../src/core/index.js";
import { createDeliveryQueue } from "../shared/index.js";
import { ignoreReason, toInbound, type DiscordMessageView } from "./inbound.js";
import { createSender } from "./send.js";
import { DISCORD_TEXT_LIMIT } from "./text.js";

export interface DiscordAdapterOptions {
  /** DISCORD_BOT_TOKEN. */
  token: string;
  /** DISCORD_API_BASE without the version (https://discord.com/api), or a local fake; the gateway URL comes from GET /gateway/bot. */
  apiBase: string;
  /** ATTACHMENT_MAX_BYTES: a download stops as soon as it passes this. */
  maxAttachmentBytes: number;
  log?: Log;
  /** Waits between attempts to hand a message to the pipeline (default 1 s, 5 s, 30 s, 2 min, 10 min). */
  sinkRetryDelaysMs?: readonly number[];
  /** How long start() waits for the gateway's READY (default 30 s). */
  readyTimeoutMs?: number;
  /** How long stop() waits for messages being recorded (default 10 s). */
  stopGraceMs?: number;
}

export interface DiscordAdapter extends ChannelAdapter {
  readonly name: "discord";
  /** The bot's user id, known once started. */
  readonly botUserId: string | undefined;
}

/**
 * Discord allows 5 messages per 5 s per channel and 50 requests per second per bot
 * (https://discord.com/developers/docs/topics/rate-limits); the pacer stays just under both.
 */
export const DISCORD_LIMITS: ChannelLimits = {
  maxTextLength: DISCORD_TEXT_LIMIT,
  media: true,
  buttons: false,
  delivery: "push",
  canReachLater: true,
  pacing: { perChatMs: 1100, globalPerSecond: 40 },
  // Paced 1.1 s apart per chat: one step's answer as one message arrives at once.
  oneMessagePerStep: true,
};

export const DEFAULT_SINK_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 30_000, 120_000, 600_000];

/** Routes whose 429 goes back to the outbox as a SendResult; discord.js waits out the others (log-in). */
const REJECT_ON_RATE_LIMIT = /^\/channels\/:id\/messages|^\/channels\/\d+\/messages/;

function viewOf(message: Message): DiscordMessageView {
  return {
    id: message.id,
    channelId: message.channelId,
    guildId: message.guildId,
    // With Partials.Channel a DM arrives with a partial DMChannel (type known from channel_type).
    channelType: message.channel?.type,
    type: message.type,
    system: message.system,
    author: { id: message.author.id, username: message.author.username, globalName: message.author.globalName, bot: message.author.bot },
    content: message.content,
    createdTimestamp: message.createdTimestamp,
    attachments: [...message.attachments.values()].map((a) => ({
      id: a.id,
      url: a.url,
      name: a.name,
      size: a.size,
      contentType: a.contentType,
    })),
    stickers: message.stickers.size,
  };
}

export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  const log: Log = options.log ?? (() => undefined);
  const token = options.token.trim();
  if (token === "") throw new KanalError("KA_CONFIG", "DISCORD_BOT_TOKEN must not be empty");
  const apiBase = options.apiBase.replace(/\/+$/, "");
  try {
    const url = new URL(apiBase);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    throw new KanalError(
      "KA_CONFIG",
      `DISCORD_API_BASE must be an http(s) URL without the version, e.g. https://discord.com/api (got ${options.apiBase})`,
    );
  }

  const client = new Client({
    // DMs only. MessageContent is privileged and concerns guild messages; DMs carry their content
    // without it, and asking for it unapproved makes Discord refuse the log-in (close code 4014).
    intents: [GatewayIntentBits.DirectMessages],
    // Without Partials.Channel discord.js drops a DM whose channel it has not cached: the first one.
    partials: [Partials.Channel],
    rest: {
      api: apiBase,
      rejectOnRateLimit: (data) => REJECT_ON_RATE_LIMIT.test(data.route),
      // retryAfterMs is Discord's own figure; the outbox adds its own slack.
      offset: 0,
      // One retry of a 5xx or timeout inside discord.js, then the outbox's backoff takes over.
      retries: 1,
      timeout: 15_000,
    },
    // Messages are handled once and never looked up again.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
  });
  // Sends work before (and without) the gateway: REST needs only the token.
  client.rest.setToken(token);
  const sendTo = createSender(client.rest);

  let sink: InboundSink | undefined;
  let started = false;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const queue = createDeliveryQueue({
    sink: () => sink,
    retryDelaysMs: options.sinkRetryDelaysMs ?? DEFAULT_SINK_RETRY_DELAYS_MS,
    log,
    channel: "discord",
  });

  client.on(Events.MessageCreate, (message) => {
    if (stopped) return;
    const view = viewOf(message);
    if (ignoreReason(view, client.user?.id)) return;
    queue.push(view.channelId, async () => toInbound(view, options.maxAttachmentBytes));
  });
  client.on(Events.Error, (error) => log("discord: client error", { error: error.message }));
  client.on(Events.ShardDisconnect, (event, shardId) =>
    log("discord: gateway disconnected; discord.js reconnects", { code: event.code, shardId }),
  );
  client.on(Events.ShardResume, (shardId) => log("discord: gateway resumed", { shardId }));

  /** Log-in (GET /gateway/bot, then the gateway) until READY, bounded: a gateway that never answers fails start(). */
  async function login(): Promise<void> {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    let onReady: (() => void) | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`discord: no READY from the gateway within ${timeoutMs} ms`)), timeoutMs);
      onReady = () => resolve();
      client.once(Events.ClientReady, onReady);
    });
    try {
      await Promise.all([client.login(token), ready]);
    } catch (error) {
      if (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid) {
        throw new KanalError(
          "KA_CONFIG",
          "DISCORD_BOT_TOKEN was refused by Discord (401): copy the bot's token from the Developer Portal (Bot → Reset Token)",
        );
      }
      if (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.DisallowedIntents) {
        throw new KanalError(
          "KA_CONFIG",
          "Discord refused the gateway intents (4014): the bot needs only Direct Messages; check the Developer Portal's Privileged Gateway Intents",
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      if (onReady) client.off(Events.ClientReady, onReady);
    }
  }

  return {
    name: "discord",
    singleton: true,
    limits: DISCORD_LIMITS,
    get botUserId() {
      return client.user?.id;
    },

    status() {
      if (stopped || !started) return { state: "stopped" };
      // discord.js reconnects to the gateway by itself; until it is back the channel is not ready.
      return { state: client.isReady() ? "running" : "connecting" };
    },

    async start(inboundSink) {
      if (started) throw new Error("discord: start() was called twice");
      started = true;
      sink = inboundSink;
      try {
        await login();
      } catch (error) {
        await client.destroy().catch(() => undefined);
        throw error;
      }
      log("discord: connected", { bot: client.user?.tag, id: client.user?.id });
    },

    async send(chatId, message) {
      try {
        return await sendTo(chatId, message);
      } catch (error) {
        return { ok: false, retryable: false, reason: `discord: unexpected: ${(error as Error).message}` };
      }
    },

    stop() {
      stopping ??= (async () => {
        stopped = true;
        await queue.close(options.stopGraceMs ?? 10_000);
        await client.destroy();
      })();
      return stopping;
    },
  };
}
