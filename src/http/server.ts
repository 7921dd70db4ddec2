import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { errorHandler } from "./errors.js";
import { healthRoutes } from "./health-routes.js";
import { refuseRepeatedParameters } from "./query.js";
import { registerRateLimits } from "./rate-limit.js";
import { rateLimitSettings, trustProxyOption, warnOnceOfUntrustedProxy } from "./client-address.js";
import { registerSecurityHeaders, securityHeaderOptions } from "./security-headers.js";
import { webchatRoutes } from "./webchat-routes.js";
import { trackRoutes } from "./track-routes.js";
import { adminRoutes } from "./admin-routes.js";
import { webhookRoutes } from "./webhook-routes.js";
import type { ServerDeps } from "./types.js";

/** A request slower than this is logged (the web chat answers in tens of milliseconds). */
const SLOW_REQUEST_MS = 2000;

/** Builds the app without listening: src/main/server.ts listens, tests use app.inject() or listen on port 0. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    // Only a proxy named in TRUST_PROXY may say who the client is (X-Forwarded-For) and that it came
    // over https (X-Forwarded-Proto); anyone else's headers are ignored, so no client picks the
    // address its rate limits count under.
    trustProxy: trustProxyOption(deps.security?.trustProxy ?? false),
    // A reverse proxy's X-Request-Id is kept, so one id follows a request through the proxy's log and ours.
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
  });
  // The hooks every request passes take a callback, not a promise: a few microseconds each of a
  // web-chat request's ≈ 300 (README, Benchmark).
  app.addHook("onRequest", (request, reply, done) => {
    if (!/^[A-Za-z0-9._:-]{1,128}$/.test(request.id)) request.id = randomUUID();
    reply.header("x-request-id", request.id);
    done();
  });
  registerSecurityHeaders(app, securityHeaderOptions(deps));
  app.addHook("onRequest", refuseRepeatedParameters);
  if (!deps.security?.trustProxy) app.addHook("onRequest", warnOnceOfUntrustedProxy(deps.log));
  const limits = rateLimitSettings(deps);
  await registerRateLimits(app, limits);
  // Every request that failed on our side, and every slow one, is a log line with its request id.
  app.addHook("onResponse", (request, reply, done) => {
    try {
      const ms = Math.round(reply.elapsedTime);
      if (reply.statusCode >= 500 || ms >= SLOW_REQUEST_MS) {
        deps.log(reply.statusCode >= 500 ? "request answered with an error" : "slow request", {
          requestId: request.id,
          method: request.method,
          route: request.routeOptions.url ?? "(no route)",
          status: reply.statusCode,
          ms,
        });
      }
    } finally {
      done();
    }
  });
  app.setErrorHandler(errorHandler(deps.log));
  // On shutdown Fastify closes idle keep-alive connections, but a connection busy with a request
  // stays open after answering it until its keep-alive timeout (72 s): tell those clients to go.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: "not found" }));
  await app.register(healthRoutes(deps));
  await app.register(webchatRoutes(deps));
  await app.register(webhookRoutes(deps.webhooks ?? [], 5 * 1024 * 1024, limits));
  await app.register(
    adminRoutes(deps.adminPages ?? [], { https: deps.security?.https ?? false, rateLimit: limits.enabled, log: deps.log }),
  );
  if (deps.tracking) await app.register(trackRoutes(deps.tracking, securityHeaderOptions(deps)));
  if (deps.staffConsole) await app.register(deps.staffConsole, { prefix: "/staff" });
  return app;
}
