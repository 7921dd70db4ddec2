import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { isRetryLater, type Webhook, type WebhookRequest, type WebhookResponse } from "../../src/core/index.js";
import type { Log } from "./graph.js";
import type { MetaEvent, ParsedBatch } from "./inbound.js";

/** Meta's notifications are small (a batch holds at most 1000 updates); anything larger is refused unread. */
export const MAX_BODY_BYTES = 1024 * 1024;

const SIGNATURE_HEADER = "x-hub-signature-256";

/** A header by name in any case (Fastify lowercases them; a hand-built request may not). */
function header(headers: WebhookRequest["headers"], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the body's exact bytes with the app secret
 * (https://developers.facebook.com/docs/messenger-platform/webhooks#validate-payloads). Meta escapes
 * non-ASCII as \uXXXX and signs those bytes, so only the raw body can be checked, never re-serialised
 * JSON. The comparison is constant-time over two 32-byte digests.
 */
export function verifySignature(rawBody: Buffer, signature: string | undefined, appSecret: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature?.trim() ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!, "hex");
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export interface MetaWebhookDeps {
  appSecret: string;
  verifyToken: string;
  log: Log;
  /** False until an adapter was started (its sink known): Meta is told to come back later. */
  running(): boolean;
  parse(body: unknown): ParsedBatch;
  /**
   * Resolves once every event was passed on and durably recorded, or recorded as failed on its own;
   * rejects when the body must come again (the database away, the bot stopping).
   */
  deliver(events: MetaEvent[]): Promise<void>;
}

/**
 * GET /webhooks/meta: the subscription check. POST: the events of all three products, in this order:
 * size, signature (before anything is parsed), JSON, then each item on its own. The answer is 200 once
 * every message is recorded — processed, or recorded as failed because of what it held (one bad
 * message must not make Meta redeliver the whole body for days). A database outage or a stopping bot
 * answers 503 and Meta delivers the whole body again (the pipeline handles a message id it has seen
 * once, and a status update is idempotent).
 */
export function createMetaWebhook(deps: MetaWebhookDeps): Webhook {
  const tokenDigest = digest(deps.verifyToken);
  const { log } = deps;

  function subscribe(query: WebhookRequest["query"]): WebhookResponse {
    // https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
    const mode = query["hub.mode"];
    const token = query["hub.verify_token"];
    const challenge = query["hub.challenge"];
    if (mode === "subscribe" && token !== undefined && timingSafeEqual(digest(token), tokenDigest) && challenge !== undefined) {
      log("meta: webhook subscription verified", {});
      return { status: 200, body: challenge };
    }
    log("meta: webhook subscription check refused", { mode });
    return { status: 403, body: { error: "wrong hub.verify_token or hub.mode" } };
  }

  async function notify(request: WebhookRequest): Promise<WebhookResponse> {
    if (request.rawBody.byteLength > MAX_BODY_BYTES) {
      return { status: 413, body: { error: `the body is larger than ${MAX_BODY_BYTES} bytes` } };
    }
    if (!verifySignature(request.rawBody, header(request.headers, SIGNATURE_HEADER), deps.appSecret)) {
      log("meta: webhook refused: missing or wrong X-Hub-Signature-256", {});
      return { status: 401, body: { error: "missing or wrong X-Hub-Signature-256" } };
    }
    if (!deps.running()) return { status: 503, body: { error: "the Meta channels are not running" } };
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString("utf8"));
    } catch {
      return { status: 400, body: { error: "the body is not JSON" } };
    }
    const batch = deps.parse(body);
    // Acknowledged and not retried: Meta would send the same thing again forever.
    if (Object.keys(batch.unexpected).length > 0) log("meta: webhook items ignored", { ignored: batch.unexpected });
    if (batch.invalid.length > 0)
      log("meta: webhook items skipped: not in Meta's shape", { invalid: batch.invalid.slice(0, 20), count: batch.invalid.length });
    try {
      await deps.deliver(batch.events);
      return { status: 200, body: {} };
    } catch (error) {
      log("meta: webhook events not recorded; Meta will deliver them again", {
        error: (error as Error).message,
        events: batch.events.length,
      });
      // The database away or the bot stopping is "try again" (503), not our bug (500); Meta redelivers either way.
      return { status: isRetryLater(error) ? 503 : 500, body: { error: "the events were not recorded" } };
    }
  }

  return {
    path: "meta",
    handle(request) {
      return request.method === "GET" ? Promise.resolve(subscribe(request.query)) : notify(request);
    },
  };
}
