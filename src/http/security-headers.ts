import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import helmet, { type HelmetOptions } from "helmet";
import type { ServerDeps } from "./types.js";

/** The headers one kind of answer carries, worked out once (see registerSecurityHeaders). */
export type SecurityHeaders = Readonly<Record<string, string>>;

declare module "fastify" {
  interface FastifyContextConfig {
    /** This route's own security headers instead of the server's (the chat pages). */
    securityHeaders?: SecurityHeaders;
  }
}

/**
 * What a JSON answer, a static file or an error may do in a browser: nothing. No framing, no
 * loading, no forms — an answer opened by itself in a tab is inert.
 */
const API_POLICY = {
  "default-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
  "frame-ancestors": ["'none'"],
};

/**
 * The chat page: everything from this server (no CDN, no fonts, no trackers) — the policy of the
 * page's own <meta> tag, plus what only a header can say (frame-ancestors).
 */
function chatPagePolicy(frameAncestors: readonly string[]) {
  return {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": frameAncestors.length > 0 ? [...frameAncestors] : ["'none'"],
  };
}

export interface SecurityHeaderOptions {
  /** WEBCHAT_FRAME_ANCESTORS: origins allowed to embed the chat page (an office's own website). */
  frameAncestors: readonly string[];
  /** PUBLIC_BASE_URL is https: browsers are told to keep to https (HSTS). */
  https: boolean;
}

/** The server's settings that decide the headers. */
export function securityHeaderOptions(deps: Pick<ServerDeps, "security">): SecurityHeaderOptions {
  return { frameAncestors: deps.security?.frameAncestors ?? [], https: deps.security?.https ?? false };
}

/** Half a year: long enough to matter, short enough to undo a mistaken https set-up. */
const HSTS_SECONDS = 180 * 24 * 3600;

function baseOptions(options: SecurityHeaderOptions) {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: API_POLICY },
    referrerPolicy: { policy: "no-referrer" as const },
    frameguard: { action: "deny" as const },
    hsts: options.https ? { maxAge: HSTS_SECONDS, includeSubDomains: false } : false,
  };
}

/**
 * The headers helmet sets for `options`. Helmet decides them from its options alone (no directive
 * here is a function of the request), so they are the same for every answer: asked once, not per
 * request as @fastify/helmet did (it parsed the policy anew for each one, ≈ 2 % of a busy web-chat
 * server's main thread).
 */
function headersOf(options: HelmetOptions): SecurityHeaders {
  const headers: Record<string, string> = {};
  // Helmet only sets and removes headers on the response: a recorder of those calls is all it needs.
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  // Helmet (8.1+) throws a bad option itself; what it passes on to next() is nothing.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return Object.freeze(headers);
}

/**
 * Real headers on every answer (pages, API, errors, 404s): a Content-Security-Policy,
 * X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer, X-Frame-Options: DENY, and HSTS
 * behind https, as helmet writes them. Registered before the hooks that may refuse a request (429,
 * 400), so their answers carry them too. A route with `config.securityHeaders` (chatPageHeaders)
 * gets those instead.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): void {
  const everywhere = headersOf(baseOptions(options));
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(request.routeOptions.config?.securityHeaders ?? everywhere);
    done();
  });
}

/** The chat page's headers: its own policy; X-Frame-Options left out when some sites may frame it. */
export function chatPageHeaders(options: SecurityHeaderOptions): SecurityHeaders {
  return headersOf({
    ...baseOptions(options),
    contentSecurityPolicy: { useDefaults: false, directives: chatPagePolicy(options.frameAncestors) },
    // X-Frame-Options cannot name several origins; frame-ancestors (which browsers prefer) does.
    ...(options.frameAncestors.length > 0 ? { frameguard: false as const } : {}),
  });
}
