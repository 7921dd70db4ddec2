import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanalError, LOCALES, type Locale } from "../core/index.js";
import type { Database } from "../db/index.js";
import { accessOf, roleLabel } from "./access.js";
import { states, stateOf, userOf, type ConsoleRequestState, type ConsoleRouteConfig, type Renderer } from "./context.js";
import { html } from "./html.js";
import { page } from "./layout.js";
import { endSession, findSession, touchSession } from "./sessions.js";
import { textsFor } from "./texts.js";
import { signInRoutes } from "./sign-in.js";
import { inboxRoutes } from "./inbox.js";
import { complaintRoutes } from "./complaint-page.js";
import { LiveFeed, liveRoutes } from "./live.js";
import { boardRoutes } from "./board.js";
import { reportRoutes } from "./reports-page.js";
import { peopleRoutes } from "./people.js";
import { auditRoutes } from "./audit.js";
import type { ConsoleDeps } from "./types.js";

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "public");
const STATIC_FILES: Record<string, string> = {
  "console.css": "text/css; charset=utf-8",
  "console.js": "text/javascript; charset=utf-8",
};

export const SESSION_COOKIE = "kanal_staff";
const CSRF_COOKIE = "kanal_staff_csrf";
const LANG_COOKIE = "kanal_staff_lang";

/**
 * The console's pages never run other sites' code, never sit in a frame, never post elsewhere, and
 * are never kept by a cache (they show complaints).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** A secret every instance shares (the CSRF tokens' HMAC key): made once, kept in the database. */
async function sharedSecret(db: Database, name: string): Promise<string> {
  const key = `console:${name}`;
  await db.sql.execute(`INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?) ON CONFLICT ("key") DO NOTHING`, [
    key,
    randomBytes(32).toString("base64url"),
    new Date(),
  ]);
  const row = await db.prisma.channelState.findUnique({ where: { key } });
  if (!row) throw new Error(`could not keep the console's ${name}`);
  return row.value;
}

const wantsJson = (request: FastifyRequest) =>
  request.url.startsWith("/staff/api/") ||
  request.url.startsWith("/staff/events") ||
  (request.headers.accept?.includes("application/json") === true && !request.headers.accept.includes("text/html"));

export function consolePlugin(deps: ConsoleDeps) {
  const { db, settings } = deps;
  const clock = deps.clock ?? (() => new Date());
  const idleMs = settings.idleMinutes * 60_000;

  const isHttps = (request: FastifyRequest) => request.protocol === "https" || settings.publicBaseUrl?.startsWith("https:") === true;

  const renderer: Renderer = {
    csrf(request, reply) {
      const state = stateOf(request);
      return reply.generateCsrf({ userInfo: state.user?.sessionId ?? "signed-out", secure: state.https });
    },
    page(request, reply, content) {
      const state = stateOf(request);
      const token = renderer.csrf(request, reply);
      reply.type("text/html; charset=utf-8");
      return page({
        t: state.t,
        officeName: settings.officeName,
        title: content.title,
        user: state.user,
        section: content.section,
        csrf: token,
        path: request.url.replace(/([?&])lang=[^&]*&?/, "$1").replace(/[?&]$/, ""),
        live: content.live,
        body: content.body(token),
      }).value;
    },
    problem(request, reply, status, message) {
      const { t } = stateOf(request);
      reply.status(status);
      return renderer.page(request, reply, {
        title: t("console.error.title"),
        body: () =>
          html`<h1>${t("console.error.title")}</h1>
            <p role="alert" class="notice error">${message}</p>
            <p><a href="/staff/inbox">${t("console.error.back")}</a></p>`,
      });
    },
  };

  return async (app: FastifyInstance) => {
    // Registered here, inside the console's own context: the form parser must not reach the JSON
    // APIs (a cross-site form could then post to them), and the cookie plugin may already be on the
    // root (the WhatsApp Web admin page's sign-in).
    if (!app.hasRequestDecorator("cookies")) await app.register(cookie);
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    // The reply form posts its files as multipart (action-upload.ts reads them within its own limits).
    await app.register(multipart);
    await app.register(csrf, {
      cookieKey: CSRF_COOKIE,
      cookieOpts: { path: "/staff", sameSite: "strict", httpOnly: true },
      // A token is bound to the session it was made for (no token of one session works in another).
      getUserInfo: (request: FastifyRequest) => states.get(request)?.user?.sessionId ?? "signed-out",
      csrfOpts: { hmacKey: await sharedSecret(db, "csrf-hmac-key") },
    });

    app.addHook("onRequest", async (request, reply) => {
      const https = isHttps(request);
      const langCookie = request.cookies[LANG_COOKIE];
      const locale: Locale = LOCALES.includes(langCookie as Locale) ? (langCookie as Locale) : settings.defaultLocale;
      const token = request.cookies[SESSION_COOKIE];
      const signedIn = await findSession(db, token, clock(), idleMs);
      const t = textsFor(deps.templates, locale, settings.officeName);
      const state: ConsoleRequestState = {
        t,
        hadSession: token !== undefined,
        https,
        ...(signedIn
          ? { user: { ...signedIn, ...accessOf(deps.sop, signedIn.role), roleLabel: roleLabel(deps.sop, signedIn.role, locale) } }
          : {}),
      };
      states.set(request, state);
      reply.header("content-security-policy", CSP);
      reply.header("x-content-type-options", "nosniff");
      reply.header("x-frame-options", "DENY");
      reply.header("referrer-policy", "same-origin");
      reply.header("cache-control", "no-store");

      // ?lang=en on any page: remembered in a cookie, then the same page without it.
      const query = request.query as Record<string, unknown>;
      if (request.method === "GET" && (query.lang === "id" || query.lang === "en")) {
        reply.setCookie(LANG_COOKIE, query.lang, {
          path: "/staff",
          sameSite: "strict",
          httpOnly: true,
          secure: https,
          maxAge: 365 * 86_400,
        });
        const url = request.url.replace(/([?&])lang=[^&]*&?/, "$1").replace(/[?&]$/, "");
        return reply.redirect(url, 303);
      }

      const config = request.routeOptions.config as ConsoleRouteConfig;
      if (config.public) return;
      if (!state.user) {
        if (token !== undefined) reply.clearCookie(SESSION_COOKIE, { path: "/staff" });
        if (wantsJson(request)) return reply.status(401).send({ error: "sign in first: /staff/login" });
        const next = request.method === "GET" ? request.url : "/staff/inbox";
        return reply.redirect(`/staff/login?next=${encodeURIComponent(next)}${token !== undefined ? "&expired=1" : ""}`, 303);
      }
      // A click is activity; the page's own background requests (live updates) are not.
      if (!config.background && request.headers["x-kanal-background"] === undefined) await touchSession(db, state.user, clock());
    });

    app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
      const state = states.get(request);
      const json = wantsJson(request) || !state;
      const status =
        error instanceof KanalError
          ? (({ KA_NOT_FOUND: 404, KA_BAD_REQUEST: 400 } as Record<string, number>)[error.code] ?? 500)
          : (error.statusCode ?? 500);
      if (status >= 500) {
        deps.log("console request failed", {
          requestId: request.id,
          route: request.routeOptions.url ?? "(no route)",
          error: error.message,
          stack: error.stack,
        });
      }
      const message =
        error.code === "FST_CSRF_INVALID_TOKEN" || error.code === "FST_CSRF_MISSING_SECRET"
          ? (state?.t("console.error.csrf") ?? "invalid csrf token")
          : status === 404
            ? (state?.t("console.error.notFound") ?? "not found")
            : status >= 500
              ? (state?.t("console.error.server") ?? "internal error")
              : (state?.t("console.error.badRequest", { reason: error.message }) ?? error.message);
      if (json) return reply.status(status).send({ error: message });
      return reply.send(renderer.problem(request, reply, status, message));
    });

    app.setNotFoundHandler(async (request, reply) => {
      if (!states.get(request) || wantsJson(request)) return reply.status(404).send({ error: "not found" });
      return renderer.problem(request, reply, 404, stateOf(request).t("console.error.notFound"));
    });

    app.get<{ Params: { file: string } }>("/static/:file", { config: { public: true } }, async (request, reply) => {
      const type = STATIC_FILES[request.params.file];
      if (!type) throw new KanalError("KA_NOT_FOUND", "not found");
      reply.header("cache-control", "no-cache");
      return reply.type(type).send(await readFile(join(PUBLIC_DIR, request.params.file)));
    });

    app.get("/", async (request, reply) => reply.redirect(stateOf(request).user ? "/staff/inbox" : "/staff/login", 303));

    await app.register(signInRoutes(deps, renderer, { sessionCookie: SESSION_COOKIE, idleMs }));
    await app.register(inboxRoutes(deps, renderer));
    await app.register(complaintRoutes(deps, renderer));
    await app.register(boardRoutes(deps, renderer));
    await app.register(reportRoutes(deps, renderer));
    await app.register(peopleRoutes(deps, renderer));
    await app.register(auditRoutes(deps, renderer));
    await app.register(liveRoutes(new LiveFeed(db, clock, deps.liveEveryMs ?? 3_000, deps.log)));

    app.post("/logout", { preHandler: app.csrfProtection.bind(app) }, async (request, reply) => {
      const user = userOf(request);
      await endSession(db, user.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: "/staff" });
      return reply.redirect("/staff/login?out=1", 303);
    });
  };
}
