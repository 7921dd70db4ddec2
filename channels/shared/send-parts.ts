import type { OutboundMessage, SendResult } from "../../src/core/index.js";

export type SendFailure = Extract<SendResult, { ok: false }>;

/** One provider call's outcome: the id of the message it made, or the refusal as data. */
export type PartResult = { ok: true; id: string } | SendFailure;

interface Progress {
  done: number;
  firstId?: string;
}

/** Messages remembered half sent, per channel; the oldest is forgotten first. */
const DEFAULT_MAX_ENTRIES = 500;

/**
 * Sends one OutboundMessage as its parts (text over the limit in pieces, files), one provider call
 * each, in order; the message's id is its first part's. The same message sent again after a partial
 * failure (the outbox retrying) skips the parts that already arrived, so the citizen does not read
 * the first half twice. Memory only and bounded: after a restart a retry starts from the beginning.
 */
export function createPartSender(options: { maxEntries?: number } = {}) {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const progress = new Map<string, Progress>();

  return async function sendParts<Part>(
    chatId: string,
    message: OutboundMessage,
    parts: readonly Part[],
    send: (part: Part, index: number) => Promise<PartResult>,
  ): Promise<SendResult> {
    if (parts.length === 0) return { ok: false, retryable: false, reason: "nothing to send: empty text and no attachments" };
    const key = `${chatId}\u0000${JSON.stringify(message)}`;
    const state = progress.get(key) ?? { done: 0 };
    for (let i = state.done; i < parts.length; i++) {
      const result = await send(parts[i]!, i);
      if (!result.ok) {
        if (state.done > 0) {
          // Re-inserted so the Map's order is oldest-first for eviction.
          progress.delete(key);
          progress.set(key, state);
          if (progress.size > maxEntries) progress.delete(progress.keys().next().value!);
        }
        return result;
      }
      state.firstId ??= result.id;
      state.done = i + 1;
    }
    progress.delete(key);
    return { ok: true, providerMessageId: state.firstId! };
  };
}

/** What createPartSender returns. */
export type PartSender = ReturnType<typeof createPartSender>;
