import type { Database } from "../db/index.js";
import type { OutboxRow } from "./types.js";

export interface DeliveryStatusUpdate {
  providerMessageId: string;
  status: "sent" | "delivered" | "read" | "failed";
  error?: string;
  at: Date;
}

const RANK: Record<DeliveryStatusUpdate["status"], number> = { sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * A provider's later word on a message we sent (WhatsApp's sent → delivered → read, or failed).
 * Statuses can arrive out of order, so a lower one never overwrites a higher one. "failed" after
 * the API accepted the message (e.g. the number cannot receive it) makes the row failed, and the
 * row is returned so staff can be told; otherwise undefined.
 */
export async function recordDeliveryStatus(db: Database, channel: string, update: DeliveryStatusUpdate): Promise<OutboxRow | undefined> {
  const row = await db.prisma.outboxMessage.findFirst({ where: { channel, providerMessageId: update.providerMessageId } });
  if (!row) return undefined;
  const current = row.deliveryStatus ? (RANK[row.deliveryStatus as DeliveryStatusUpdate["status"]] ?? 0) : 0;
  if (RANK[update.status] <= current) return undefined;
  if (update.status !== "failed") {
    await db.prisma.outboxMessage.update({ where: { id: row.id }, data: { deliveryStatus: update.status, deliveryStatusAt: update.at } });
    return undefined;
  }
  const failed = await db.prisma.outboxMessage.update({
    where: { id: row.id },
    data: { deliveryStatus: "failed", deliveryStatusAt: update.at, status: "failed", lastError: update.error ?? "failed after sending" },
  });
  return failed;
}
