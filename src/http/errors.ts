import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { KanalError, type ErrorCode, type Log } from "../core/index.js";
import { TooManyRequests } from "./rate-limit.js";

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  KA_BAD_REQUEST: 400,
  KA_NOT_FOUND: 404,
  KA_TOO_LARGE: 413,
  KA_UNSUPPORTED_MEDIA: 415,
  KA_SHUTTING_DOWN: 503,
  KA_DATABASE: 503,
  KA_UNAVAILABLE: 503,
};

/**
 * Every error leaves as `{ "error": "…" }` with a 4xx for what the client got wrong (malformed
 * JSON, wrong content type, body too large) and 5xx only for our own failures.
 */
export function errorHandler(log: Log) {
  return (error: FastifyError | KanalError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof TooManyRequests) {
      // Retry-After is already on the reply (the rate limiter sets it); the page shows `error`.
      return reply.status(429).send({ error: error.message, retryAfterSeconds: error.retryAfterSeconds });
    }
    if (error instanceof KanalError) {
      return reply.status(STATUS_OF[error.code] ?? 500).send({ error: error.message, code: error.code });
    }
    const status = "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status >= 500) {
      log("request failed", {
        requestId: request.id,
        route: request.routeOptions.url ?? "(no route)",
        method: request.method,
        error: error.message,
        stack: error.stack,
      });
      return reply.status(status).send({ error: "internal error; please try again" });
    }
    return reply.status(status).send({ error: clientMessage(error as FastifyError) });
  };
}

function clientMessage(error: FastifyError): string {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the body is not valid JSON";
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "the body is too large";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "unsupported content type; send application/json";
    default:
      return error.message;
  }
}
