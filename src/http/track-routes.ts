import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { normalizeIP } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { checkTrackingCode, publicTracking, type SopPreset } from "../complaints/index.js";
import { findTicket, KanalError, type Locale } from "../core/index.js";
import type { SqlRunner } from "../db/index.js";
import { redact } from "../reports/index.js";
import { singleQuery } from "./query.js";
import { limitedBy, TooManyRequests } from "./rate-limit.js";
import { chatPageHeaders, type SecurityHeaderOptions } from "./security-headers.js";

/** What the public tracking page and its API need (README "Tracking a complaint"). */
export interface TrackingDeps {
  sql: SqlRunner;
  sop: SopPreset;
  /** channels/webchat/public: lacak.html, lacak.js, lacak.css. */
  publicDir: string;
  /** templates/: the page's own texts are templates/<locale>/lacak.json. */
  templatesDir: string;
  /** A bot template (templates/<locale>/tracking.json) in a locale. */
  text(locale: Locale, key: string, vars?: Record<string, string>): string;
  defaultLocale: Locale;
  rateLimit: boolean;
  clock?: () => Date;
}

const STATIC_FILES: Record<string, string> = {
  "lacak.js": "text/javascript; charset=utf-8",
  "lacak.css": "text/css; charset=utf-8",
};

/**
 * The query as the page sends it. Only what a ticket and a code can hold: a NUL, a control
 * character or an emoji is refused with 400 before any lookup.
 */
const trackQuery = z.object({
  ticket: z.string({ error: "ticket is required" }).regex(/^[A-Za-z0-9-]{1,40}$/, "ticket must look like ADU-2026-00042"),
  code: z.string({ error: "code is required" }).regex(/^[A-Za-z0-9 -]{1,40}$/, "code must be letters and digits"),
  locale: z.enum(["id", "en"]).optional(),
});

function parseQuery(request: FastifyRequest) {
  const result = trackQuery.safeParse(singleQuery(request));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new KanalError("KA_BAD_REQUEST", `${issue.path.join(".")}: ${issue.message}`);
}

async function sendFile(reply: FastifyReply, path: string, type: string) {
  return reply
    .header("content-type", type)
    .header("cache-control", "no-cache")
    .send(await readFile(path));
}

/**
 * GET /lacak (the page), its files and texts, and GET /api/track. A wrong code, a ticket without
 * a code and an unknown ticket answer the same 404; the attempts are counted per ticket and per
 * client (src/complaints/tracking.ts) besides the route's own per-client limit.
 */
export function trackRoutes(deps: TrackingDeps, headers: SecurityHeaderOptions) {
  const clock = deps.clock ?? (() => new Date());
  return async (app: FastifyInstance) => {
    const pageHeaders = chatPageHeaders(headers);
    app.get("/lacak", { config: { securityHeaders: pageHeaders } }, async (_request, reply) =>
      sendFile(reply, join(deps.publicDir, "lacak.html"), "text/html; charset=utf-8"),
    );
    app.get<{ Params: { file: string } }>("/lacak/static/:file", async (request, reply) => {
      const type = STATIC_FILES[request.params.file];
      if (!type) throw new KanalError("KA_NOT_FOUND", "not found");
      return sendFile(reply, join(deps.publicDir, request.params.file), type);
    });
    app.get<{ Params: { locale: string } }>("/lacak/texts/:locale", async (request, reply) => {
      const locale = request.params.locale.replace(/\.json$/, "");
      if (locale !== "id" && locale !== "en") throw new KanalError("KA_NOT_FOUND", "unknown locale; use id or en");
      return sendFile(reply, join(deps.templatesDir, locale, "lacak.json"), "application/json; charset=utf-8");
    });

    app.get("/api/track", limitedBy({ enabled: deps.rateLimit }, "track"), async (request, reply) => {
      const query = parseQuery(request);
      const locale = query.locale ?? deps.defaultLocale;
      // Never cached: a status changes, and a shared cache must not keep one complaint's answer.
      reply.header("cache-control", "no-store");
      const notFound = () => reply.status(404).send({ error: deps.text(locale, "tracking.notFound") });
      const ticket = findTicket(query.ticket);
      if (!ticket || ticket !== query.ticket.toUpperCase()) return notFound();

      const check = await checkTrackingCode(deps.sql, { ticket, code: query.code, client: `ip:${normalizeIP(request.ip)}` }, clock());
      if (check.outcome === "tooMany") {
        reply.header("retry-after", String(check.retryAfterSeconds));
        const minutes = String(Math.ceil(check.retryAfterSeconds / 60));
        throw new TooManyRequests(deps.text(locale, "tracking.tooMany", { minutes }), check.retryAfterSeconds);
      }
      if (check.outcome === "unknown") return notFound();
      const view = await publicTracking(deps.sql, check.complaintId, {
        sop: deps.sop,
        locale,
        text: (key, vars) => deps.text(locale, key, vars),
        redact: (text, who) => redact(text, who),
      });
      return view ? reply.send(view) : notFound();
    });
  };
}
