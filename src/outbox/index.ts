export { createOutboxWorker, OUTBOX_DEFAULTS } from "./worker.js";
export { retryDelayMs, type BackoffOptions } from "./backoff.js";
export { parseOutboxPayload, type PayloadParse } from "./payload.js";
export type { AdapterLookup, OutboxLog, OutboxRow, OutboxStatus, OutboxWorker, OutboxWorkerDeps, OutboxWorkerOptions } from "./types.js";
export { Pacer, databaseLedger, memoryLedger, paceWindows, type PaceLedger, type PaceWindow } from "./pacing.js";
export type { OutboxPayload } from "./payload.js";
export { recordDeliveryStatus, type DeliveryStatusUpdate } from "./delivery-status.js";
export { batchOutbox, outboxRow, prismaOutbox, type Outbox, type OutboxKind, type OutboxTarget } from "./enqueue.js";
