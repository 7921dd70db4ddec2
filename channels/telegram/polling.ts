import { TelegramError, type Telegram } from "telegraf";
import type { Update } from "telegraf/types";
import type { Log } from "../../src/core/index.js";

type CallOptions = NonNullable<Parameters<Telegram["callApi"]>[2]>;
type UpdateType = NonNullable<Parameters<Telegram["getUpdates"]>[3]>[number];

export interface PollerOptions {
  telegram: Telegram;
  timeoutSeconds: number;
  allowedUpdates: UpdateType[];
  /** Resolves once the update is durably handled; a rejection leaves it unconfirmed. */
  handle(update: Update): Promise<void>;
  log: Log;
  /** First wait after a failed update or a failed getUpdates; doubles up to 30 s. */
  backoffMs: number;
  /** How long stop() waits for updates in flight before giving up on them (they stay unconfirmed). */
  stopGraceMs: number;
}

export interface Poller {
  stop(): Promise<void>;
}

/** An update that failed this many times in a row is skipped (and logged), as Telegram does for webhooks. */
const MAX_ATTEMPTS = 5;
const MAX_BACKOFF_MS = 30_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

/** Updates of one chat are handled in order; different chats in parallel. */
function chatKey(update: Update): string {
  const u = update as {
    message?: { chat: { id: number } };
    callback_query?: { message?: { chat: { id: number } }; from: { id: number } };
    my_chat_member?: { chat: { id: number } };
  };
  const chat = u.message?.chat ?? u.callback_query?.message?.chat ?? u.my_chat_member?.chat;
  return chat ? String(chat.id) : u.callback_query ? `user:${u.callback_query.from.id}` : "other";
}

/**
 * Long polling with at-least-once delivery, written here rather than `bot.launch()` because
 * telegraf 4.16's loop (src/core/network/polling.ts) advances its offset before handling a batch,
 * handles a whole batch concurrently, confirms the batch on stop even when a handler failed, and
 * fixes the long-poll timeout at 50 s. Here an update is confirmed (by the next getUpdates'
 * `offset`, https://core.telegram.org/bots/api#getupdates) only after it and every update before it
 * were handled; a failure is fetched again after a backoff, so the pipeline sees it again under the
 * same providerMessageId and dedupes.
 */
export function startPolling(options: PollerOptions): Poller {
  const controller = new AbortController();
  const signal = controller.signal;
  const { telegram, log } = options;
  const attempts = new Map<number, number>();
  /** Set when stop() gave up waiting: the loop must make no further API call (a new poller may run). */
  let abandoned = false;
  let offset = 0;

  const getUpdates = (payload: { offset: number; limit?: number; timeout: number }) =>
    telegram.callApi(
      "getUpdates",
      { ...payload, allowed_updates: options.allowedUpdates },
      // telegraf types the signal with the abort-controller polyfill; node-fetch accepts Node's own.
      { signal: signal as unknown as CallOptions["signal"] },
    );

  /** Handles a batch; returns the lowest update_id that is not done (undefined: all done). */
  async function handleBatch(updates: Update[]): Promise<number | undefined> {
    const chats = new Map<string, Update[]>();
    for (const update of updates) {
      const key = chatKey(update);
      chats.set(key, [...(chats.get(key) ?? []), update]);
    }
    let lowest: number | undefined;
    const notDone = (id: number) => {
      lowest = lowest === undefined ? id : Math.min(lowest, id);
    };
    await Promise.all(
      [...chats.values()].map(async (list) => {
        for (const update of list) {
          if (signal.aborted) return notDone(update.update_id);
          const tries = attempts.get(update.update_id) ?? 0;
          if (tries >= MAX_ATTEMPTS) {
            log("telegram: update skipped after repeated failures", { updateId: update.update_id, attempts: tries });
            continue;
          }
          try {
            await options.handle(update);
          } catch (error) {
            attempts.set(update.update_id, tries + 1);
            log("telegram: update failed, it will be fetched again", {
              updateId: update.update_id,
              attempt: tries + 1,
              error: (error as Error).message,
            });
            return notDone(update.update_id);
          }
        }
      }),
    );
    return lowest;
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = await getUpdates({ offset, timeout: options.timeoutSeconds, limit: 100 });
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        if (error instanceof TelegramError && error.code === 401) {
          log("telegram: the Bot API refused the token (401); polling stopped. Check TELEGRAM_BOT_TOKEN", {});
          return;
        }
        const retryAfter = error instanceof TelegramError ? error.parameters?.retry_after : undefined;
        const wait = retryAfter !== undefined ? retryAfter * 1000 : Math.min(options.backoffMs * 2 ** (failures - 1), MAX_BACKOFF_MS);
        // 409: another process polls with this token, or a webhook is set; keep trying, loudly.
        log("telegram: getUpdates failed, retrying", { error: (error as Error).message, waitMs: wait });
        await sleep(wait, signal);
        continue;
      }
      if (updates.length === 0) continue;
      const lowest = await handleBatch(updates);
      if (abandoned) return;
      if (lowest === undefined) {
        offset = updates[updates.length - 1]!.update_id + 1;
      } else {
        offset = lowest;
        const tries = attempts.get(lowest) ?? 1;
        if (!signal.aborted) await sleep(Math.min(options.backoffMs * 2 ** (tries - 1), MAX_BACKOFF_MS), signal);
      }
      for (const id of attempts.keys()) if (id < offset) attempts.delete(id);
    }
    // Confirm what was handled before stopping, so a restart does not fetch it again.
    if (offset > 0 && !abandoned) {
      await telegram.callApi("getUpdates", { offset, limit: 1, timeout: 0 }).catch(() => undefined);
    }
  }

  const running = loop().catch((error: Error) => {
    log("telegram: polling stopped by an error", { error: error.message });
  });

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        controller.abort();
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), options.stopGraceMs);
        });
        const outcome = await Promise.race([running.then(() => "done" as const), gaveUp]);
        clearTimeout(timer);
        if (outcome === "timeout") {
          abandoned = true;
          log("telegram: stopped with updates still in flight; they stay unconfirmed and come again", {});
        }
      })();
      return stopping;
    },
  };
}
