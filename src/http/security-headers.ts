import helmet, { type FastifyHelmetOptions } from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

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

/** Half a year: long enough to matter, short enough to undo a mistaken https set-up. */
const HSTS_SECONDS = 180 * 24 * 3600;

/**
 * Real headers on every answer (pages, API, errors, 404s), with @fastify/helmet: a
 * Content-Security-Policy, X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer,
 * X-Frame-Options: DENY, and HSTS behind https. Registered before every route: helmet's onRequest
 * hook runs first, so even a request refused by a later hook (429, 400) carries them.
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: API_POLICY },
    referrerPolicy: { policy: "no-referrer" },
    frameguard: { action: "deny" },
    hsts: options.https ? { maxAge: HSTS_SECONDS, includeSubDomains: false } : false,
  });
}

/** The chat page's route option: its own policy; X-Frame-Options left out when some sites may frame it. */
export function chatPageHeaders(frameAncestors: readonly string[]): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: chatPagePolicy(frameAncestors) },
    // X-Frame-Options cannot name several origins; frame-ancestors (which browsers prefer) does.
    ...(frameAncestors.length > 0 ? { frameguard: false } : {}),
  };
}
