import { join } from "node:path";
import { loadSopPreset, sopStartupNotices, type SopPreset } from "../complaints/index.js";
import type { Config } from "../config/index.js";
import type { Log } from "../core/index.js";
import { openDatabase, repoRoot, type Database } from "../db/index.js";
import { loadTemplates, type Templates } from "../i18n/index.js";
import { AttachmentStore } from "../storage/index.js";

export const TEMPLATES_DIR = join(repoRoot, "templates");

/** What everything else stands on: the database (migrated), the texts, the SOP, the evidence store. */
export interface Base {
  db: Database;
  templates: Templates;
  sop: SopPreset;
  attachments: AttachmentStore;
}

export async function openBase(config: Config, log?: Log): Promise<Base> {
  const templates = loadTemplates(TEMPLATES_DIR);
  const sop = loadSopPreset(TEMPLATES_DIR, config.SOP_PRESET, { timeZone: config.OFFICE_TIMEZONE });
  const db = await openDatabase(config.DATABASE_URL, { log, identityKey: config.IDENTITY_KEY });
  // Missing holiday lists, complaints on steps the preset lacks: said once, at start.
  if (log)
    for (const notice of await sopStartupNotices(db, sop, new Date())) log(notice.message, { level: notice.level, ...notice.fields });
  return { db, templates, sop, attachments: new AttachmentStore(config.ATTACHMENTS_DIR, config.ATTACHMENT_MAX_BYTES) };
}
