import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSopPreset } from "../../src/complaints/index.js";
import type { ChannelLimits, ChannelName, InboundMessage } from "../../src/core/index.js";
import { openDatabase, repoRoot, type Database } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import { createPipeline, type Pipeline, type PipelineDeps } from "../../src/pipeline/index.js";
import { AttachmentStore } from "../../src/storage/index.js";
import { testDatabase } from "./database.js";

export const PULL: ChannelLimits = { maxTextLength: 4000, media: true, buttons: true, delivery: "pull", canReachLater: true };
export const PUSH: ChannelLimits = { maxTextLength: 4096, media: true, buttons: true, delivery: "push", canReachLater: true };

export interface TestPipeline {
  pipeline: Pipeline;
  db: Database;
  /** The database's URL, for a second connection (another "process") to the same database. */
  url: string;
  dir: string;
  outboxWakeups: number;
  close(): Promise<void>;
}

const templates = loadTemplates(join(repoRoot, "templates"));
const sop = loadSopPreset(join(repoRoot, "templates"), "generic");

/**
 * A pipeline on a fresh database: SQLite in a temp dir, a new PostgreSQL database under
 * `npm run test:pg` (dropped on close), or the given URL.
 */
export async function createTestPipeline(
  options: {
    databaseUrl?: string;
    dir?: string;
    limits?: Partial<Record<ChannelName, ChannelLimits>>;
    overrides?: Partial<PipelineDeps>;
  } = {},
): Promise<TestPipeline> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "kanal-pipeline-"));
  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await testDatabase(dir);
  const db = await openDatabase(database.url);
  const limits: Partial<Record<ChannelName, ChannelLimits>> = { webchat: PULL, terminal: PULL, telegram: PUSH, ...options.limits };
  const handle: TestPipeline = {
    db,
    url: database.url,
    dir,
    outboxWakeups: 0,
    pipeline: undefined as unknown as Pipeline, // set just below; the object is needed by the callback
    async close() {
      await handle.pipeline.close();
      await db.close();
      await database.drop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  handle.pipeline = createPipeline({
    db,
    templates,
    sop,
    settings: { officeName: "Kecamatan Uji", ticketPrefix: "ADU", defaultLocale: "id", timeZone: "Asia/Jakarta" },
    attachments: new AttachmentStore(join(dir, "attachments"), 10 * 1024 * 1024),
    limitsOf: (channel) => limits[channel] ?? PUSH,
    onOutboxRows: () => {
      handle.outboxWakeups++;
    },
    ...options.overrides,
  });
  return handle;
}

let counter = 0;

/** An inbound text message; `id` defaults to a fresh provider message id. */
export function textMessage(chatId: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  return {
    channel: "webchat",
    providerMessageId: `m-${process.pid}-${++counter}`,
    chatId,
    sender: { id: chatId },
    text,
    attachments: [],
    receivedAt: new Date(),
    raw: { text },
    ...extra,
  };
}

/** The anonymous intake used across tests and the benchmark: menu, name, category, text, evidence, confirm. */
export const ANONYMOUS_INTAKE = ["1", "anonim", "2", "Petugas loket meminta biaya tambahan untuk mempercepat KTP", "lewati", "ya"];

export const TICKET = /ADU-\d{4}-\d{5,}/;
