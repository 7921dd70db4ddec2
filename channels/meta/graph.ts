import type { SendResult } from "../../src/core/index.js";
import { attachmentTooLarge, downloadLimited as sharedDownload } from "../shared/index.js";

export type SendFailure = Extract<SendResult, { ok: false }>;

/** Every Graph call gives up after this long (a timeout counts as a network failure: retried). */
export const GRAPH_TIMEOUT_MS = 15_000;

/**
 * Graph's throttling codes (https://developers.facebook.com/docs/graph-api/overview/rate-limiting,
 * https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes): they come as
 * HTTP 400, not 429. 4 app, 17 user, 32 page, 613 calls per time, 80007 WhatsApp account rate
 * limit, 130429 throughput, 131048 spam rate limit, 131056 pair rate limit (same recipient).
 */
export const THROTTLING_CODES: ReadonlySet<number> = new Set([4, 17, 32, 613, 80007, 130429, 131048, 131056]);

/** 1 unknown error and 2 "service temporarily unavailable": Graph's own words for "try again". */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2]);

/** Waited out when a throttling answer names no Retry-After: Graph's windows are about a minute. */
export const DEFAULT_THROTTLE_WAIT_MS = 60_000;

export interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_msg?: string;
  error_data?: { details?: string } | string;
  fbtrace_id?: string;
}

/** `Retry-After` as seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function errorOf(body: unknown): GraphError | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  return typeof error === "object" && error !== null ? error : undefined;
}

/**
 * Graph's refusal as data. Throttling (HTTP 429 or a throttling code) is waited out for Retry-After,
 * else a minute; 5xx, `is_transient` and codes 1/2 are retried with the outbox's backoff; everything
 * else (131047 outside the 24-hour window, 131026 not a WhatsApp user, 100 invalid parameter,
 * 10/200 permission, 190 token, 551 person unavailable…) will fail the same way again.
 */
export function classifyGraphError(status: number, body: unknown, retryAfterHeader: string | null): SendFailure {
  const error = errorOf(body);
  const code = typeof error?.code === "number" ? error.code : undefined;
  const details = typeof error?.error_data === "object" ? error.error_data?.details : undefined;
  const message = [error?.message, details && details !== error?.message ? details : undefined].filter(Boolean).join(": ");
  const reason = code !== undefined ? `${code} ${message || `HTTP ${status}`}` : `HTTP ${status}${message ? ` ${message}` : ""}`;
  const wait = retryAfterMs(retryAfterHeader);
  if (status === 429 || (code !== undefined && THROTTLING_CODES.has(code))) {
    return { ok: false, retryable: true, retryAfterMs: wait ?? DEFAULT_THROTTLE_WAIT_MS, reason };
  }
  if (status >= 500 || error?.is_transient === true || (code !== undefined && TRANSIENT_CODES.has(code))) {
    return wait !== undefined ? { ok: false, retryable: true, retryAfterMs: wait, reason } : { ok: false, retryable: true, reason };
  }
  return { ok: false, retryable: false, reason };
}

/** A failed fetch (refused connection, reset, DNS, our 15-second timeout): the request may be retried. */
export function networkFailure(error: unknown): SendFailure {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const what =
    e?.name === "TimeoutError"
      ? `timeout after ${GRAPH_TIMEOUT_MS / 1000} s`
      : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error));
  return { ok: false, retryable: true, reason: `network: ${what}` };
}

export type GraphOutcome = { ok: true; body: unknown } | SendFailure;

/**
 * One Graph call. Never throws: the answer's JSON on success, a SendFailure otherwise. `url` may hold
 * an access token (Messenger's `?access_token=`): it never appears in a reason.
 */
export async function callGraph(
  url: string,
  init: { method: "GET" | "POST"; headers?: Record<string, string>; body?: string | FormData },
): Promise<GraphOutcome> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(GRAPH_TIMEOUT_MS) });
  } catch (error) {
    return networkFailure(error);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return networkFailure(error);
  }
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok) return { ok: true, body };
  return classifyGraphError(response.status, body, response.headers.get("retry-after"));
}

const tooLarge = attachmentTooLarge;

/**
 * Downloads at most `limit` bytes (the rest is never read). A 404/400/410 (media expired or unknown)
 * is KA_NOT_FOUND; other failures are plain errors (the webhook answers 500, Meta redelivers).
 */
export const downloadLimited = (url: string, limit: number, headers: Record<string, string> = {}, timeoutMs?: number) =>
  sharedDownload(url, limit, { provider: "meta", headers, timeoutMs, gone: { statuses: [400, 404, 410], from: "Meta" } });

export { tooLarge };
