import type { FastifyReply, FastifyRequest } from "fastify";
import type { Locale } from "../core/index.js";
import type { RateLimitSettings } from "./rate-limit.js";
import type { Log } from "../core/index.js";
import type { ServerDeps } from "./types.js";

/**
 * TRUST_PROXY as Fastify's trustProxy: false, the proxies' addresses, or for a hop count the
 * function proxy-addr makes of a number (the first `hops` addresses from the socket are proxies;
 * Fastify's typings leave the number out).
 */
export function trustProxyOption(
  value: false | number | readonly string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === false) return false;
  if (typeof value === "number") return (_address, hop) => hop < value;
  return [...value];
}

/**
 * Behind a reverse proxy with TRUST_PROXY off, every client has the proxy's address and shares
 * one rate-limit budget: say so once, naming the setting, instead of letting the office find out
 * from citizens refused with 429.
 */
export function warnOnceOfUntrustedProxy(log: Log) {
  let warned = false;
  return (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    try {
      if (!warned && request.headers["x-forwarded-for"] !== undefined) {
        warned = true;
        log(
          "requests come through a proxy (X-Forwarded-For) but TRUST_PROXY is off: every client counts as the proxy's address for the rate limits; set TRUST_PROXY to the proxy's address (README: Security)",
          { proxy: request.socket.remoteAddress },
        );
      }
    } finally {
      // A log that fails must not hold the request.
      done();
    }
  };
}

const ENGLISH: Record<string, string> = {
  "http.tooManyRequests.seconds": "Sorry, there have been too many requests from your network. Please try again in {seconds} seconds.",
  "http.tooManyRequests.minutes": "Sorry, there have been too many requests from your network. Please try again in {minutes} minutes.",
};

/** The rate limits' settings from the server's dependencies (on, in memory, when none are given). */
export function rateLimitSettings(deps: ServerDeps): RateLimitSettings {
  const say = (locale: Locale, key: string, vars: Record<string, number>) =>
    deps.texts ? deps.texts(locale, key, vars) : ENGLISH[key]!.replace(/\{(\w+)\}/g, (_m, name: string) => String(vars[name]));
  return {
    enabled: deps.security?.rateLimit ?? true,
    shared: deps.security?.sharedCounter,
    defaultLocale: deps.defaultLocale,
    text: (locale, seconds) =>
      seconds < 120
        ? say(locale, "http.tooManyRequests.seconds", { seconds })
        : say(locale, "http.tooManyRequests.minutes", { minutes: Math.ceil(seconds / 60) }),
  };
}
