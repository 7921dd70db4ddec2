import { join } from "node:path";
import type { Config } from "../config/index.js";
import type { ChannelAdapter, ChannelLimits, ChannelName, Log, StaffSink } from "../core/index.js";
import type { Database } from "../db/index.js";
import { createOutboxWorker, databaseLedger, Pacer, type OutboxWorker } from "../outbox/index.js";
import { createPipeline, type Pipeline } from "../pipeline/index.js";
import { createStaffConsole, type StaffConsoleDeps } from "../staff/index.js";
import { AttachmentStore, STAFF_FILES_DIR } from "../storage/index.js";
import type { Base } from "./base.js";
import { staffReports } from "./reports.js";
import { deliveryFailureReporter, staffFeedOf } from "./staff-notices.js";

/** Limits assumed for a channel with no adapter here (rows for it wait in the outbox). */
const PUSH_DEFAULT: ChannelLimits = { maxTextLength: 4000, media: false, buttons: false, delivery: "push", canReachLater: true };

/**
 * Where outgoing messages can go from this instance: `all` (every configured adapter) tells each
 * channel's limits; `sendable` holds the adapters the outbox worker may send through now (a
 * channel is in it while it runs here); `excludeChannels` names the channels whose rows the worker
 * leaves alone for now (another instance's, or still starting).
 */
export interface Delivery {
  all: readonly ChannelAdapter[];
  sendable: Map<ChannelName, ChannelAdapter>;
  excludeChannels?: () => readonly string[];
  /** Why a configured channel cannot send here (it failed to start), for the outbox's lastError. */
  whyUnavailable?: (channel: string) => string | undefined;
}

export interface Core {
  db: Database;
  pipeline: Pipeline;
  /** The staff console behind the Telegram group: given to the channels when they start. */
  staff: StaffSink;
  /** Not started: the server starts it, `npm run chat` does not. */
  worker: OutboxWorker;
  /** Finishes the pipeline's steps, then deliveries, then closes the database; stop the channels first. */
  close(): Promise<void>;
  /** The staff commands' deps: the Telegram group and the web console are two front ends of the same commands. */
  staffDeps: StaffConsoleDeps;
}

/** What both entry points share: pipeline, staff console and the outbox worker (not started here). */
export function startCore(config: Config, base: Base, delivery: Delivery, log: Log): Core {
  const { db, templates, sop, attachments } = base;
  const staffFiles = new AttachmentStore(join(config.ATTACHMENTS_DIR, STAFF_FILES_DIR), config.ATTACHMENT_MAX_BYTES);
  const limits = new Map(delivery.all.map((a) => [a.name, a.limits]));
  const limitsOf = (channel: ChannelName) => limits.get(channel) ?? PUSH_DEFAULT;
  const worker = createOutboxWorker({
    db,
    adapters: delivery.sendable,
    excludeChannels: delivery.excludeChannels,
    whyUnavailable: delivery.whyUnavailable,
    // Sending limits counted in the database, so that they hold for every instance together.
    pacer: new Pacer(databaseLedger(db)),
    log,
    onPermanentFailure: deliveryFailureReporter(config, base),
  });
  const pipeline = createPipeline({
    db,
    templates,
    sop,
    settings: {
      officeName: config.OFFICE_NAME,
      ticketPrefix: config.TICKET_PREFIX,
      defaultLocale: config.DEFAULT_LOCALE,
      timeZone: config.OFFICE_TIMEZONE,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      maxFilesPerComplaint: config.ATTACHMENT_MAX_FILES,
      maxBytesPerConversation: config.ATTACHMENT_MAX_BYTES_PER_CONVERSATION,
    },
    attachments,
    limitsOf,
    staffFeed: staffFeedOf(config),
    onOutboxRows: () => worker.notify(),
  });
  const staffDeps: StaffConsoleDeps = {
    db,
    voice: pipeline,
    templates,
    sop,
    settings: {
      officeName: config.OFFICE_NAME,
      timeZone: config.OFFICE_TIMEZONE,
      locale: config.DEFAULT_LOCALE,
      replyMode: config.STAFF_REPLY_MODE,
      staffIds: config.STAFF_TELEGRAM_IDS,
      opsChannel: "telegram",
      opsChatId: config.TELEGRAM_OPS_CHAT_ID,
    },
    limitsOf,
    reports: staffReports(config, db),
    storeFile: async (file) => {
      // Staff files are kept apart from evidence, where the sweep never deletes: the outbox payload
      // names them by path, and the reply's Attachment row by its place under ATTACHMENTS_DIR.
      const checked = await staffFiles.accept(file);
      if (!checked.accepted) {
        return {
          accepted: false,
          reason: checked.reason,
          ...(checked.filename !== undefined ? { filename: checked.filename } : {}),
          ...(checked.reason === "tooLarge" ? { maxBytes: staffFiles.maxBytes } : {}),
        };
      }
      const { stored } = checked;
      return {
        accepted: true,
        path: staffFiles.pathOf(stored.storagePath),
        mime: stored.mime,
        ...(stored.filename !== undefined ? { filename: stored.filename } : {}),
        record: { sha256: stored.sha256, size: stored.size, storagePath: join(STAFF_FILES_DIR, stored.storagePath) },
      };
    },
  };
  const staff = createStaffConsole(staffDeps);
  return {
    db,
    pipeline,
    staff,
    staffDeps,
    worker,
    async close() {
      // The pipeline finishes its steps (their replies are outbox rows), then deliveries stop,
      // then the database closes.
      await pipeline.close();
      await worker.stop();
      await db.close();
    },
  };
}
