import type { FastifyInstance } from "fastify";
import type { ServerDeps } from "./types.js";

export function healthRoutes(deps: ServerDeps) {
  const started = Date.now();
  return async (app: FastifyInstance) => {
    app.get("/health", async (_request, reply) => {
      const database = await deps.databaseOk().catch(() => false);
      const leader = database ? await deps.leader?.().catch(() => undefined) : undefined;
      const body = {
        status: database ? "ok" : "unavailable",
        database: database ? "ok" : "unreachable",
        ...(leader ? { cluster: leader } : {}),
        channels: deps.channels(),
        ...(deps.channelDetails ? { channelDetails: deps.channelDetails() } : {}),
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      };
      return reply.status(database ? 200 : 503).send(body);
    });
    app.get("/metrics", async (_request, reply) => {
      if (!deps.metrics) return reply.status(404).send({ error: "metrics are not enabled" });
      const text = await deps.metrics();
      return reply.type("text/plain; version=0.0.4; charset=utf-8").send(text);
    });
  };
}
