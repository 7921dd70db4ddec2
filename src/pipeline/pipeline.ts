import { randomBytes } from "node:crypto";
import { cleanInbound, cleanText, KanalError, type ChannelName, type InboundMessage, type Locale } from "../core/index.js";
import { rethrowUnavailable } from "../db/index.js";
import { createBatcher } from "./batcher.js";
import { acceptFiles } from "./file-intake.js";
import { flowContext } from "./flow-context.js";
import { processStepBatch } from "./step-batch.js";
import type { PipelineDeps, ReceiveResult, StepJob, SystemStep } from "./types.js";

export interface Pipeline {
  /** One inbound message, processed once: returns the bot's immediate replies (already stored). */
  receive(inbound: InboundMessage, options?: { existingOnly?: boolean }): Promise<ReceiveResult>;
  /**
   * A conversation the bot opens itself (a web-chat session): greeting and menu are stored as the
   * first bot messages, so the page shows them before the citizen types anything. Returns the
   * new, unguessable chat id.
   */
  open(channel: ChannelName, locale: Locale): Promise<{ chatId: string; replies: ReceiveResult["replies"] }>;
  /**
   * The office speaks into an existing conversation (staff reply, rating question): stored and
   * delivered like the bot's replies, in the conversation's turn. "unknown" if there is none.
   */
  speak(channel: ChannelName, chatId: string, system: SystemStep): Promise<ReceiveResult>;
  /** Stop taking messages and finish the ones in flight (graceful shutdown). */
  close(): Promise<void>;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  let closing = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const batcher = createBatcher<StepJob, ReceiveResult>(
    async (jobs) => {
      const { results, outboxRows } = await processStepBatch(deps, jobs);
      if (outboxRows > 0) deps.onOutboxRows?.();
      return results;
    },
    { maxBatch: deps.maxBatch, keyOf: (job) => `${job.inbound.channel}\u0000${job.inbound.chatId}` },
  );

  return {
    async receive(outside, options = {}) {
      if (closing) throw new KanalError("KA_SHUTTING_DOWN", "the bot is shutting down; send the message again in a moment");
      // Every channel's text passes here: cleaned once, so no channel can forget it (src/core/text.ts).
      const inbound = cleanInbound(outside);
      inFlight++;
      try {
        // Files are checked and stored before the transaction: downloads must not hold the write lock.
        const attachments =
          inbound.attachments.length === 0 ? [] : await acceptFiles(deps, inbound, flowContext(deps, inbound)).catch(rethrowUnavailable);
        // A database outage becomes KA_DATABASE (503): the web page and the providers send again.
        return await batcher.submit({ inbound, attachments, existingOnly: options.existingOnly }).catch(rethrowUnavailable);
      } finally {
        inFlight--;
        if (inFlight === 0) idle?.();
      }
    },
    async open(channel, locale) {
      if (closing) throw new KanalError("KA_SHUTTING_DOWN", "the bot is shutting down; try again in a moment");
      const chatId = randomBytes(18).toString("base64url");
      const inbound: InboundMessage = {
        channel,
        providerMessageId: `open:${chatId}`,
        chatId,
        sender: { id: chatId },
        text: "",
        attachments: [],
        receivedAt: (deps.clock ?? (() => new Date()))(),
        raw: { opened: true },
        localeHint: locale,
      };
      const result = await batcher.submit({ inbound, attachments: [], opening: true }).catch(rethrowUnavailable);
      return { chatId, replies: result.replies };
    },
    async speak(channel, chatId, system) {
      if (closing) throw new KanalError("KA_SHUTTING_DOWN", "the bot is shutting down; try again in a moment");
      const inbound: InboundMessage = {
        channel,
        providerMessageId: `${system.author}:${randomBytes(12).toString("base64url")}`,
        chatId: cleanText(chatId),
        sender: { id: system.author },
        text: "",
        attachments: [],
        receivedAt: (deps.clock ?? (() => new Date()))(),
        raw: { system: system.author },
      };
      return batcher.submit({ inbound, attachments: [], system, existingOnly: true }).catch(rethrowUnavailable);
    },
    async close() {
      closing = true;
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      await batcher.drain();
    },
  };
}
