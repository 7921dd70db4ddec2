import type { FastifyInstance } from "fastify";
import { singleQuery } from "./query.js";
import type { Webhook } from "../core/index.js";
import { refusalLimiter, type RateLimitSettings } from "./rate-limit.js";

/** Answers a webhook gives when its credential check failed: a wrong verify token, signature or secret. */
const REFUSED = new Set([401, 403]);

/**
 * `/webhooks/<path>` for each webhook channel. Bodies stay raw bytes: providers sign the exact
 * bytes they sent (Meta's X-Hub-Signature-256), and re-serialised JSON would not match.
 *
 * Per client, only refusals are counted: a client that failed its credential check too often is
 * refused (429) before its next check, so a verify token or a Telegram secret cannot be guessed at
 * speed. A provider's deliveries pass their check and are never counted, never limited.
 */
export function webhookRoutes(webhooks: readonly Webhook[], maxBytes: number, limits: RateLimitSettings) {
  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
    const refusals = refusalLimiter(app, limits);
    for (const webhook of webhooks) {
      app.route({
        method: ["GET", "POST"],
        url: `/webhooks/${webhook.path}`,
        handler: async (request, reply) => {
          const blocked = await refusals.blocked(request);
          if (blocked) {
            void reply.header("retry-after", String(blocked.retryAfterSeconds));
            throw blocked;
          }
          const response = await webhook.handle({
            method: request.method === "GET" ? "GET" : "POST",
            headers: request.headers,
            query: singleQuery(request),
            rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          });
          if (REFUSED.has(response.status)) await refusals.refused(request);
          reply.status(response.status);
          if (typeof response.body === "string") return reply.type("text/plain; charset=utf-8").send(response.body);
          return reply.send(response.body ?? {});
        },
      });
    }
  };
}
