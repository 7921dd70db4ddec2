/**
 * A fake of Discord for a bot, on one port of 127.0.0.1: the REST API under `/api/v10`
 * (https://discord.com/developers/docs/reference) and the gateway as a WebSocket at `/gateway`
 * (https://discord.com/developers/docs/events/gateway). It speaks the real wire format, so the real
 * discord.js client runs against it with `rest: { api: fake.apiBase }`:
 *
 * - REST: `GET /gateway/bot` (names the gateway URL), `GET /users/@me`, `POST /users/@me/channels`
 *   (opens a DM), `POST /channels/:id/messages` (JSON, or multipart with `payload_json` and
 *   `files[n]`), with `Authorization: Bot <token>` checked, rate-limit headers on every answer, and
 *   refusals injected per route: 429 with `retry_after` and the `X-RateLimit-*` / `Retry-After`
 *   headers (https://discord.com/developers/docs/topics/rate-limits), or any status and error code
 *   (50007 "Cannot send messages to this user").
 * - Gateway: HELLO (op 10), IDENTIFY (op 2) → READY, heartbeat (op 1) → ACK (op 11), RESUME (op 6) →
 *   RESUMED; `dispatchMessageCreate()` pushes MESSAGE_CREATE to every identified session. As Discord
 *   does, the bot's own sends come back as MESSAGE_CREATE.
 * - Files: `registerFile()` serves bytes at a CDN-like URL on the same port, for inbound attachments.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { streamInPieces } from "./stream-body.js";

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
}

/** A message as the REST API and the gateway give it (the fields discord.js reads). */
export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  content: string;
  timestamp: string;
  edited_timestamp: null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: unknown[];
  mention_roles: string[];
  attachments: FakeAttachment[];
  embeds: unknown[];
  pinned: boolean;
  type: number;
  flags: number;
  /** Gateway only: 1 for a DM (discord.js drops DMs without it unless the channel is cached). */
  channel_type?: number;
  message_reference?: { message_id: string; channel_id?: string; fail_if_not_exists?: boolean };
  member?: unknown;
}

/** What a test gives dispatchMessageCreate: the rest is filled in as Discord would. */
export type MessageCreateInput = Omit<Partial<FakeMessage>, "author"> & { channel_id: string; author: Partial<FakeUser> & { id: string } };

/** One REST call as the fake received it. */
export interface RestCall {
  method: string;
  /** The path after /api/v10, e.g. /channels/123/messages. */
  path: string;
  headers: IncomingMessage["headers"];
  /** JSON body, or multipart's payload_json. */
  body: Record<string, unknown> | undefined;
  files: { field: string; filename: string; size: number; contentType: string; bytes: Buffer }[];
  status: number;
  at: number;
}

/** A message the bot posted, and what Discord made of it. */
export interface PostedMessage {
  channelId: string;
  message: FakeMessage;
  body: Record<string, unknown>;
  files: RestCall["files"];
}

export interface Injection {
  status: number;
  /** Calls to let through first. */
  afterCalls?: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface FakeDiscordOptions {
  token?: string;
  botUser?: Partial<FakeUser>;
  /** Heartbeat interval sent in HELLO (ms). */
  heartbeatIntervalMs?: number;
}

export interface FakeDiscord {
  /** For discord.js `rest.api` / DISCORD_API_BASE: `http://127.0.0.1:PORT/api` (no version). */
  apiBase: string;
  gatewayUrl: string;
  token: string;
  botUser: FakeUser;
  calls: RestCall[];
  /** Posted messages, optionally in one channel. */
  posted(channelId?: string): PostedMessage[];
  /** Gateway payloads the clients sent (IDENTIFY, heartbeats…). */
  gatewayReceived: { op: number; d: unknown }[];
  /** How many sessions completed IDENTIFY and got READY. */
  readySessions(): number;
  /** Pushes MESSAGE_CREATE to every identified session; fills in what a real payload has. Returns it. */
  dispatchMessageCreate(message: MessageCreateInput): FakeMessage;
  /** A DM channel with this user (what POST /users/@me/channels opens). */
  dmChannelFor(userId: string): string;
  /** The next `times` calls to a route (e.g. "POST /channels/:id/messages") answer 429 with retry_after. */
  inject429(route: string, retryAfterSeconds: number, options?: { global?: boolean; times?: number }): void;
  /**
   * The next `times` calls to a route answer this status and `{ message, code }`; with `afterCalls`,
   * only once that many further calls have succeeded (to fail the second part of a split message).
   */
  injectError(route: string, status: number, code: number, message: string, times?: number, afterCalls?: number): void;
  /** Serves bytes at a CDN-like URL (Content-Length as given, to test declared sizes). */
  registerFile(name: string, bytes: Uint8Array, options?: { contentType?: string }): { url: string; size: number };
  /** Bytes of each registered file actually read by a client. */
  downloads(): { name: string; bytesSent: number; completed?: boolean }[];
  /** Closes every gateway connection with this close code (the client reconnects or resumes). */
  dropConnections(code?: number): void;
  until<T>(probe: () => T | undefined | false | null, timeoutMs?: number, what?: string): Promise<T>;
  close(): Promise<void>;
}

const DISCORD_EPOCH = 1420070400000n;
let sequence = 0n;

/** A snowflake for now (https://discord.com/developers/docs/reference#snowflakes). */
export function snowflake(at: number = Date.now()): string {
  sequence = (sequence + 1n) & 0xfffn;
  return String(((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | sequence);
}

function routeOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/\d{5,}(?=\/|$)/g, "/:id")}`;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(request: IncomingMessage, raw: Buffer): Promise<{ body?: Record<string, unknown>; files: RestCall["files"] }> {
  const type = request.headers["content-type"] ?? "";
  if (raw.byteLength === 0) return { files: [] };
  if (type.startsWith("application/json")) return { body: JSON.parse(raw.toString("utf8")) as Record<string, unknown>, files: [] };
  if (type.startsWith("multipart/form-data")) {
    // Node's own multipart parser, through the fetch API's Request.
    const form = await new Request("http://fake.invalid/", {
      method: "POST",
      headers: { "content-type": type },
      body: new Uint8Array(raw),
    }).formData();
    const entries: [string, FormDataEntryValue][] = [];
    form.forEach((value, field) => void entries.push([field, value]));
    const files: RestCall["files"] = [];
    let body: Record<string, unknown> | undefined;
    for (const [field, value] of entries) {
      if (typeof value === "string") {
        if (field === "payload_json") body = JSON.parse(value) as Record<string, unknown>;
      } else {
        const bytes = Buffer.from(await value.arrayBuffer());
        files.push({ field, filename: value.name, size: bytes.byteLength, contentType: value.type, bytes });
      }
    }
    return { body, files };
  }
  return { files: [] };
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? "MTAwMDAwMDAwMDAwMDAwMDAx.fake.discord-test-token";
  const botUser: FakeUser = {
    id: "1000000000000000001",
    username: "kanal-aduan",
    global_name: "Kanal Aduan",
    discriminator: "0",
    avatar: null,
    bot: true,
    ...options.botUser,
  };
  const calls: RestCall[] = [];
  const posted: PostedMessage[] = [];
  const gatewayReceived: { op: number; d: unknown }[] = [];
  const injections = new Map<string, (Injection & { times: number })[]>();
  const dmChannels = new Map<string, string>();
  const files = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const downloads: { name: string; bytesSent: number; completed?: boolean }[] = [];
  const sessions = new Set<{ socket: WebSocket; seq: number; identified: boolean; sessionId: string }>();
  let readyCount = 0;
  let port = 0;

  const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(body));
  };

  /** Headers on every answer, as Discord sends them: plenty left in the bucket. */
  const rateHeaders = (route: string): Record<string, string> => ({
    "x-ratelimit-limit": "5",
    "x-ratelimit-remaining": "4",
    "x-ratelimit-reset": String(Date.now() / 1000 + 5),
    "x-ratelimit-reset-after": "5.000",
    "x-ratelimit-bucket": Buffer.from(route).toString("hex").slice(0, 32),
  });

  function messageFrom(channelId: string, author: FakeUser, content: string, extra: Partial<FakeMessage> = {}): FakeMessage {
    return {
      id: snowflake(),
      channel_id: channelId,
      author,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
      ...extra,
    };
  }

  function dispatch(event: string, data: unknown): void {
    for (const session of sessions) {
      if (!session.identified || session.socket.readyState !== session.socket.OPEN) continue;
      session.seq += 1;
      session.socket.send(JSON.stringify({ op: 0, t: event, s: session.seq, d: data }));
    }
  }

  function handleRest(method: string, path: string, call: RestCall, response: ServerResponse): void {
    const route = routeOf(method, path);
    const headers = rateHeaders(route);
    if (route === "GET /gateway/bot") {
      return json(
        response,
        200,
        {
          url: `ws://127.0.0.1:${port}/gateway`,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
        },
        headers,
      );
    }
    if (route === "GET /users/@me") return json(response, 200, botUser, headers);
    if (route === "POST /users/@me/channels") {
      const recipientId = call.body?.recipient_id;
      const recipient = typeof recipientId === "string" || typeof recipientId === "number" ? String(recipientId) : "";
      if (!/^\d+$/.test(recipient)) return json(response, 400, { message: "Invalid Form Body", code: 50035 }, headers);
      const channelId = api.dmChannelFor(recipient);
      return json(
        response,
        200,
        {
          id: channelId,
          type: 1,
          last_message_id: null,
          flags: 0,
          recipients: [{ id: recipient, username: `user${recipient.slice(-4)}`, global_name: null, discriminator: "0", avatar: null }],
        },
        headers,
      );
    }
    const messages = /^\/channels\/(\d+)\/messages$/.exec(path);
    if (messages && method === "POST") {
      const body = call.body ?? {};
      const content = typeof body.content === "string" ? body.content : "";
      if (content.length > 2000) {
        return json(
          response,
          400,
          {
            message: "Invalid Form Body",
            code: 50035,
            errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] } },
          },
          headers,
        );
      }
      if (content === "" && call.files.length === 0)
        return json(response, 400, { message: "Cannot send an empty message", code: 50006 }, headers);
      const channelId = messages[1]!;
      const attachments: FakeAttachment[] = call.files.map((f) => {
        const id = snowflake();
        const url = `http://127.0.0.1:${port}/attachments/${channelId}/${id}/${encodeURIComponent(f.filename)}`;
        return { id, filename: f.filename, size: f.size, url, proxy_url: url, content_type: f.contentType };
      });
      const reference = body.message_reference as FakeMessage["message_reference"] | undefined;
      const message = messageFrom(channelId, botUser, content, { attachments, ...(reference ? { message_reference: reference } : {}) });
      posted.push({ channelId, message, body, files: call.files });
      json(response, 200, message, headers);
      // Discord echoes the bot's own message on the gateway; a DM carries channel_type 1.
      const isDm = [...dmChannels.values()].includes(channelId);
      setImmediate(() => dispatch("MESSAGE_CREATE", { ...message, ...(isDm ? { channel_type: 1 } : {}) }));
      return;
    }
    json(response, 404, { message: "404: Not Found", code: 0 }, headers);
  }

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      if (request.method === "GET" && url.pathname.startsWith("/files/")) {
        const name = decodeURIComponent(url.pathname.slice("/files/".length));
        const file = files.get(name);
        if (!file) return json(response, 404, { message: "404: Not Found", code: 0 });
        response.writeHead(200, { "content-type": file.contentType, "content-length": String(file.bytes.byteLength) });
        const record = { name, bytesSent: 0 };
        downloads.push(record);
        // In pieces, so a client that stops reading early is visible in bytesSent.
        await streamInPieces(response, file.bytes, 16 * 1024, record);
        return;
      }
      const match = /^\/api\/v10(\/.*)$/.exec(url.pathname);
      if (!match) return json(response, 404, { message: "404: Not Found", code: 0 });
      const method = request.method ?? "GET";
      const path = match[1]!;
      const raw = await readBody(request);
      let parsed: Awaited<ReturnType<typeof parseBody>>;
      try {
        parsed = await parseBody(request, raw);
      } catch {
        return json(response, 400, { message: "400: Bad Request", code: 50109 });
      }
      const call: RestCall = { method, path, headers: request.headers, body: parsed.body, files: parsed.files, status: 0, at: Date.now() };
      calls.push(call);
      const finish = response.end.bind(response);
      response.end = ((...args: Parameters<typeof finish>) => {
        call.status = response.statusCode;
        return finish(...args);
      }) as typeof response.end;
      if (request.headers.authorization !== `Bot ${token}`) return json(response, 401, { message: "401: Unauthorized", code: 0 });
      const route = routeOf(method, path);
      const queued = injections.get(route);
      const injection = queued?.[0];
      if (injection && (injection.afterCalls ?? 0) > 0) {
        injection.afterCalls! -= 1;
      } else if (injection) {
        injection.times -= 1;
        if (injection.times <= 0) queued.shift();
        return json(response, injection.status, injection.body, { ...rateHeaders(route), ...injection.headers });
      }
      handleRest(method, path, call, response);
    })().catch((error: unknown) => {
      if (!response.headersSent) json(response, 500, { message: `fake: ${(error as Error).message}`, code: 0 });
    });
  });

  const wss = new WebSocketServer({ server, path: "/gateway" });
  wss.on("connection", (socket) => {
    const session = { socket, seq: 0, identified: false, sessionId: snowflake() };
    sessions.add(session);
    socket.on("close", () => sessions.delete(session));
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: options.heartbeatIntervalMs ?? 41_250 } }));
    socket.on("message", (data) => {
      let payload: { op: number; d: unknown };
      try {
        // ws hands over a Buffer, its fragments or an ArrayBuffer, as its binaryType says.
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        payload = JSON.parse(bytes.toString("utf8")) as { op: number; d: unknown };
      } catch {
        socket.close(4002, "Error while decoding payload.");
        return;
      }
      gatewayReceived.push(payload);
      switch (payload.op) {
        case 1:
          socket.send(JSON.stringify({ op: 11 }));
          break;
        case 2: {
          const identify = payload.d as { token?: string; intents?: number };
          if (identify.token !== token) {
            socket.close(4004, "Authentication failed.");
            return;
          }
          session.identified = true;
          session.seq += 1;
          readyCount += 1;
          socket.send(
            JSON.stringify({
              op: 0,
              t: "READY",
              s: session.seq,
              d: {
                v: 10,
                user: botUser,
                guilds: [],
                session_id: session.sessionId,
                resume_gateway_url: `ws://127.0.0.1:${port}/gateway`,
                application: { id: botUser.id, flags: 0 },
                private_channels: [],
                relationships: [],
                user_settings: {},
                presences: [],
                _trace: ["fake-discord"],
              },
            }),
          );
          break;
        }
        case 6:
          session.identified = true;
          session.seq += 1;
          socket.send(JSON.stringify({ op: 0, t: "RESUMED", s: session.seq, d: {} }));
          break;
        default:
          break;
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;

  const api: FakeDiscord = {
    apiBase: `http://127.0.0.1:${port}/api`,
    gatewayUrl: `ws://127.0.0.1:${port}/gateway`,
    token,
    botUser,
    calls,
    gatewayReceived,
    posted: (channelId) => posted.filter((p) => channelId === undefined || p.channelId === channelId),
    readySessions: () => readyCount,
    dispatchMessageCreate(partial) {
      const defaults: FakeUser = {
        id: partial.author.id,
        username: `user${partial.author.id.slice(-4)}`,
        global_name: null,
        discriminator: "0",
        avatar: null,
      };
      const author: FakeUser = { ...defaults, ...partial.author };
      // A field given as undefined means "fill it in" (a fixture reused with a fresh id).
      const given = Object.fromEntries(
        Object.entries(partial).filter(([key, value]) => value !== undefined && key !== "author"),
      ) as Partial<FakeMessage>;
      const message = messageFrom(partial.channel_id, author, partial.content ?? "", given);
      const full = { ...message, author };
      dispatch("MESSAGE_CREATE", full);
      return full;
    },
    dmChannelFor(userId) {
      let channel = dmChannels.get(userId);
      if (!channel) {
        channel = snowflake();
        dmChannels.set(userId, channel);
      }
      return channel;
    },
    inject429(route, retryAfterSeconds, opts = {}) {
      const list = injections.get(route) ?? [];
      list.push({
        status: 429,
        times: opts.times ?? 1,
        body: { message: "You are being rate limited.", retry_after: retryAfterSeconds, global: opts.global ?? false, code: 0 },
        headers: {
          "retry-after": String(Math.ceil(retryAfterSeconds)),
          "x-ratelimit-limit": "5",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Date.now() / 1000 + retryAfterSeconds),
          "x-ratelimit-reset-after": retryAfterSeconds.toFixed(3),
          "x-ratelimit-scope": opts.global ? "global" : "user",
          ...(opts.global ? { "x-ratelimit-global": "true" } : {}),
        },
      });
      injections.set(route, list);
    },
    injectError(route, status, code, message, times = 1, afterCalls = 0) {
      const list = injections.get(route) ?? [];
      list.push({ status, times, afterCalls, body: { message, code } });
      injections.set(route, list);
    },
    registerFile(name, bytes, opts = {}) {
      files.set(name, { bytes, contentType: opts.contentType ?? "application/octet-stream" });
      return { url: `http://127.0.0.1:${port}/files/${encodeURIComponent(name)}`, size: bytes.byteLength };
    },
    downloads: () => [...downloads],
    dropConnections(code = 4000) {
      for (const session of sessions) session.socket.close(code, "fake: dropped");
    },
    async until(probe, timeoutMs = 5000, what = "condition") {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`fake Discord: timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      for (const session of sessions) session.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
