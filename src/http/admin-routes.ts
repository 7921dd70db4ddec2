import { createHmac, timingSafeEqual } from "node:crypto";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { OperatorPage, OperatorPageResponse } from "../core/index.js";
import { limitedBy } from "./rate-limit.js";
import type { Log } from "../core/index.js";

/** An operator's page a channel serves (the WhatsApp Web QR code); `page()` is the current term's. */
export interface AdminPage {
  path: string;
  page: () => OperatorPage;
}

export interface AdminRouteOptions {
  /** PUBLIC_BASE_URL is https: the cookie is Secure whatever the request says. */
  https: boolean;
  /** RATE_LIMIT: the sign-in form is under the shared "login" limit. */
  rateLimit: boolean;
  log: Log;
}

/** An operator signs in for a working day; the page refreshes itself meanwhile. */
const SESSION_MS = 12 * 3600_000;

/** `<expiry ms>.<HMAC-SHA256(key, path:expiry)>`: nothing to store, valid on every instance, ended by a new token. */
function sessionValue(key: Buffer, path: string, expiresAtMs: number): string {
  return `${expiresAtMs}.${createHmac("sha256", key).update(`${path}:${expiresAtMs}`).digest("base64url")}`;
}

function validSession(key: Buffer | undefined, path: string, value: string | undefined, now: number): boolean {
  if (!key || !value) return false;
  const match = /^(\d{13,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return false;
  const expiresAtMs = Number(match[1]);
  if (expiresAtMs <= now || expiresAtMs > now + SESSION_MS) return false;
  const expected = Buffer.from(sessionValue(key, path, expiresAtMs));
  const given = Buffer.from(value);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A form posted from another site (a page that makes the operator's browser sign in or out) is
 * refused: the browser says where a request comes from in Sec-Fetch-Site and Origin.
 */
function crossSite(request: FastifyRequest): boolean {
  if (request.headers["sec-fetch-site"] === "cross-site") return true;
  const origin = request.headers.origin;
  if (origin === undefined || origin === "null") return origin === "null";
  try {
    return new URL(origin).host !== request.host;
  } catch {
    return true;
  }
}

function sendPage(reply: FastifyReply, response: OperatorPageResponse) {
  for (const [name, value] of Object.entries(response.headers ?? {})) void reply.header(name, value);
  return reply.status(response.status).type("text/html; charset=utf-8").send(response.body);
}

/**
 * /admin/<path>: the page for a signed-in operator, else its sign-in form. POST /admin/<path>/login
 * takes the token from the form (never from the URL: proxy logs and browser history keep URLs),
 * throttled by the shared "login" limit, and sets an HttpOnly, SameSite=Strict cookie (Secure behind
 * https) scoped to the page. POST /admin/<path>/logout ends it. The token is never logged.
 */
export function adminRoutes(pages: readonly AdminPage[], options: AdminRouteOptions) {
  return async (app: FastifyInstance) => {
    // Encapsulated here: only the operator pages read cookies and forms.
    await app.register(cookie);
    await app.register(formbody, { bodyLimit: 4096 });
    for (const { path, page } of pages) {
      const base = `/admin/${path}`;
      const signIn = `${base}/login`;
      const signOut = `${base}/logout`;
      const cookieName = `kanal_admin_${path.replace(/[^A-Za-z0-9_]/g, "_")}`;
      const cookieOptions = (request: FastifyRequest) => ({
        path: base,
        httpOnly: true,
        sameSite: "strict" as const,
        secure: options.https || request.protocol === "https",
      });
      const missing = (reply: FastifyReply) =>
        reply.status(404).send({ error: "this page is off; set its token (WHATSAPP_WEB_ADMIN_TOKEN) to open it" });

      app.get(base, async (request, reply) => {
        const current = page();
        if (!current.enabled) return missing(reply);
        if (validSession(current.sessionKey(), base, request.cookies[cookieName], Date.now())) {
          return sendPage(reply, await current.render({ logoutAction: signOut }));
        }
        return sendPage(reply, current.loginForm({ action: signIn, failed: false }));
      });

      app.post(signIn, limitedBy({ enabled: options.rateLimit }, "login"), async (request, reply) => {
        const current = page();
        if (!current.enabled) return missing(reply);
        if (crossSite(request)) return reply.status(403).send({ error: "sign in from the page itself" });
        const body = request.body as { token?: unknown } | undefined;
        const token = typeof body?.token === "string" ? body.token : "";
        const key = current.sessionKey();
        if (!key || !current.checkSecret(token)) {
          options.log("operator sign-in refused", { page: base, requestId: request.id, client: request.ip });
          return sendPage(reply, current.loginForm({ action: signIn, failed: true }));
        }
        options.log("operator signed in", { page: base, requestId: request.id, client: request.ip });
        const expiresAtMs = Date.now() + SESSION_MS;
        void reply.setCookie(cookieName, sessionValue(key, base, expiresAtMs), { ...cookieOptions(request), maxAge: SESSION_MS / 1000 });
        return reply.status(303).header("location", base).header("cache-control", "no-store").send();
      });

      app.post(signOut, async (request, reply) => {
        if (crossSite(request)) return reply.status(403).send({ error: "sign out from the page itself" });
        void reply.clearCookie(cookieName, cookieOptions(request));
        return reply.status(303).header("location", base).header("cache-control", "no-store").send();
      });
    }
  };
}
