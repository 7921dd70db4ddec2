import { TelegramError } from "telegraf";
import type { SendResult } from "../../src/core/index.js";
import { isNetworkErrorCode } from "../shared/index.js";

export type SendFailure = Extract<SendResult, { ok: false }>;

/**
 * The Bot API's refusal as data (https://core.telegram.org/bots/api#making-requests): 429 carries
 * `parameters.retry_after` in seconds; 5xx and network failures are transient; any other 4xx
 * (blocked by the user, chat not found, bad request…) will fail the same way again. A group that
 * became a supergroup answers 400 with `migrate_to_chat_id`, kept in the reason for the operator.
 */
export function toSendFailure(error: unknown): SendFailure {
  if (error instanceof TelegramError) {
    const reason = `${error.code} ${error.description}`;
    if (error.code === 429) {
      const seconds = error.parameters?.retry_after ?? 1;
      return { ok: false, retryable: true, retryAfterMs: seconds * 1000, reason };
    }
    if (error.code >= 500) return { ok: false, retryable: true, reason };
    const migrated = error.parameters?.migrate_to_chat_id;
    return { ok: false, retryable: false, reason: migrated ? `${reason} (the chat is now ${migrated})` : reason };
  }
  const e = error as { name?: string; code?: string; message?: string; type?: string };
  const name = e?.name ?? "Error";
  // node-fetch's FetchError wraps a network failure with the system `code`.
  if (name === "FetchError" || name === "AbortError" || isNetworkErrorCode(e?.code)) {
    return { ok: false, retryable: true, reason: `network: ${e.code ?? name}` };
  }
  // Anything else (a local file that vanished, a bug) fails the same way on every attempt.
  return { ok: false, retryable: false, reason: `${name}: ${e?.message ?? String(error)}` };
}
