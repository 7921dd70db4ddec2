import Fastify, { type FastifyInstance } from "fastify";
import multipart from "@fastify/multipart";
import { errorHandler } from "./errors.js";
import { healthRoutes } from "./health-routes.js";
import { webchatRoutes } from "./webchat-routes.js";
import { adminRoutes } from "./admin-routes.js";
import { webhookRoutes } from "./webhook-routes.js";
import type { ServerDeps } from "./types.js";

/** Builds the app without listening: main.ts listens, tests use app.inject() or listen on port 0. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: true });
  app.setErrorHandler(errorHandler(deps.log));
  // On shutdown Fastify closes idle keep-alive connections, but a connection busy with a request
  // stays open after answering it until its keep-alive timeout (72 s): tell those clients to go.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    if (closing) reply.header("connection", "close");
    return payload;
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: "not found" }));
  await app.register(multipart, {
    limits: { fileSize: deps.webchat.maxAttachmentBytes, files: 1, fields: 5, fieldSize: 1024 },
  });
  await app.register(healthRoutes(deps));
  await app.register(webchatRoutes(deps));
  await app.register(webhookRoutes(deps.webhooks ?? [], 5 * 1024 * 1024));
  await app.register(adminRoutes(deps.adminPages ?? []));
  return app;
}
