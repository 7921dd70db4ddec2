import { cleanInbound, cleanText, KanalError, type ChannelName, type InboundMessage, type Locale } from "../core/index.js";
import { newOrderedId, newOrderedSecret, rethrowUnavailable, type PrismaTx } from "../db/index.js";
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
   * first bot messages, so the page shows them before the citizen types anything. `chatId` is the
   * new conversation's key when the caller made one (the web chat stores its session secret's hash:
   * src/db/webchat-session.ts); otherwise a new, unguessable one is made. Returns the key used.
   */
  open(channel: ChannelName, locale: Locale, chatId?: string): Promise<{ chatId: string; replies: ReceiveResult["replies"] }>;
  /**
   * The office speaks into an existing conversation (staff reply, rating question): stored and
   * delivered like the bot's replies, in the conversation's turn. "unknown" if there is none.
   */
  speak(channel: ChannelName, chatId: string, system: SystemStep): Promise<ReceiveResult>;
  /**
   * speak, inside the caller's transaction: the step's rows commit or roll back with the caller's
   * own writes (a staff action's event, the citizen's message and the mark that the action is done
   * go together, so a crash can neither lose nor repeat half of it). `key` names the step: its
   * provider message id is "<author>:<key>", deterministic for the action it belongs to. The
   * conversation's row is locked (PostgreSQL) or the database is (SQLite) as for any step. Call
   * wake() once the caller's transaction has committed.
   */
  speakWithin(tx: PrismaTx, channel: ChannelName, chatId: string, system: SystemStep, key: string): Promise<ReceiveResult>;
  /** Wakes the outbox worker after a transaction that spoke through speakWithin committed. */
  wake(): void;
  /** Stop taking messages and finish the ones in flight (graceful shutdown). */
  close(): Promise<void>;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const clock = deps.clock ?? (() => new Date());
  let closing = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const batcher = createBatcher<StepJob, { result: ReceiveResult; onDisk: Promise<void> }>(
    async (jobs) => {
      const { results, outboxRows } = await processStepBatch(deps, jobs);
      // One sync for the whole batch, asked for right after its COMMIT. Each step asking for its
      // own found the first one's sync running and, since it could not know that its commit came
      // before that sync began, waited for the one after it: two syncs for all but one step.
      const onDisk = deps.db.durable();
      // The worker sends what is on disk: a power cut cannot take back a message already sent.
      if (outboxRows > 0)
        void onDisk.then(
          () => deps.onOutboxRows?.(),
          () => undefined,
        );
      return results.map((result) => ({ result, onDisk }));
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
        const { result, onDisk } = await batcher
          .submit({ inbound, attachments, existingOnly: options.existingOnly })
          .catch(rethrowUnavailable);
        // Answered only once the step is on disk; the batcher meanwhile steps the next batch.
        await onDisk;
        return result;
      } finally {
        inFlight--;
        if (inFlight === 0) idle?.();
      }
    },
    async open(channel, locale, key) {
      if (closing) throw new KanalError("KA_SHUTTING_DOWN", "the bot is shutting down; try again in a moment");
      const receivedAt = clock();
      // A bearer secret (18 random bytes) whose prefix keeps a new session's rows beside the other
      // recent ones in the indexes (src/db/ordered-id.ts).
      const chatId = key ?? newOrderedSecret(18, receivedAt.getTime());
      const inbound: InboundMessage = {
        channel,
        providerMessageId: `open:${chatId}`,
        chatId,
        sender: { id: chatId },
        text: "",
        attachments: [],
        receivedAt,
        raw: { opened: true },
        localeHint: locale,
      };
      const { result, onDisk } = await batcher.submit({ inbound, attachments: [], opening: true }).catch(rethrowUnavailable);
      await onDisk;
      return { chatId, replies: result.replies };
    },
    async speak(channel, chatId, system) {
      if (closing) throw new KanalError("KA_SHUTTING_DOWN", "the bot is shutting down; try again in a moment");
      const at = clock();
      const inbound = systemInbound(channel, chatId, system, newOrderedId(at.getTime()), at);
      const { result, onDisk } = await batcher.submit({ inbound, attachments: [], system, existingOnly: true }).catch(rethrowUnavailable);
      await onDisk;
      return result;
    },
    async speakWithin(tx, channel, chatId, system, key) {
      if (closing) throw new KanalError("KA_SHUTTING_DOWN", "the bot is shutting down; try again in a moment");
      const job: StepJob = { inbound: systemInbound(channel, chatId, system, key, clock()), attachments: [], system, existingOnly: true };
      const { results } = await processStepBatch(deps, [job], tx);
      return results[0]!;
    },
    wake() {
      deps.onOutboxRows?.();
    },
    async close() {
      closing = true;
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      await batcher.drain();
    },
  };
}

/** The office's turn in a conversation, as a message no citizen sent: the pipeline steps it like one. */
function systemInbound(channel: ChannelName, chatId: string, system: SystemStep, key: string, at: Date): InboundMessage {
  return {
    channel,
    providerMessageId: `${system.author}:${key}`,
    chatId: cleanText(chatId),
    sender: { id: system.author },
    text: "",
    attachments: [],
    receivedAt: at,
    raw: { system: system.author },
  };
}
