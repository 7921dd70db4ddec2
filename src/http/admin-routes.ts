import type { FastifyInstance } from "fastify";
import { singleQuery } from "./query.js";
import type { WebhookRequest, WebhookResponse } from "../core/index.js";

/** An operator's page a channel serves (the WhatsApp Web QR code), behind the channel's own token. */
export interface AdminPage {
  path: string;
  handle(request: WebhookRequest): Promise<WebhookResponse & { contentType?: string; headers?: Record<string, string> }>;
}

export function adminRoutes(pages: readonly AdminPage[]) {
  return async (app: FastifyInstance) => {
    for (const page of pages) {
      app.get(`/admin/${page.path}`, async (request, reply) => {
        const response = await page.handle({
          method: "GET",
          headers: request.headers,
          query: singleQuery(request),
          rawBody: Buffer.alloc(0),
        });
        for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
        reply.status(response.status);
        if (typeof response.body === "string") return reply.type(response.contentType ?? "text/plain; charset=utf-8").send(response.body);
        return reply.send(response.body ?? {});
      });
    }
  };
}
