import { randomUUID } from "node:crypto";
import { cleanText, type InboundFailure } from "../core/index.js";
import type { Database } from "./client.js";

/** Provider ids are short; a record of a failure must not fail on an absurd one. */
const MAX_LENGTH = 200;

/**
 * Records a message that failed because of what it held. True the first time for this
 * (channel, provider message id): a redelivered body records and reports it once.
 */
export async function recordFailedInbound(db: Database, failure: InboundFailure, now = new Date()): Promise<boolean> {
  try {
    await db.prisma.failedInbound.create({
      data: {
        id: randomUUID(),
        channel: failure.channel,
        providerMessageId: cleanText(failure.providerMessageId).slice(0, MAX_LENGTH),
        reason: cleanText(failure.reason).slice(0, MAX_LENGTH),
        createdAt: now,
      },
    });
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === "P2002") return false; // recorded before
    throw error;
  }
}
