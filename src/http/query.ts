import type { FastifyReply, FastifyRequest } from "fastify";
import { KanalError } from "../core/index.js";

/**
 * One rule for every route: a query parameter is given at most once. Fastify's parser turns
 * `?a=1&a=2` into an array, which code written for strings then trips over (a TypeError, a 500); no
 * client of ours repeats a parameter, so a repeated one is refused at the door with 400.
 */
export function refuseRepeatedParameters(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  done(repeatedParameter(request.query));
}

function repeatedParameter(query: unknown): KanalError | undefined {
  if (!query || typeof query !== "object") return undefined;
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== "string") {
      return new KanalError("KA_BAD_REQUEST", `the query parameter ${JSON.stringify(name.slice(0, 40))} must be given once`);
    }
  }
  return undefined;
}

/** The query string as single strings (refuseRepeatedParameters ran before any handler). */
export function singleQuery(request: FastifyRequest): Record<string, string | undefined> {
  const query = request.query;
  if (!query || typeof query !== "object") return {};
  // No prototype: a parameter named "constructor" or "__proto__" is just a name.
  const single: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  for (const [name, value] of Object.entries(query)) if (typeof value === "string") single[name] = value;
  return single;
}
