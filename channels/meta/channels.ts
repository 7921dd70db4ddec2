import {
  errorKind,
  isRetryLater,
  KanalError,
  type ChannelAdapter,
  type ChannelLimits,
  type InboundFailure,
  type InboundSink,
  type OutboundMessage,
  type SendResult,
  type Webhook,
  type Log,
} from "../../src/core/index.js";
import { parseWebhookBody, type MetaChannelName, type MetaEvent, type ParseContext, type StatusUpdate } from "./inbound.js";
import { createMessengerSender, STANDARD_WINDOW_HOURS, TEXT_LIMITS } from "./send-messenger.js";
import { createWhatsAppSender, WA_TEXT_LIMIT, WA_WINDOW_HOURS } from "./send-whatsapp.js";
import { createMetaWebhook } from "./webhook.js";

export interface MetaChannelsOptions {
  /** META_APP_SECRET: the key of X-Hub-Signature-256. */
  appSecret: string;
  /** META_VERIFY_TOKEN: what the subscription check must present. */
  verifyToken: string;
  /** META_GRAPH_API_BASE, with its version: https://graph.facebook.com/v21.0, or a local fake. */
  graphApiBase: string;
  /** WHATSAPP_CLOUD_TOKEN and WHATSAPP_PHONE_NUMBER_ID; WHATSAPP_REPLY_TEMPLATE and its language. */
  whatsapp?: { token: string; phoneNumberId: string; replyTemplate?: { name: string; language: string } };
  /** META_PAGE_ACCESS_TOKEN: Messenger and Instagram sends. */
  pageAccessToken?: string;
  /** ATTACHMENT_MAX_BYTES: a download is stopped as soon as it passes this. */
  maxAttachmentBytes: number;
  log?: Log;
  /** For the reply windows (tests move it). */
  clock?: () => Date;
  /**
   * WhatsApp delivery receipts of messages we sent. A KA_DATABASE / KA_SHUTTING_DOWN rejection makes
   * Meta deliver the body again; any other is the receipt's own failure, passed to onFailedMessage.
   */
  onStatus?: (update: StatusUpdate) => Promise<void>;
  /**
   * A message (or receipt) that could not be processed because of what it held: recorded by the
   * caller, so the rest of the body goes on and Meta is answered 200 instead of redelivering the
   * whole body for days. A rejection (the database away) makes Meta deliver the body again.
   */
  onFailedMessage?: (failure: InboundFailure) => Promise<void>;
}

export interface MetaChannels {
  /** Up to three: "whatsapp-cloud", "messenger", "instagram", each only when its credentials are set. */
  adapters: ChannelAdapter[];
  /** Mounted once at /webhooks/meta for all three; the adapters do not carry it. */
  webhook: Webhook;
}

/**
 * WhatsApp Cloud API: 80 messages per second per number by default
 * (https://developers.facebook.com/docs/whatsapp/cloud-api/overview#throughput).
 */
export function whatsappLimits(hasTemplate: boolean): ChannelLimits {
  return {
    maxTextLength: WA_TEXT_LIMIT,
    media: true,
    buttons: true,
    delivery: "push",
    canReachLater: true,
    replyWindow: { hours: WA_WINDOW_HOURS, outside: hasTemplate ? "template" : "none" },
    pacing: { globalPerSecond: 80 },
    // WhatsApp also limits messages to one user in a burst (131056), and a template outside the
    // window is billed per message: one step's answer goes as one (the last reply's buttons kept).
    oneMessagePerStep: true,
  };
}

export const MESSENGER_LIMITS: ChannelLimits = {
  maxTextLength: TEXT_LIMITS.messenger.max,
  media: true,
  buttons: true,
  delivery: "push",
  canReachLater: true,
  replyWindow: { hours: STANDARD_WINDOW_HOURS, outside: "tag" },
  oneMessagePerStep: true,
};

/** 1000 is bytes on Instagram: the sender splits multi-byte text further. Files go by public URL only: none sent. */
export const INSTAGRAM_LIMITS: ChannelLimits = {
  maxTextLength: TEXT_LIMITS.instagram.max,
  media: false,
  buttons: true,
  delivery: "push",
  canReachLater: true,
  replyWindow: { hours: STANDARD_WINDOW_HOURS, outside: "tag" },
  oneMessagePerStep: true,
};

function required(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === "") throw new KanalError("KA_CONFIG", `${name} must not be empty`);
  return value.trim();
}

/** "…/v21.0/" → "…/v21.0"; refuses what is not an http(s) URL. */
function graphBase(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KanalError("KA_CONFIG", `META_GRAPH_API_BASE is not a URL: ${value}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new KanalError("KA_CONFIG", "META_GRAPH_API_BASE must be an http(s) URL");
  return value.replace(/\/+$/, "");
}

/** A send that never throws: anything unexpected is a refusal on record, not a crash of the worker. */
function safe(send: (chatId: string, message: OutboundMessage) => Promise<SendResult>) {
  return async (chatId: string, message: OutboundMessage): Promise<SendResult> => {
    try {
      return await send(chatId, message);
    } catch (error) {
      return { ok: false, retryable: false, reason: `unexpected: ${(error as Error).message}` };
    }
  };
}

/**
 * The three Meta products behind one Meta app: one webhook, one adapter per product whose credentials
 * are set. Each adapter's start(sink) gives the webhook that product's sink; before any start the
 * webhook answers 503 (Meta retries), and a product without credentials is acknowledged and ignored.
 */
export function createMetaChannels(options: MetaChannelsOptions): MetaChannels {
  const appSecret = required(options.appSecret, "META_APP_SECRET");
  const verifyToken = required(options.verifyToken, "META_VERIFY_TOKEN");
  const base = graphBase(options.graphApiBase);
  const log: Log = options.log ?? (() => undefined);
  const clock = options.clock ?? (() => new Date());
  const sinks = new Map<MetaChannelName, InboundSink>();
  const adapters: ChannelAdapter[] = [];

  function adapter(
    name: MetaChannelName,
    limits: ChannelLimits,
    send: (chatId: string, message: OutboundMessage) => Promise<SendResult>,
  ): ChannelAdapter {
    return {
      name,
      limits,
      status: () => ({ state: sinks.has(name) ? "webhook" : "stopped" }),
      async start(sink) {
        if (sinks.has(name)) throw new Error(`${name}: start() was called twice`);
        sinks.set(name, sink);
      },
      send: safe(send),
      async stop() {
        sinks.delete(name);
      },
    };
  }

  let parseContext: ParseContext = { messenger: false, instagram: false, maxAttachmentBytes: options.maxAttachmentBytes };
  if (options.whatsapp) {
    const token = required(options.whatsapp.token, "WHATSAPP_CLOUD_TOKEN");
    const phoneNumberId = required(options.whatsapp.phoneNumberId, "WHATSAPP_PHONE_NUMBER_ID");
    const template = options.whatsapp.replyTemplate
      ? {
          name: required(options.whatsapp.replyTemplate.name, "WHATSAPP_REPLY_TEMPLATE"),
          language: required(options.whatsapp.replyTemplate.language, "the reply template's language"),
        }
      : undefined;
    adapters.push(
      adapter(
        "whatsapp-cloud",
        whatsappLimits(template !== undefined),
        createWhatsAppSender({ graphApiBase: base, token, phoneNumberId, replyTemplate: template, clock, log }),
      ),
    );
    parseContext = {
      ...parseContext,
      whatsapp: { phoneNumberId, media: { graphApiBase: base, token, maxBytes: options.maxAttachmentBytes } },
    };
  }
  if (options.pageAccessToken !== undefined && options.pageAccessToken.trim() !== "") {
    const pageAccessToken = options.pageAccessToken.trim();
    for (const channel of ["messenger", "instagram"] as const) {
      adapters.push(
        adapter(
          channel,
          channel === "messenger" ? MESSENGER_LIMITS : INSTAGRAM_LIMITS,
          createMessengerSender({ channel, graphApiBase: base, pageAccessToken, clock, log }),
        ),
      );
    }
    parseContext = { ...parseContext, messenger: true, instagram: true };
  }
  const context = parseContext;

  async function handle(event: MetaEvent): Promise<void> {
    if (event.kind === "status") {
      await options.onStatus?.(event.update);
      return;
    }
    const sink = sinks.get(event.message.channel);
    if (!sink) throw new KanalError("KA_SHUTTING_DOWN", `${event.message.channel} is not running; Meta will deliver the message again`);
    await sink(event.message);
  }

  /**
   * One event that failed because of what it held is recorded and the rest go on; only a failure
   * that is nobody's content (the database away, the bot stopping) fails the whole body, so that
   * Meta delivers it again (the pipeline handles a message id it has seen once).
   */
  async function failedAlone(event: MetaEvent, error: unknown): Promise<void> {
    if (isRetryLater(error)) throw error;
    const failure: InboundFailure =
      event.kind === "status"
        ? {
            channel: "whatsapp-cloud",
            providerMessageId: `status:${event.update.status}:${event.update.providerMessageId}`,
            reason: errorKind(error),
          }
        : { channel: event.message.channel, providerMessageId: event.message.providerMessageId, reason: errorKind(error) };
    log("meta: a webhook item could not be processed; recorded as failed, the others go on", { ...failure });
    await options.onFailedMessage?.(failure);
  }

  /** Messages of one sender in order (the flow reads them as a conversation); senders in parallel. */
  async function deliver(events: MetaEvent[]): Promise<void> {
    const chains = new Map<string, MetaEvent[]>();
    for (const event of events) {
      const key = event.kind === "status" ? "status" : `${event.message.channel}\u0000${event.message.chatId}`;
      chains.set(key, [...(chains.get(key) ?? []), event]);
    }
    const results = await Promise.allSettled(
      [...chains.values()].map(async (chain) => {
        for (const event of chain) await handle(event).catch((error: unknown) => failedAlone(event, error));
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }

  const webhook = createMetaWebhook({
    appSecret,
    verifyToken,
    log,
    running: () => sinks.size > 0,
    parse: (body) => parseWebhookBody(body, context),
    deliver,
  });

  // A line for the operator: which products will answer, and how WhatsApp replies after 24 hours.
  log("meta: channels configured", {
    channels: adapters.map((a) => a.name),
    ...(options.whatsapp ? { whatsappReplyTemplate: options.whatsapp.replyTemplate?.name ?? null } : {}),
  });
  return { adapters, webhook };
}
