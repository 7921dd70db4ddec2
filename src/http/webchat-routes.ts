import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import multipart from "@fastify/multipart";
import { z } from "zod";
import { cleanText, KanalError, type FileRefusal, type InboundAttachment, type InboundMessage } from "../core/index.js";
import { newOrderedSecret, webchatChatId } from "../db/index.js";
import { readUploadedFile, uploadedAttachment } from "./multipart.js";
import { limitedBy } from "./rate-limit.js";
import { chatPageHeaders, securityHeaderOptions } from "./security-headers.js";
import type { ServerDeps } from "./types.js";

const CHANNEL = "webchat" as const;
/** The contract's limit on one web-chat text; the page counts towards it as the person types. */
const MAX_TEXT_LENGTH = 4000;

const newSessionBody = z.object({ locale: z.enum(["id", "en"]).optional() }).optional();
const messageBody = z.object({
  // Cleaned before the length check: a text of only NULs is empty (src/core/text.ts).
  text: z
    .string({ error: "text must be a string" })
    .transform(cleanText)
    .pipe(z.string().min(1, "text must not be empty").max(MAX_TEXT_LENGTH, `text must be at most ${MAX_TEXT_LENGTH} characters`)),
  /** Lets a client retry after a network failure without the message being processed twice. */
  clientMessageId: z.string().min(1).max(100).optional(),
});
/** Session ids are made by POST /api/webchat/sessions (newOrderedSecret: base64url); anything else names no session. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,100}$/;
const historyQuery = z.object({
  after: z
    .string()
    .regex(/^\d{1,15}$/, "after must be a cursor from an earlier answer")
    .optional(),
});

/** The image types a browser draws, which the page shows as thumbnails; other files are named, never served back. */
const THUMBNAIL_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
/** Attachment ids are UUIDs (src/storage). */
const FILE_ID = /^[A-Za-z0-9-]{1,64}$/;

const STATIC_FILES: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

/**
 * How a refused file is answered. Both quotas are 413 (the content, with what the conversation or
 * complaint already holds, is more than the office takes), not 429: waiting does not help, and
 * 429 is what the rate limits answer. A file outside a complaint conflicts with the conversation's
 * state (409): the bot's reply says to start a complaint first.
 */
const REFUSAL_STATUS: Record<FileRefusal, number> = {
  tooLarge: 413,
  quota: 413,
  tooMany: 413,
  type: 415,
  empty: 400,
  unavailable: 400,
  notNow: 409,
};

const unknownSession = () => new KanalError("KA_NOT_FOUND", "unknown session; create one with POST /api/webchat/sessions");

/**
 * The conversation the path's session id names: its stored key (the id's hash, never the id:
 * src/db/webchat-session.ts), or 404 for an id the bot could not have made (a NUL or an emoji
 * names no session).
 */
function sessionId(params: unknown): string {
  const id = (params as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string" || !SESSION_ID.test(id)) throw unknownSession();
  return webchatChatId(id);
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new KanalError("KA_BAD_REQUEST", `${where}${issue.message}`);
}

export function webchatRoutes(deps: ServerDeps) {
  const { pipeline, conversations } = deps;
  const clock = deps.clock ?? (() => new Date());

  async function requireSession(id: string) {
    const session = await conversations.exists(CHANNEL, id);
    if (!session) throw unknownSession();
    return session;
  }

  /**
   * `clientMessageId` is the page's own name for a message, so the dedupe key scopes it to its
   * session: another session (an API client counting "1", "2", …) sending the same id is a new
   * message of its own, never a duplicate answered with this session's replies. The session id
   * first also keeps a session's keys beside each other in the index.
   */
  function inbound(
    sessionId: string,
    text: string | undefined,
    attachments: InboundAttachment[],
    clientMessageId: string | undefined,
    raw: unknown,
  ): InboundMessage {
    return {
      channel: CHANNEL,
      providerMessageId: `${sessionId}:${clientMessageId ?? randomUUID()}`,
      chatId: sessionId,
      sender: { id: sessionId },
      text,
      attachments,
      receivedAt: clock(),
      raw,
    };
  }

  return async (app: FastifyInstance) => {
    const pageHeaders = chatPageHeaders(securityHeaderOptions(deps));
    app.get("/", { config: { securityHeaders: pageHeaders } }, async (_request, reply) =>
      sendFile(reply, join(deps.webchat.publicDir, "index.html"), "text/html; charset=utf-8"),
    );
    app.get<{ Params: { file: string } }>("/webchat/static/:file", async (request, reply) => {
      const type = STATIC_FILES[request.params.file];
      if (!type) throw new KanalError("KA_NOT_FOUND", "not found");
      return sendFile(reply, join(deps.webchat.publicDir, request.params.file), type);
    });
    app.get<{ Params: { locale: string } }>("/webchat/texts/:locale", async (request, reply) => {
      const locale = request.params.locale.replace(/\.json$/, "");
      if (locale !== "id" && locale !== "en") throw new KanalError("KA_NOT_FOUND", "unknown locale; use id or en");
      const texts = JSON.parse(await readFile(join(deps.webchat.templatesDir, locale, "webchat.json"), "utf8")) as Record<string, string>;
      // The page's header shows the office this bot serves.
      return reply.header("cache-control", "no-cache").send({ ...texts, "office.name": deps.officeName });
    });
    // The limits the page tells the person before sending (the server enforces them anyway).
    app.get("/webchat/config", async (_request, reply) =>
      reply.header("cache-control", "no-cache").send({
        maxAttachmentBytes: deps.webchat.maxAttachmentBytes,
        maxTextLength: MAX_TEXT_LENGTH,
        sessionIdleDays: deps.webchat.sessionIdleDays ?? 30,
      }),
    );

    const limits = { enabled: deps.security?.rateLimit ?? true };
    app.post("/api/webchat/sessions", limitedBy(limits, "sessions"), async (request, reply) => {
      const body = parse(newSessionBody, request.body ?? undefined);
      // A bearer secret (18 random bytes) behind a time prefix; only its hash is stored.
      const session = newOrderedSecret(18, clock().getTime());
      const opened = await pipeline.open(CHANNEL, body?.locale ?? deps.defaultLocale, webchatChatId(session));
      return reply.status(201).send({ sessionId: session, replies: opened.replies });
    });

    app.post("/api/webchat/sessions/:id/messages", limitedBy(limits, "messages"), async (request) => {
      const id = sessionId(request.params);
      const body = parse(messageBody, request.body);
      // The session check happens inside the pipeline's batch: no extra query per message.
      const result = await pipeline.receive(inbound(id, body.text, [], body.clientMessageId, { text: body.text }), {
        existingOnly: true,
      });
      if (result.status === "unknown") throw unknownSession();
      return { replies: result.replies };
    });

    // Only this route reads multipart bodies: @fastify/multipart's hooks (a listener on every
    // answer, a clean-up after it) run for the routes of the context it is registered in.
    await app.register(async (uploads) => {
      await uploads.register(multipart, {
        limits: { fileSize: deps.webchat.maxAttachmentBytes, files: 1, fields: 5, fieldSize: 1024 },
      });
      uploads.post("/api/webchat/sessions/:id/attachments", limitedBy(limits, "uploads"), async (request, reply) => {
        const id = sessionId(request.params);
        await requireSession(id);
        if (!request.isMultipart()) throw new KanalError("KA_UNSUPPORTED_MEDIA", "send multipart/form-data with one field named file");
        const file = await readUploadedFile(request);
        if (!file || file.fieldname !== "file") throw new KanalError("KA_BAD_REQUEST", "the form must have one field named file");
        const attachment = uploadedAttachment(file, deps.webchat.maxAttachmentBytes);
        const result = await pipeline.receive(
          inbound(id, undefined, [attachment], undefined, { filename: file.filename, mime: file.mimetype, size: attachment.size }),
        );
        const outcome = result.files?.[0];
        if (!outcome || outcome.accepted) return { replies: result.replies };
        // The bot's own words (the first reply: its polite refusal) are the error the page shows.
        return reply
          .status(REFUSAL_STATUS[outcome.reason])
          .send({ error: result.replies[0]?.text ?? "file declined", reason: outcome.reason, replies: result.replies });
      });
    });

    // An image of the conversation (the citizen's or staff's), back to the same session only (its
    // id is the page's key to it); a file staff sent that is not an image, as a download. The
    // citizen's own other files are named in the history, never served back: nothing needs them.
    app.get("/api/webchat/sessions/:id/files/:file", async (request, reply) => {
      const id = sessionId(request.params);
      const fileId = (request.params as { file?: unknown }).file;
      const notFound = () => new KanalError("KA_NOT_FOUND", "no such file in this session");
      if (typeof fileId !== "string" || !FILE_ID.test(fileId) || !deps.webchat.filePath) throw notFound();
      const found = await conversations.file(CHANNEL, id, fileId);
      const inline = found !== undefined && THUMBNAIL_TYPES.has(found.mime);
      if (!found || (!inline && !found.fromOffice)) throw notFound();
      const body = await readFile(deps.webchat.filePath(found.storagePath)).catch(() => undefined);
      if (!body) throw notFound();
      return (
        reply
          // A download is never drawn by the browser, whatever it holds.
          .header("content-type", inline ? found.mime : "application/octet-stream")
          // Personal data: kept in no cache, so a shared computer holds nothing after "Akhiri sesi".
          .header("cache-control", "no-store")
          .header("content-disposition", inline ? "inline" : downloadDisposition(found.filename ?? fileId))
          .send(body)
      );
    });

    app.get("/api/webchat/sessions/:id/messages", async (request) => {
      const id = sessionId(request.params);
      const query = parse(historyQuery, request.query);
      await requireSession(id);
      return conversations.history(CHANNEL, id, query.after === undefined ? undefined : Number(query.after));
    });
  };
}

/**
 * `attachment` with the file's name: an ASCII fallback (no quote, backslash or control character
 * can break the header) and the name itself in RFC 5987 form for browsers that read it.
 */
function downloadDisposition(name: string): string {
  const ascii = name.replace(/[^\w.\- ]/g, "_");
  // encodeURIComponent leaves ' ( ) * as they are; RFC 5987's attr-char has none of them.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

async function sendFile(reply: FastifyReply, path: string, type: string) {
  const body = await readFile(path).catch(() => undefined);
  if (!body) throw new KanalError("KA_NOT_FOUND", "not found");
  return reply.header("content-type", type).header("cache-control", "no-cache").send(body);
}
