/**
 * A fake Graph API on 127.0.0.1 speaking Meta's real wire format, for the WhatsApp Cloud API
 * (`POST /<version>/<phone-number-id>/messages`, `POST /<version>/<phone-number-id>/media`,
 * `GET /<version>/<media-id>` and the media URL it returns) and the Messenger/Instagram Send API
 * (`POST /<version>/me/messages?access_token=…`, JSON or multipart with `filedata`).
 *
 * Successes: `{messaging_product:"whatsapp", contacts:[{input, wa_id}], messages:[{id:"wamid.…"}]}` and
 * `{recipient_id, message_id}`. Refusals: `{error:{message, type, code, error_subcode, is_transient?,
 * fbtrace_id}}` with Graph's HTTP status (400 for invalid parameters and throttling, 401 for a bad
 * token). It checks what Graph checks (tokens, text and button limits, template parameters, the
 * HUMAN_AGENT tag shape) so an adapter that breaks a rule fails here as it would in production.
 *
 * Also: `signedRequest()`, which builds a webhook request the way Meta sends it (non-ASCII and "/"
 * escaped in the raw bytes, X-Hub-Signature-256 over exactly those bytes).
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import type { WebhookRequest } from "../../src/core/index.js";
import { multipartBoundary, parseMultipart, type UploadedFile } from "./form-body.js";
import { streamInPieces } from "./stream-body.js";

export interface GraphCall {
  method: string;
  /** Without the query, e.g. `/v21.0/106540352242922/messages`. */
  path: string;
  query: Record<string, string>;
  /** Lowercased names. */
  headers: Record<string, string>;
  /** JSON as sent; multipart fields as strings (JSON ones parsed), files as UploadedFile. */
  body: unknown;
  at: number;
}

export type { UploadedFile } from "./form-body.js";

/** A message the fake accepted. */
export interface SentMessage {
  product: "whatsapp" | "messenger" | "instagram";
  to: string;
  id: string;
  /** WhatsApp `type` (text, interactive, template, image, document) or Messenger's: text, attachment. */
  type: string;
  /** What the person reads: the text body, an interactive body, a caption, the template parameter. */
  text?: string;
  /** Reply buttons, list rows or quick replies, by title. */
  options?: string[];
  /** The whole request body (multipart: the fields). */
  payload: Record<string, unknown>;
}

export interface GraphErrorBody {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_data?: { messaging_product?: string; details: string };
}

export interface FakeGraphOptions {
  version?: string;
  whatsappToken?: string;
  phoneNumberId?: string;
  pageAccessToken?: string;
  /** Recipients on Instagram (IGSIDs): their texts are held to 1000 UTF-8 bytes instead of 2000 characters. */
  instagramRecipients?: string[];
}

export interface MediaDownload {
  id: string;
  total: number;
  bytesSent: number;
  completed: boolean;
}

export interface FakeGraph {
  /** The Graph base with its version, as META_GRAPH_API_BASE: `http://127.0.0.1:PORT/v21.0`. */
  url: string;
  origin: string;
  version: string;
  whatsappToken: string;
  phoneNumberId: string;
  pageAccessToken: string;
  calls: GraphCall[];
  /** Accepted messages, optionally to one recipient, in order. */
  sent(to?: string): SentMessage[];
  uploads(): (UploadedFile & { id: string })[];
  media: {
    /** Serves GET /<version>/<id> (metadata with a URL on this server) and the bytes at that URL, both behind the WhatsApp token. */
    register(id: string, bytes: Uint8Array, mime: string, options?: { declaredSize?: number; chunked?: boolean }): void;
    /** A public file (a Messenger attachment URL on Meta's CDN); returns its URL. */
    publicFile(name: string, bytes: Uint8Array, mime?: string): string;
    downloads(): MediaDownload[];
  };
  /**
   * The next `times` requests whose path matches answer `status` with `{error}` (a `type` and
   * `fbtrace_id` are added), with extra response headers such as Retry-After; with `afterCalls`, only
   * once that many further matching requests went through (to fail the second part of a split message).
   */
  inject(
    path: string | RegExp,
    status: number,
    error: GraphErrorBody,
    times?: number,
    extra?: { headers?: Record<string, string>; afterCalls?: number },
  ): void;
  /** The next `times` matching requests get their connection destroyed without an answer. */
  injectNetworkFailure(path: string | RegExp, times?: number): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Webhook requests as Meta sends them

/**
 * JSON as Meta serialises it (PHP's json_encode): every non-ASCII character as \uXXXX (astral ones as
 * surrogate pairs) and "/" as "\/". Signatures are over these bytes, not over JSON.stringify's.
 */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/\//g, "\\/")
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A citizen's WhatsApp text message, as the Cloud API's webhook carries it. */
export interface WhatsAppText {
  /** The sender's number (wa_id). */
  from: string;
  /** The message id (wamid.…). */
  id: string;
  text: string;
  /** The profile name WhatsApp shows. */
  name: string;
}

/**
 * A WhatsApp Cloud API webhook delivering `messages` to the business number `phoneNumberId`
 * (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#text-messages).
 */
export function whatsappTextWebhook(phoneNumberId: string, messages: readonly WhatsAppText[]): unknown {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "6281190001234", phone_number_id: phoneNumberId },
              contacts: messages.map((m) => ({ profile: { name: m.name }, wa_id: m.from })),
              messages: messages.map((m) => ({ from: m.from, id: m.id, timestamp, type: "text", text: { body: m.text } })),
            },
          },
        ],
      },
    ],
  };
}

export function signatureOf(appSecret: string, body: Buffer | string): string {
  return `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;
}

/**
 * A POST to /webhooks/meta with X-Hub-Signature-256 over the exact bytes. A string or Buffer is sent
 * as it is (a fixture file's bytes, or something that is not JSON); anything else goes through metaJson().
 * `signature: null` leaves the header out; a string replaces it.
 */
export function signedRequest(
  appSecret: string,
  payload: unknown,
  options: { signature?: string | null; headers?: Record<string, string> } = {},
): WebhookRequest {
  const rawBody = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === "string" ? payload : metaJson(payload), "utf8");
  const signature = options.signature === undefined ? signatureOf(appSecret, rawBody) : options.signature;
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signature !== null ? { "x-hub-signature-256": signature } : {}),
      ...options.headers,
    },
    query: {},
    rawBody,
  };
}

// ---------------------------------------------------------------------------------------------

class GraphFault extends Error {
  constructor(
    readonly status: number,
    readonly error: GraphErrorBody,
  ) {
    super(error.message);
  }
}

const invalidParameter = (details: string, code = 100) =>
  new GraphFault(400, {
    message: "(#100) Invalid parameter",
    type: "OAuthException",
    code,
    error_data: { messaging_product: "whatsapp", details },
  });

const badToken = () =>
  new GraphFault(401, {
    message: "Error validating access token: The session is invalid because the user logged out.",
    type: "OAuthException",
    code: 190,
    error_subcode: 467,
  });

function parseBody(request: IncomingMessage, body: Buffer): unknown {
  if (body.byteLength === 0) return undefined;
  const type = request.headers["content-type"] ?? "";
  if (type.startsWith("multipart/form-data")) {
    const boundary = multipartBoundary(type);
    if (!boundary) throw invalidParameter("multipart boundary missing");
    return parseMultipart(body, boundary);
  }
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new GraphFault(400, { message: "(#100) The parameter messaging_product is required.", type: "OAuthException", code: 100 });
  }
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

const matches = (matcher: string | RegExp, path: string) => (typeof matcher === "string" ? path.includes(matcher) : matcher.test(path));

interface Injection {
  matcher: string | RegExp;
  times: number;
  status?: number;
  error?: GraphErrorBody;
  headers?: Record<string, string>;
  afterCalls: number;
  drop?: boolean;
}

interface StoredMedia {
  bytes: Uint8Array;
  mime: string;
  declaredSize: number;
  chunked: boolean;
}

export async function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const version = options.version ?? "v21.0";
  const whatsappToken = options.whatsappToken ?? "EAAG-fake-whatsapp-token";
  const phoneNumberId = options.phoneNumberId ?? "106540352242922";
  const pageAccessToken = options.pageAccessToken ?? "EAAG-fake-page-token";
  const instagram = new Set(options.instagramRecipients ?? []);
  const calls: GraphCall[] = [];
  const sentMessages: SentMessage[] = [];
  const uploaded: (UploadedFile & { id: string })[] = [];
  const media = new Map<string, StoredMedia>();
  const publicFiles = new Map<string, { bytes: Uint8Array; mime: string }>();
  const downloads: MediaDownload[] = [];
  const injections: Injection[] = [];
  const sockets = new Set<Socket>();
  let origin = "";
  let counter = 0;

  const wamid = () =>
    `wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEj${(++counter).toString(16).toUpperCase().padStart(8, "0")}${randomBytes(4).toString("hex").toUpperCase()}AA==`;
  const mid = () => `m_${randomBytes(18).toString("base64url")}${++counter}`;
  const fbtrace = () => randomBytes(8).toString("base64url");

  function respond(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (response.writableEnded || response.destroyed) return;
    const text = JSON.stringify(body);
    response.writeHead(status, {
      "content-type": "application/json; charset=UTF-8",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    response.end(text);
  }

  function bearer(headers: Record<string, string>): string | undefined {
    return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
  }

  // ---- WhatsApp

  function checkText(value: unknown, limit: number, what: string): string {
    const text = str(value);
    if (text === undefined || text.trim() === "") throw invalidParameter(`${what} is required`);
    if (text.length > limit) throw invalidParameter(`${what} too long: maximum ${limit} characters`);
    return text;
  }

  function whatsappSend(body: unknown): { sent: SentMessage; response: Record<string, unknown> } {
    const p = record(body);
    if (p.messaging_product !== "whatsapp")
      throw new GraphFault(400, { message: "(#100) The parameter messaging_product is required.", type: "OAuthException", code: 100 });
    const to = str(p.to);
    if (!to) throw new GraphFault(400, { message: "(#100) The parameter to is required.", type: "OAuthException", code: 100 });
    const type = str(p.type) ?? "text";
    let text: string | undefined;
    let choices: string[] | undefined;
    switch (type) {
      case "text":
        text = checkText(record(p.text).body, 4096, "text.body");
        break;
      case "interactive": {
        const i = record(p.interactive);
        const action = record(i.action);
        if (i.type === "button") {
          text = checkText(record(i.body).text, 1024, "interactive.body.text");
          const buttons = Array.isArray(action.buttons) ? action.buttons.map((b) => record(record(b).reply)) : [];
          if (buttons.length < 1 || buttons.length > 3) throw invalidParameter("interactive.action.buttons: between 1 and 3 buttons");
          choices = buttons.map((b) => checkText(b.title, 20, "interactive.action.buttons.reply.title"));
          const ids = buttons.map((b) => checkText(b.id, 256, "interactive.action.buttons.reply.id"));
          if (new Set(choices).size !== choices.length || new Set(ids).size !== ids.length)
            throw invalidParameter("button titles and ids must be unique");
        } else if (i.type === "list") {
          text = checkText(record(i.body).text, 4096, "interactive.body.text");
          checkText(action.button, 20, "interactive.action.button");
          const sections = Array.isArray(action.sections) ? action.sections.map(record) : [];
          if (sections.length < 1 || sections.length > 10) throw invalidParameter("interactive.action.sections: between 1 and 10 sections");
          if (sections.length > 1 && sections.some((s) => !str(s.title)))
            throw invalidParameter("section title required with several sections");
          const rows = sections.flatMap((s) => (Array.isArray(s.rows) ? s.rows.map(record) : []));
          if (rows.length < 1 || rows.length > 10) throw invalidParameter("interactive.action.sections.rows: between 1 and 10 rows in all");
          choices = rows.map((r) => checkText(r.title, 24, "interactive.action.sections.rows.title"));
          const ids = rows.map((r) => checkText(r.id, 200, "interactive.action.sections.rows.id"));
          if (new Set(ids).size !== ids.length) throw invalidParameter("row ids must be unique");
        } else {
          throw invalidParameter(`interactive.type ${String(i.type)} is not supported here`);
        }
        break;
      }
      case "template": {
        const t = record(p.template);
        if (!str(t.name)) throw invalidParameter("template.name is required");
        if (!str(record(t.language).code)) throw invalidParameter("template.language.code is required");
        const components = Array.isArray(t.components) ? t.components.map(record) : [];
        const params = components.flatMap((c) => (Array.isArray(c.parameters) ? c.parameters.map(record) : []));
        for (const param of params) {
          const value = str(param.text) ?? "";
          // https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes (132018)
          if (/[\n\t]| {5,}/.test(value) || value.length > 1024) {
            throw new GraphFault(400, {
              message: "(#132018) There was an issue with the parameters in your template.",
              type: "OAuthException",
              code: 132018,
              error_data: {
                messaging_product: "whatsapp",
                details: "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
              },
            });
          }
        }
        text = params.map((param) => str(param.text) ?? "").join(" ");
        break;
      }
      case "image":
      case "document": {
        const m = record(p[type]);
        const id = str(m.id);
        if (!id && !str(m.link)) throw invalidParameter(`${type}.id or ${type}.link is required`);
        if (id && !uploaded.some((u) => u.id === id)) throw invalidParameter(`${type}.id ${id} is not a media id of this number`);
        if (m.caption !== undefined) text = checkText(m.caption, 1024, `${type}.caption`);
        break;
      }
      default:
        throw invalidParameter(`type ${type} is not supported by the fake`);
    }
    const id = wamid();
    const sent: SentMessage = {
      product: "whatsapp",
      to,
      id,
      type,
      ...(text !== undefined ? { text } : {}),
      ...(choices ? { options: choices } : {}),
      payload: p,
    };
    const response = {
      messaging_product: "whatsapp",
      contacts: [{ input: to, wa_id: to.replace(/^\+/, "") }],
      messages: [{ id, ...(type === "template" ? { message_status: "accepted" } : {}) }],
    };
    return { sent, response };
  }

  function whatsappUpload(body: unknown): Record<string, unknown> {
    const fields = record(body);
    if (fields.messaging_product !== "whatsapp")
      throw new GraphFault(400, { message: "(#100) The parameter messaging_product is required.", type: "OAuthException", code: 100 });
    const file = record(fields.file) as unknown as UploadedFile;
    if (!file.upload) throw invalidParameter("file is required");
    const id = String(1_000_000_000_000 + ++counter);
    uploaded.push({ ...file, type: str(fields.type) ?? file.type, id });
    return { id };
  }

  // ---- Messenger and Instagram

  function messengerSend(body: unknown): { sent: SentMessage; response: Record<string, unknown> } {
    const p = record(body);
    const recipient = str(record(p.recipient).id);
    if (!recipient) throw new GraphFault(400, { message: "(#100) The parameter recipient is required", type: "OAuthException", code: 100 });
    const messagingType = str(p.messaging_type);
    if (!messagingType || !["RESPONSE", "UPDATE", "MESSAGE_TAG"].includes(messagingType)) {
      throw new GraphFault(400, {
        message: "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}",
        type: "OAuthException",
        code: 100,
      });
    }
    if (
      messagingType === "MESSAGE_TAG" &&
      !["HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"].includes(str(p.tag) ?? "")
    ) {
      throw new GraphFault(400, { message: "(#100) Param tag must be a valid message tag", type: "OAuthException", code: 100 });
    }
    const product = instagram.has(recipient) ? "instagram" : "messenger";
    const message = record(p.message);
    let text: string | undefined;
    let choices: string[] | undefined;
    const filedata = record(p.filedata);
    if (message.attachment !== undefined) {
      if (product === "instagram")
        throw new GraphFault(400, { message: "(#100) Upload attachment failure.", type: "OAuthException", code: 100 });
      if (!filedata.upload && !str(record(record(message.attachment).payload).url))
        throw new GraphFault(400, { message: "(#100) Upload attachment failure.", type: "OAuthException", code: 100 });
    } else {
      const value = str(message.text);
      if (!value || value.trim() === "")
        throw new GraphFault(400, {
          message: "(#100) Param message[text] must be a non-empty UTF-8 encoded string",
          type: "OAuthException",
          code: 100,
        });
      const tooLong = product === "instagram" ? Buffer.byteLength(value, "utf8") > 1000 : value.length > 2000;
      if (tooLong) {
        throw new GraphFault(400, {
          message: `(#100) Length of param message[text] must be less than or equal to ${product === "instagram" ? 1000 : 2000}`,
          type: "OAuthException",
          code: 100,
        });
      }
      text = value;
      if (message.quick_replies !== undefined) {
        const quick = Array.isArray(message.quick_replies) ? message.quick_replies.map(record) : [];
        if (quick.length < 1 || quick.length > 13)
          throw new GraphFault(400, {
            message: "(#100) param message[quick_replies] must have between 1 and 13 elements",
            type: "OAuthException",
            code: 100,
          });
        choices = quick.map((q) => {
          const title = str(q.title) ?? "";
          if (q.content_type !== "text" || title === "" || title.length > 20 || !str(q.payload)) {
            throw new GraphFault(400, {
              message: "(#100) Invalid quick reply: a text quick reply needs a title of at most 20 characters and a payload",
              type: "OAuthException",
              code: 100,
            });
          }
          return title;
        });
      }
    }
    const id = mid();
    const sent: SentMessage = {
      product,
      to: recipient,
      id,
      type: message.attachment !== undefined ? "attachment" : "text",
      ...(text !== undefined ? { text } : {}),
      ...(choices ? { options: choices } : {}),
      payload: p,
    };
    return { sent, response: { recipient_id: recipient, message_id: id } };
  }

  // ---- files

  async function stream(response: ServerResponse, bytes: Uint8Array, mime: string, chunked: boolean, progress?: MediaDownload) {
    response.writeHead(200, { "content-type": mime, ...(chunked ? {} : { "content-length": bytes.byteLength }) });
    await streamInPieces(response, bytes, 64 * 1024, progress);
  }

  // ---- routing

  function route(call: GraphCall, response: ServerResponse): void {
    const { path, method } = call;
    const prefix = `/${version}/`;
    const download = /^\/whatsapp-media\/([^/]+)$/.exec(path);
    if (download && method === "GET") {
      if (bearer(call.headers) !== whatsappToken) throw badToken();
      const stored = media.get(decodeURIComponent(download[1]!));
      if (!stored) return respond(response, 404, { error: { message: "Not found", code: 100 } });
      const progress: MediaDownload = { id: download[1]!, total: stored.bytes.byteLength, bytesSent: 0, completed: false };
      downloads.push(progress);
      void stream(response, stored.bytes, stored.mime, stored.chunked, progress);
      return;
    }
    const cdn = /^\/cdn\/(.+)$/.exec(path);
    if (cdn && method === "GET") {
      const file = publicFiles.get(decodeURIComponent(cdn[1]!));
      if (!file) return respond(response, 404, { error: { message: "Not found", code: 100 } });
      void stream(response, file.bytes, file.mime, false);
      return;
    }
    if (!path.startsWith(prefix))
      throw new GraphFault(400, { message: `Unknown path components: ${path}`, type: "OAuthException", code: 2500 });
    const parts = path.slice(prefix.length).split("/");
    if (parts[0] === "me" && parts[1] === "messages" && parts.length === 2 && method === "POST") {
      if (call.query.access_token !== pageAccessToken)
        throw new GraphFault(400, { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190 });
      const { sent, response: body } = messengerSend(call.body);
      sentMessages.push(sent);
      return respond(response, 200, body);
    }
    if (parts.length === 2 && (parts[1] === "messages" || parts[1] === "media") && method === "POST") {
      if (bearer(call.headers) !== whatsappToken) throw badToken();
      if (parts[0] !== phoneNumberId) {
        throw new GraphFault(400, {
          message: `Unsupported post request. Object with ID '${parts[0]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          type: "GraphMethodException",
          code: 100,
          error_subcode: 33,
        });
      }
      if (parts[1] === "media") return respond(response, 200, whatsappUpload(call.body));
      const { sent, response: body } = whatsappSend(call.body);
      sentMessages.push(sent);
      return respond(response, 200, body);
    }
    if (parts.length === 1 && method === "GET") {
      if (bearer(call.headers) !== whatsappToken) throw badToken();
      const id = decodeURIComponent(parts[0]!);
      const stored = media.get(id);
      if (!stored) {
        throw new GraphFault(400, {
          message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          type: "GraphMethodException",
          code: 100,
          error_subcode: 33,
        });
      }
      return respond(response, 200, {
        messaging_product: "whatsapp",
        url: `${origin}/whatsapp-media/${encodeURIComponent(id)}?ext=${Date.now()}&hash=${fbtrace()}`,
        mime_type: stored.mime,
        sha256: createHash("sha256").update(stored.bytes).digest("hex"),
        file_size: stored.declaredSize,
        id,
      });
    }
    throw new GraphFault(400, { message: `Unknown path components: ${path}`, type: "OAuthException", code: 2500 });
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.headers)) if (typeof value === "string") headers[key.toLowerCase()] = value;
      const call: GraphCall = {
        method: request.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: undefined,
        at: Date.now(),
      };
      try {
        call.body = parseBody(request, Buffer.concat(chunks));
      } catch (error) {
        calls.push(call);
        const fault = error as GraphFault;
        return respond(response, fault.status, { error: { ...fault.error, fbtrace_id: fbtrace() } });
      }
      calls.push(call);
      const index = injections.findIndex((i) => matches(i.matcher, call.path));
      const pending = index === -1 ? undefined : injections[index]!;
      if (pending && pending.afterCalls > 0) {
        pending.afterCalls -= 1;
      } else if (pending) {
        const injection = pending;
        injection.times -= 1;
        if (injection.times <= 0) injections.splice(index, 1);
        if (injection.drop) {
          request.socket.destroy();
          return;
        }
        return respond(
          response,
          injection.status!,
          { error: { type: "OAuthException", ...injection.error, fbtrace_id: fbtrace() } },
          injection.headers,
        );
      }
      try {
        route(call, response);
      } catch (error) {
        if (!(error instanceof GraphFault)) throw error;
        respond(response, error.status, { error: { ...error.error, fbtrace_id: fbtrace() } });
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/${version}`,
    origin,
    version,
    whatsappToken,
    phoneNumberId,
    pageAccessToken,
    calls,
    sent: (to) => sentMessages.filter((m) => to === undefined || m.to === to),
    uploads: () => [...uploaded],
    media: {
      register(id, bytes, mime, opts = {}) {
        media.set(id, { bytes, mime, declaredSize: opts.declaredSize ?? bytes.byteLength, chunked: opts.chunked ?? false });
      },
      publicFile(name, bytes, mime = "application/octet-stream") {
        publicFiles.set(name, { bytes, mime });
        return `${origin}/cdn/${encodeURIComponent(name)}`;
      },
      downloads: () => [...downloads],
    },
    inject(path, status, error, times = 1, extra = {}) {
      injections.push({ matcher: path, times, status, error, headers: extra.headers, afterCalls: extra.afterCalls ?? 0 });
    },
    injectNetworkFailure(path, times = 1) {
      injections.push({ matcher: path, times, drop: true, afterCalls: 0 });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
