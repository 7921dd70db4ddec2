import type { FastifyInstance } from "fastify";
import { singleQuery } from "./query.js";
import type { Webhook } from "../core/index.js";

/**
 * `/webhooks/<path>` for each webhook channel. Bodies stay raw bytes: providers sign the exact
 * bytes they sent (Meta's X-Hub-Signature-256), and re-serialised JSON would not match.
 */
export function webhookRoutes(webhooks: readonly Webhook[], maxBytes: number) {
  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
    for (const webhook of webhooks) {
      app.route({
        method: ["GET", "POST"],
        url: `/webhooks/${webhook.path}`,
        handler: async (request, reply) => {
          const response = await webhook.handle({
            method: request.method === "GET" ? "GET" : "POST",
            headers: request.headers,
            query: singleQuery(request),
            rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          });
          reply.status(response.status);
          if (typeof response.body === "string") return reply.type("text/plain; charset=utf-8").send(response.body);
          return reply.send(response.body ?? {});
        },
      });
    }
  };
}
