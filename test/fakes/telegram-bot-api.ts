/**
 * A fake Telegram Bot API server on 127.0.0.1 that speaks the real wire format
 * (https://core.telegram.org/bots/api#making-requests): `POST|GET /bot<token>/<method>` with JSON,
 * form-urlencoded or multipart bodies, answers `{ok:true,result}` or
 * `{ok:false,error_code,description,parameters?}` with the HTTP status equal to error_code, and serves
 * files at `/file/bot<token>/<file_path>`. It keeps state the way Telegram does: an update queue
 * confirmed by getUpdates' offset, long polling that holds the request, message ids per chat,
 * stored messages for replies and edits, a webhook that blocks getUpdates. Refusals a client must
 * handle (429 with retry_after, 5xx, 403) are injected per method.
 */
import { Buffer } from "node:buffer";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Chat, Update, UserFromGetMe } from "telegraf/types";
import { multipartBoundary, parseFormValue, parseMultipart, type UploadedFile } from "./form-body.js";
import { streamInPieces } from "./stream-body.js";

export interface ApiCall {
  method: string;
  /** The request's parameters: JSON as sent; form fields as strings (JSON-serialised ones parsed); uploads as UploadedFile. */
  params: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
}

export type { UploadedFile } from "./form-body.js";

/** A message the bot sent (sendMessage, sendPhoto, sendDocument) or edited (editMessageText). */
export interface SentMessage {
  method: string;
  chatId: string;
  messageId: number;
  /** What the user sees: HTML parsed, entities unescaped. */
  text?: string;
  caption?: string;
  /** The text or caption exactly as sent. */
  source?: string;
  parseMode?: string;
  entities: Entity[];
  replyMarkup?: Record<string, unknown>;
  replyToMessageId?: number;
  file?: UploadedFile | string;
  params: Record<string, unknown>;
}

export interface Entity {
  type: string;
  offset: number;
  length: number;
}

export interface FileDownload {
  path: string;
  total: number;
  bytesSent: number;
  completed: boolean;
}

export interface FakeBotApiOptions {
  token?: string;
  botInfo?: Partial<UserFromGetMe>;
  /** The first update_id handed out (Telegram starts at an arbitrary number). */
  firstUpdateId?: number;
}

export interface FakeBotApi {
  /** The API root, with a trailing slash: `http://127.0.0.1:PORT/`. */
  url: string;
  token: string;
  botInfo: UserFromGetMe;
  calls: ApiCall[];
  callsTo(method: string): ApiCall[];
  /** Queues an update (its update_id replaced by the next one) and wakes a waiting getUpdates. */
  pushUpdate(update: object): Update;
  updates: {
    /** Queued, not yet confirmed by a getUpdates offset. */
    pending(): Update[];
    /** update_ids confirmed so far, in order. */
    confirmed(): number[];
    isConfirmed(updateId: number): boolean;
  };
  files: {
    register(
      fileId: string,
      bytes: Uint8Array,
      path: string,
      options?: { declaredSize?: number; uniqueId?: string; chunked?: boolean },
    ): void;
    downloads(): FileDownload[];
  };
  /** The next `times` calls of `method` answer 429 "Too Many Requests: retry after N". */
  inject429(method: string, retryAfterSeconds: number, times?: number): void;
  /**
   * The next `times` calls of `method` answer this error (HTTP status = errorCode); with `afterCalls`,
   * only once that many further calls of it have succeeded (to fail the second part of a split message).
   */
  inject(
    method: string,
    errorCode: number,
    description: string,
    times?: number,
    extra?: { parameters?: Record<string, unknown>; afterCalls?: number },
  ): void;
  /** Messages the bot sent, optionally in one chat. */
  sent(chatId?: string | number): SentMessage[];
  webhookInfo(): { url: string; secretToken?: string; allowedUpdates?: string[] } | undefined;
  /** Resolves with the first truthy value of `probe`, polling every 10 ms; rejects after `timeoutMs`. */
  until<T>(probe: () => T | undefined | false | null, timeoutMs?: number, what?: string): Promise<T>;
  waitForCall(method: string, predicate?: (call: ApiCall) => boolean, timeoutMs?: number): Promise<ApiCall>;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

/** A parameter as the Bot API reads it: a string, or a number or boolean written out; anything else is absent. */
function scalar(value: unknown): string | undefined {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Request bodies

function parseBody(request: IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = request.headers["content-type"] ?? "";
  if (body.byteLength === 0) return {};
  if (type.startsWith("application/json")) {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) throw badRequest("invalid JSON body");
    return parsed as Record<string, unknown>;
  }
  if (type.startsWith("application/x-www-form-urlencoded")) {
    const params: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) params[key] = parseFormValue(value);
    return params;
  }
  if (type.startsWith("multipart/form-data")) {
    const boundary = multipartBoundary(type);
    if (!boundary) throw badRequest("multipart boundary missing");
    return parseMultipart(body, boundary);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Telegram's HTML subset (https://core.telegram.org/bots/api#html-style)

const TAGS: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  a: "text_link",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  "tg-emoji": "custom_emoji",
};
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/** A text message from a citizen in their private chat with the bot, as Telegram delivers it in an update. */
export function privateText(citizen: number, messageId: number, text: string, firstName = "Sari") {
  return {
    message_id: messageId,
    from: { id: citizen, is_bot: false, first_name: firstName, language_code: "id" },
    chat: { id: citizen, type: "private" as const, first_name: firstName },
    date: Math.floor(Date.now() / 1000),
    text,
  };
}

/** Parses like Telegram does, refusing what Telegram refuses: unknown tags, unbalanced tags, unknown entities. */
export function parseTelegramHtml(source: string): { text: string; entities: Entity[] } {
  let text = "";
  const entities: Entity[] = [];
  const open: { tag: string; offset: number }[] = [];
  const byteOffset = (i: number) => Buffer.byteLength(source.slice(0, i), "utf8");
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "<") {
      const match = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^>]*)?)>/.exec(source.slice(i));
      if (!match) throw badRequest(`can't parse entities: Unexpected end of name token at byte offset ${byteOffset(i)}`);
      const [whole, closing, rawTag] = match;
      const tag = rawTag!.toLowerCase();
      if (!(tag in TAGS)) throw badRequest(`can't parse entities: Unsupported start tag "${tag}" at byte offset ${byteOffset(i)}`);
      if (closing) {
        const top = open.pop();
        if (!top || top.tag !== tag)
          throw badRequest(
            `can't parse entities: Unmatched end tag at byte offset ${byteOffset(i)}, expected "</${top?.tag ?? ""}>", found "</${tag}>"`,
          );
        if (text.length > top.offset) entities.push({ type: TAGS[tag]!, offset: top.offset, length: text.length - top.offset });
      } else {
        open.push({ tag, offset: text.length });
      }
      i += whole.length;
      continue;
    }
    if (c === "&") {
      const match = /^&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/.exec(source.slice(i));
      if (match) {
        const name = match[1]!;
        if (name.startsWith("#x")) text += String.fromCodePoint(parseInt(name.slice(2), 16));
        else if (name.startsWith("#")) text += String.fromCodePoint(parseInt(name.slice(1), 10));
        else if (name in NAMED) text += NAMED[name];
        else throw badRequest(`can't parse entities: Unsupported HTML entity "&${name};" at byte offset ${byteOffset(i)}`);
        i += match[0].length;
        continue;
      }
    }
    text += c;
    i += 1;
  }
  if (open.length > 0)
    throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${open[open.length - 1]!.tag}"`);
  entities.sort((a, b) => a.offset - b.offset);
  return { text, entities };
}

// ---------------------------------------------------------------------------------------------

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const UPDATE_TYPES = [
  "message",
  "edited_message",
  "channel_post",
  "edited_channel_post",
  "callback_query",
  "my_chat_member",
  "chat_member",
  "inline_query",
  "message_reaction",
];

interface Waiter {
  response: ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

interface StoredFile {
  bytes: Uint8Array;
  path: string;
  declaredSize: number;
  uniqueId: string;
  chunked: boolean;
}

const updateType = (update: object) => UPDATE_TYPES.find((t) => t in update);

export async function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const token = options.token ?? "7000000001:AAF-fake-token-for-tests";
  const botInfo: UserFromGetMe = {
    id: Number(token.split(":")[0]),
    is_bot: true,
    first_name: "Kanal Aduan",
    username: "KanalAduanBot",
    can_join_groups: true,
    can_read_all_group_messages: true,
    supports_inline_queries: false,
    ...options.botInfo,
  };

  const calls: ApiCall[] = [];
  const queue: Update[] = [];
  const confirmed: number[] = [];
  let nextUpdateId = options.firstUpdateId ?? 500_000_001;
  let waiter: Waiter | undefined;
  let allowedUpdates: string[] | undefined;
  let webhook: { url: string; secretToken?: string; allowedUpdates?: string[] } | undefined;
  const injected = new Map<
    string,
    { code: number; description: string; parameters?: Record<string, unknown>; times: number; afterCalls: number }[]
  >();
  const chats = new Map<string, Chat>();
  const messages = new Map<string, Map<number, Record<string, unknown>>>();
  const lastMessageId = new Map<string, number>();
  const sentMessages: SentMessage[] = [];
  const files = new Map<string, StoredFile>();
  const downloads: FileDownload[] = [];
  const callbackQueries = new Set<string>();

  // ---- state helpers

  const chatOf = (chatId: string): Chat => {
    const known = chats.get(chatId);
    if (known) return known;
    const chat = (
      Number(chatId) > 0
        ? { id: Number(chatId), type: "private", first_name: "Warga" }
        : { id: Number(chatId), type: "supergroup", title: "Grup" }
    ) as Chat;
    chats.set(chatId, chat);
    return chat;
  };

  const remember = (message: Record<string, unknown>) => {
    const chat = message.chat as Chat;
    const chatId = String(chat.id);
    if (!chats.has(chatId)) chats.set(chatId, chat);
    const id = message.message_id as number;
    if (!messages.has(chatId)) messages.set(chatId, new Map());
    messages.get(chatId)!.set(id, message);
    lastMessageId.set(chatId, Math.max(lastMessageId.get(chatId) ?? 0, id));
  };

  const nextMessageId = (chatId: string) => {
    const id = (lastMessageId.get(chatId) ?? 0) + 1;
    lastMessageId.set(chatId, id);
    return id;
  };

  const deliverable = (offset: number, limit: number) =>
    queue
      .filter((u) => u.update_id >= offset && (allowedUpdates === undefined || allowedUpdates.includes(updateType(u) ?? "")))
      .slice(0, limit);

  const confirmBelow = (offset: number) => {
    while (queue.length > 0 && queue[0]!.update_id < offset) confirmed.push(queue.shift()!.update_id);
  };

  function respond(response: ServerResponse, status: number, body: unknown) {
    if (response.writableEnded || response.destroyed) return;
    const text = JSON.stringify(body);
    response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    response.end(text);
  }

  const ok = (response: ServerResponse, result: unknown) => respond(response, 200, { ok: true, result });

  function wakeWaiter() {
    if (!waiter) return;
    const ready = deliverable(waiter.offset, waiter.limit);
    if (ready.length === 0) return;
    const { response, timer } = waiter;
    waiter = undefined;
    clearTimeout(timer);
    ok(response, ready);
  }

  // ---- methods

  function text(params: Record<string, unknown>, field: "text" | "caption", limit: number, required: boolean) {
    const source = params[field];
    if (source === undefined || source === null || source === "") {
      if (required) throw badRequest("message text is empty");
      return { visible: undefined, entities: [] as Entity[], source: undefined };
    }
    const raw = scalar(source) ?? "";
    const parseMode = scalar(params.parse_mode);
    const parsed = parseMode?.toLowerCase() === "html" ? parseTelegramHtml(raw) : { text: raw, entities: [] };
    if (required && parsed.text.trim() === "") throw badRequest("message text is empty");
    if (parsed.text.length > limit) throw badRequest(field === "text" ? "message is too long" : "message caption is too long");
    return { visible: parsed.text, entities: parsed.entities, source: raw };
  }

  function checkMarkup(markup: unknown): Record<string, unknown> | undefined {
    if (markup === undefined || markup === null) return undefined;
    if (typeof markup !== "object") throw badRequest("can't parse reply keyboard markup JSON object");
    const m = markup as Record<string, unknown>;
    if (Array.isArray(m.inline_keyboard)) {
      for (const row of m.inline_keyboard as unknown[]) {
        for (const button of row as Record<string, unknown>[]) {
          if (!button.text) throw badRequest("text buttons are unallowed in the inline keyboard");
          if (typeof button.callback_data === "string" && (Buffer.byteLength(button.callback_data) > 64 || button.callback_data === "")) {
            throw badRequest("BUTTON_DATA_INVALID");
          }
        }
      }
    }
    return m;
  }

  function replyTarget(chatId: string, params: Record<string, unknown>): Record<string, unknown> | undefined {
    const reply =
      (params.reply_parameters as Record<string, unknown> | undefined) ??
      (params.reply_to_message_id !== undefined
        ? { message_id: params.reply_to_message_id, allow_sending_without_reply: params.allow_sending_without_reply }
        : undefined);
    if (!reply) return undefined;
    const id = Number(reply.message_id);
    const target = messages.get(chatId)?.get(id);
    const allow = reply.allow_sending_without_reply === true || reply.allow_sending_without_reply === "true";
    if (!target && !allow) throw badRequest("message to be replied not found");
    return target ?? { replyToMissing: id };
  }

  function send(method: string, params: Record<string, unknown>): Record<string, unknown> {
    const chatId = scalar(params.chat_id) ?? "";
    if (chatId === "") throw badRequest("chat_id is empty");
    const chat = chatOf(chatId);
    const isText = method === "sendMessage";
    const body = isText ? text(params, "text", TEXT_LIMIT, true) : text(params, "caption", CAPTION_LIMIT, false);
    const markup = checkMarkup(params.reply_markup);
    const target = replyTarget(chatId, params);
    const fileField = method === "sendPhoto" ? "photo" : method === "sendDocument" ? "document" : undefined;
    const file = fileField ? (params[fileField] as UploadedFile | string | undefined) : undefined;
    if (fileField && (file === undefined || file === "")) throw badRequest(`there is no ${fileField} in the request`);
    const messageId = nextMessageId(chatId);
    const message: Record<string, unknown> = {
      message_id: messageId,
      from: { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username },
      chat,
      date: Math.floor(Date.now() / 1000),
    };
    if (isText) message.text = body.visible;
    else if (body.visible !== undefined) message.caption = body.visible;
    if (body.entities.length > 0) message[isText ? "entities" : "caption_entities"] = body.entities;
    const size = typeof file === "object" ? file.size : 1000;
    if (method === "sendPhoto") {
      message.photo = [
        {
          file_id: `photo-${chatId}-${messageId}-s`,
          file_unique_id: `ps${messageId}`,
          width: 90,
          height: 90,
          file_size: Math.min(size, 1500),
        },
        { file_id: `photo-${chatId}-${messageId}`, file_unique_id: `p${messageId}`, width: 1280, height: 960, file_size: size },
      ];
    }
    if (method === "sendDocument") {
      message.document = {
        file_id: `doc-${chatId}-${messageId}`,
        file_unique_id: `d${messageId}`,
        file_name: typeof file === "object" ? file.filename : "file",
        file_size: size,
      };
    }
    if (target && !("replyToMissing" in target)) message.reply_to_message = { ...target, reply_to_message: undefined };
    if (markup && "inline_keyboard" in markup) message.reply_markup = markup;
    remember(message);
    sentMessages.push({
      method,
      chatId,
      messageId,
      text: isText ? body.visible : undefined,
      caption: isText ? undefined : body.visible,
      source: body.source,
      parseMode: scalar(params.parse_mode),
      entities: body.entities,
      replyMarkup: markup,
      replyToMessageId: target ? ((target.message_id as number | undefined) ?? (target.replyToMissing as number)) : undefined,
      file,
      params,
    });
    return JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
  }

  function execute(method: string, params: Record<string, unknown>, response: ServerResponse): void {
    switch (method) {
      case "getMe":
        return ok(response, botInfo);
      case "getUpdates": {
        if (webhook)
          throw new ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          );
        const offset = Number(params.offset ?? 0);
        const limit = Math.min(Math.max(Number(params.limit ?? 100), 1), 100);
        const timeout = Number(params.timeout ?? 0);
        if (Array.isArray(params.allowed_updates) && params.allowed_updates.length > 0) allowedUpdates = params.allowed_updates as string[];
        if (offset > 0) confirmBelow(offset);
        if (waiter) {
          // Telegram allows one getUpdates at a time per bot: the older request is terminated.
          const old = waiter;
          waiter = undefined;
          clearTimeout(old.timer);
          respond(old.response, 409, {
            ok: false,
            error_code: 409,
            description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
          });
        }
        const ready = deliverable(offset, limit);
        if (ready.length > 0 || timeout <= 0) return ok(response, ready);
        const timer = setTimeout(() => {
          if (waiter?.response === response) waiter = undefined;
          ok(response, []);
        }, timeout * 1000);
        waiter = { response, offset, limit, timer };
        response.on("close", () => {
          if (waiter?.response === response) {
            clearTimeout(waiter.timer);
            waiter = undefined;
          }
        });
        return;
      }
      case "setWebhook": {
        const url = scalar(params.url) ?? "";
        if (url === "") {
          webhook = undefined;
          return ok(response, true);
        }
        if (!url.startsWith("https://")) throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
        const secret = scalar(params.secret_token);
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest("secret token contains unallowed characters");
        const allowed = Array.isArray(params.allowed_updates) ? (params.allowed_updates as string[]) : undefined;
        webhook = { url, secretToken: secret, allowedUpdates: allowed };
        if (allowed && allowed.length > 0) allowedUpdates = allowed;
        return ok(response, true);
      }
      case "deleteWebhook":
        webhook = undefined;
        if (params.drop_pending_updates === true || params.drop_pending_updates === "true") confirmBelow(Number.MAX_SAFE_INTEGER);
        return ok(response, true);
      case "getWebhookInfo":
        return ok(response, {
          url: webhook?.url ?? "",
          has_custom_certificate: false,
          pending_update_count: queue.length,
          ...(webhook?.allowedUpdates ? { allowed_updates: webhook.allowedUpdates } : {}),
        });
      case "sendMessage":
      case "sendPhoto":
      case "sendDocument":
        return ok(response, send(method, params));
      case "editMessageText": {
        const chatId = scalar(params.chat_id) ?? "";
        const stored = messages.get(chatId)?.get(Number(params.message_id));
        if (!stored) throw badRequest("message to edit not found");
        const body = text(params, "text", TEXT_LIMIT, true);
        const markup = checkMarkup(params.reply_markup);
        if (stored.text === body.visible && JSON.stringify(stored.reply_markup) === JSON.stringify(markup)) {
          throw badRequest(
            "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          );
        }
        stored.text = body.visible;
        stored.edit_date = Math.floor(Date.now() / 1000);
        if (markup) stored.reply_markup = markup;
        sentMessages.push({
          method,
          chatId,
          messageId: stored.message_id as number,
          text: body.visible,
          source: body.source,
          parseMode: params.parse_mode as string | undefined,
          entities: body.entities,
          replyMarkup: markup,
          params,
        });
        return ok(response, stored);
      }
      case "answerCallbackQuery": {
        const id = scalar(params.callback_query_id) ?? "";
        if (!callbackQueries.has(id)) throw badRequest("query is too old and response timeout expired or query ID is invalid");
        if ((scalar(params.text) ?? "").length > 200) throw badRequest("MESSAGE_TOO_LONG");
        callbackQueries.delete(id);
        return ok(response, true);
      }
      case "sendChatAction":
        return ok(response, true);
      case "getFile": {
        const file = files.get(scalar(params.file_id) ?? "");
        if (!file) throw badRequest("invalid file_id");
        if (file.declaredSize > DOWNLOAD_LIMIT) throw badRequest("file is too big");
        return ok(response, { file_id: params.file_id, file_unique_id: file.uniqueId, file_size: file.declaredSize, file_path: file.path });
      }
      default:
        throw new ApiError(404, "Not Found");
    }
  }

  async function serveFile(path: string, response: ServerResponse) {
    const file = [...files.values()].find((f) => f.path === path);
    if (!file) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }));
      return;
    }
    const record: FileDownload = { path, total: file.bytes.byteLength, bytesSent: 0, completed: false };
    downloads.push(record);
    response.writeHead(200, {
      "content-type": "application/octet-stream",
      ...(file.chunked ? {} : { "content-length": file.bytes.byteLength }),
    });
    await streamInPieces(response, file.bytes, 64 * 1024, record);
  }

  // ---- server

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
      if (fileMatch && request.method === "GET") {
        if (fileMatch[1] !== token) return respond(response, 401, { ok: false, error_code: 401, description: "Unauthorized" });
        void serveFile(decodeURIComponent(fileMatch[2]!), response);
        return;
      }
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
      if (!match) return respond(response, 404, { ok: false, error_code: 404, description: "Not Found" });
      if (match[1] !== token) return respond(response, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      const method = match[2]!;
      let params: Record<string, unknown>;
      try {
        params = {
          ...Object.fromEntries([...url.searchParams].map(([k, v]) => [k, parseFormValue(v)])),
          ...parseBody(request, Buffer.concat(chunks)),
        };
      } catch {
        return respond(response, 400, { ok: false, error_code: 400, description: "Bad Request: invalid request body" });
      }
      calls.push({ method, params, at: Date.now() });
      try {
        const queued = injected.get(method);
        const injection = queued?.[0];
        if (injection && injection.afterCalls > 0) {
          injection.afterCalls -= 1;
        } else if (injection) {
          injection.times -= 1;
          if (injection.times <= 0) queued.shift();
          throw new ApiError(injection.code, injection.description, injection.parameters);
        }
        execute(method, params, response);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        respond(response, error.code, {
          ok: false,
          error_code: error.code,
          description: error.description,
          ...(error.parameters ? { parameters: error.parameters } : {}),
        });
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const api: FakeBotApi = {
    url: `http://127.0.0.1:${port}/`,
    token,
    botInfo,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    pushUpdate(update) {
      const full = { ...(update as Record<string, unknown>), update_id: nextUpdateId++ } as unknown as Update;
      const u = full as unknown as Record<string, Record<string, unknown> | undefined>;
      const message = u.message ?? u.edited_message ?? u.channel_post;
      if (message?.chat) remember(message);
      const query = u.callback_query;
      if (query) {
        callbackQueries.add(String(query.id));
        const card = query.message as Record<string, unknown> | undefined;
        if (card?.chat) chats.set(String((card.chat as Chat).id), card.chat as Chat);
      }
      queue.push(full);
      wakeWaiter();
      return full;
    },
    updates: {
      pending: () => [...queue],
      confirmed: () => [...confirmed],
      isConfirmed: (id) => confirmed.includes(id),
    },
    files: {
      register(fileId, bytes, path, opts = {}) {
        files.set(fileId, {
          bytes,
          path,
          declaredSize: opts.declaredSize ?? bytes.byteLength,
          uniqueId: opts.uniqueId ?? `u-${fileId}`,
          chunked: opts.chunked ?? false,
        });
      },
      downloads: () => [...downloads],
    },
    inject429(method, retryAfterSeconds, times = 1) {
      api.inject(method, 429, `Too Many Requests: retry after ${retryAfterSeconds}`, times, {
        parameters: { retry_after: retryAfterSeconds },
      });
    },
    inject(method, errorCode, description, times = 1, extra = {}) {
      const list = injected.get(method) ?? [];
      list.push({ code: errorCode, description, parameters: extra.parameters, times, afterCalls: extra.afterCalls ?? 0 });
      injected.set(method, list);
    },
    sent: (chatId) => sentMessages.filter((m) => chatId === undefined || m.chatId === String(chatId)),
    webhookInfo: () => (webhook ? { ...webhook } : undefined),
    async until(probe, timeoutMs = 5000, what = "condition") {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`fake Bot API: timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    waitForCall(method, predicate = () => true, timeoutMs = 5000) {
      return api.until(() => calls.find((c) => c.method === method && predicate(c)), timeoutMs, `a ${method} call`);
    },
    async close() {
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter = undefined;
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
