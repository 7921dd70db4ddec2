import type { FastifyInstance } from "fastify";
import type { ServerDeps } from "./types.js";

export function healthRoutes(deps: ServerDeps) {
  const started = Date.now();
  return async (app: FastifyInstance) => {
    app.get("/health", async (_request, reply) => {
      const database = await deps.databaseOk().catch(() => false);
      const body = {
        status: database ? "ok" : "unavailable",
        database: database ? "ok" : "unreachable",
        channels: deps.channels(),
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      };
      return reply.status(database ? 200 : 503).send(body);
    });
  };
}
