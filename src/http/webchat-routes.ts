import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { KanalError, type InboundAttachment, type InboundMessage } from "../core/index.js";
import { readUploadedFile } from "./multipart.js";
import type { ServerDeps } from "./types.js";

const CHANNEL = "webchat" as const;

const newSessionBody = z.object({ locale: z.enum(["id", "en"]).optional() }).optional();
const messageBody = z.object({
  text: z.string({ error: "text must be a string" }).min(1, "text must not be empty").max(4000, "text must be at most 4000 characters"),
  /** Lets a client retry after a network failure without the message being processed twice. */
  clientMessageId: z.string().min(1).max(100).optional(),
});
const sessionParams = z.object({ id: z.string().min(1).max(100) });
const historyQuery = z.object({
  after: z
    .string()
    .regex(/^\d{1,15}$/, "after must be a cursor from an earlier answer")
    .optional(),
});

const STATIC_FILES: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

const unknownSession = () => new KanalError("KA_NOT_FOUND", "unknown session; create one with POST /api/webchat/sessions");

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

  function inbound(
    sessionId: string,
    text: string | undefined,
    attachments: InboundAttachment[],
    providerMessageId: string,
    raw: unknown,
  ): InboundMessage {
    return {
      channel: CHANNEL,
      providerMessageId,
      chatId: sessionId,
      sender: { id: sessionId },
      text,
      attachments,
      receivedAt: clock(),
      raw,
    };
  }

  return async (app: FastifyInstance) => {
    app.get("/", async (_request, reply) => sendFile(reply, join(deps.webchat.publicDir, "index.html"), "text/html; charset=utf-8"));
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

    app.post("/api/webchat/sessions", async (request, reply) => {
      const body = parse(newSessionBody, request.body ?? undefined);
      const opened = await pipeline.open(CHANNEL, body?.locale ?? deps.defaultLocale);
      return reply.status(201).send({ sessionId: opened.chatId, replies: opened.replies });
    });

    app.post("/api/webchat/sessions/:id/messages", async (request) => {
      const { id } = parse(sessionParams, request.params);
      const body = parse(messageBody, request.body);
      // The session check happens inside the pipeline's batch: no extra query per message.
      const result = await pipeline.receive(inbound(id, body.text, [], body.clientMessageId ?? randomUUID(), { text: body.text }), {
        existingOnly: true,
      });
      if (result.status === "unknown") throw unknownSession();
      return { replies: result.replies };
    });

    app.post("/api/webchat/sessions/:id/attachments", async (request, reply) => {
      const { id } = parse(sessionParams, request.params);
      await requireSession(id);
      if (!request.isMultipart()) throw new KanalError("KA_UNSUPPORTED_MEDIA", "send multipart/form-data with one field named file");
      const file = await readUploadedFile(request);
      if (!file || file.fieldname !== "file") throw new KanalError("KA_BAD_REQUEST", "the form must have one field named file");
      const { bytes } = file;
      const tooLarge = bytes === undefined;
      const attachment: InboundAttachment = {
        kind: file.mimetype.startsWith("image/") ? "image" : "document",
        mime: file.mimetype,
        // Over the limit the stream was cut: report a size over it so the store declines it unread.
        size: tooLarge ? deps.webchat.maxAttachmentBytes + 1 : bytes.byteLength,
        filename: file.filename,
        fetch: async () => {
          if (!bytes) throw new KanalError("KA_TOO_LARGE", "file over the limit");
          return bytes;
        },
      };
      const result = await pipeline.receive(
        inbound(id, undefined, [attachment], randomUUID(), { filename: file.filename, mime: file.mimetype, size: attachment.size }),
      );
      const declined = tooLarge ? 413 : deps.isAllowedMime(file.mimetype) ? 200 : 415;
      if (declined === 200) return { replies: result.replies };
      return reply.status(declined).send({ error: result.replies[0]?.text ?? "file declined", replies: result.replies });
    });

    app.get("/api/webchat/sessions/:id/messages", async (request) => {
      const { id } = parse(sessionParams, request.params);
      const query = parse(historyQuery, request.query);
      await requireSession(id);
      return conversations.history(CHANNEL, id, query.after === undefined ? undefined : Number(query.after));
    });
  };
}

async function sendFile(reply: FastifyReply, path: string, type: string) {
  const body = await readFile(path).catch(() => undefined);
  if (!body) throw new KanalError("KA_NOT_FOUND", "not found");
  return reply.header("content-type", type).header("cache-control", "no-cache").send(body);
}
