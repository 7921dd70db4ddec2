import { newOrderedId, seal, type BatchRow, type BatchWrites, type PrismaDb } from "../db/index.js";
import type { OutboxPayload } from "./payload.js";

/**
 * What a row is: a reply to a citizen's step ("reply"), the staff group's card for a new complaint
 * ("card": later staff messages about it are threaded under it), or any other message for staff
 * ("staff": follow-ups, ratings, SOP warnings, delivery failures).
 */
export type OutboxKind = "reply" | "card" | "staff";

/** Where a message goes, and what it belongs to. */
export interface OutboxTarget {
  channel: string;
  chatId: string;
  kind: OutboxKind;
  conversationId?: string | null;
  complaintId?: string | null;
}

/**
 * Every outgoing message is a row first and sent second (by src/outbox/worker.ts, once the
 * transaction that wrote the row has committed). An Outbox is bound to where its rows are written:
 * the step batch (flushed with the step's other rows), or a Prisma client or transaction.
 */
export interface Outbox<Done = Promise<void>> {
  enqueue(target: OutboxTarget, payload: OutboxPayload): Done;
}

/** The one way an OutboxMessage row is made: pending, due at once, its payload serialised from one type. */
export function outboxRow(target: OutboxTarget, payload: OutboxPayload, now: Date): BatchRow<"outbox"> {
  return {
    id: newOrderedId(now.getTime()),
    channel: target.channel,
    chatId: target.chatId,
    conversationId: target.conversationId ?? null,
    complaintId: target.complaintId ?? null,
    kind: target.kind,
    // The texts to send name the citizen (the summary, a staff card): sealed at rest like Message.text.
    payload: seal(JSON.stringify(payload)),
    status: "pending",
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  };
}

/** Rows that go with a step batch's other rows, in its one INSERT per table. */
export function batchOutbox(writes: BatchWrites, now: Date): Outbox<void> {
  return { enqueue: (target, payload) => writes.add("outbox", outboxRow(target, payload, now)) };
}

/** Rows written through a Prisma client, or an interactive transaction so they commit with what they report. */
export function prismaOutbox(client: Pick<PrismaDb, "outboxMessage">, clock: () => Date = () => new Date()): Outbox {
  return {
    async enqueue(target, payload) {
      await client.outboxMessage.create({ data: outboxRow(target, payload, clock()) });
    },
  };
}
