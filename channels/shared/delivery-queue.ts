import type { InboundMessage, InboundSink, Log } from "../../src/core/index.js";

export interface DeliveryQueue {
  /** Queues a message behind the earlier ones of the same chat; `prepare` runs in the chat's turn. */
  push(chatId: string, prepare: () => Promise<InboundMessage>): void;
  /** Stops retrying and waits (at most `graceMs`) for the deliveries under way. */
  close(graceMs: number): Promise<void>;
}

/**
 * WhatsApp Web and Discord's gateway hand a message over once, as an event nobody awaits: they
 * never deliver it again, and two quick messages of one citizen would race. So each chat's messages
 * go to the sink one after the other, in order, and a failed delivery (the database briefly away)
 * is retried here after the given delays, with the same providerMessageId — the pipeline handles a message seen twice once.
 * After the last delay the message is logged as lost, never silently dropped.
 */
export function createDeliveryQueue(options: {
  sink: () => InboundSink | undefined;
  retryDelaysMs: readonly number[];
  log: Log;
  channel: string;
}): DeliveryQueue {
  const chains = new Map<string, Promise<void>>();
  const controller = new AbortController();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (controller.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        controller.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      controller.signal.addEventListener("abort", done);
    });

  async function deliver(prepare: () => Promise<InboundMessage>): Promise<void> {
    let message: InboundMessage;
    try {
      message = await prepare();
    } catch (error) {
      options.log(`${options.channel}: a message could not be read and is skipped`, { error: (error as Error).message });
      return;
    }
    for (let attempt = 0; ; attempt++) {
      const sink = options.sink();
      try {
        if (!sink) throw new Error("the channel is not started");
        await sink(message);
        return;
      } catch (error) {
        const fields = {
          providerMessageId: message.providerMessageId,
          chatId: message.chatId,
          attempt: attempt + 1,
          error: (error as Error).message,
        };
        if (controller.signal.aborted || attempt >= options.retryDelaysMs.length) {
          options.log(`${options.channel}: a citizen's message was NOT recorded (gave up); it must be looked at by hand`, fields);
          return;
        }
        options.log(`${options.channel}: recording a message failed; trying again`, { ...fields, waitMs: options.retryDelaysMs[attempt] });
        await wait(options.retryDelaysMs[attempt]!);
      }
    }
  }

  return {
    push(chatId, prepare) {
      const previous = chains.get(chatId) ?? Promise.resolve();
      const next = previous.then(() => deliver(prepare));
      chains.set(chatId, next);
      void next.finally(() => {
        if (chains.get(chatId) === next) chains.delete(chatId);
      });
    },
    async close(graceMs) {
      controller.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...chains.values()]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
