import type { SopPreset } from "../complaints/index.js";
import type { Locale, Log } from "../core/index.js";
import type { Database } from "../db/index.js";
import type { Templates } from "../i18n/index.js";
import type { StaffCommands } from "../staff/index.js";

/** What the console needs from the wiring (src/main/server.ts). */
export interface ConsoleDeps {
  db: Database;
  templates: Templates;
  sop: SopPreset;
  settings: {
    officeName: string;
    timeZone: string;
    /** The console's language until a person picks the other one. */
    defaultLocale: Locale;
    /** STAFF_SESSION_IDLE_MINUTES. */
    idleMinutes: number;
    /** PUBLIC_BASE_URL: https there means cookies are Secure even when the proxy does not say so. */
    publicBaseUrl?: string;
    /** STAFF_TELEGRAM_IDS: staff without a row in the Staff table. */
    staffIds: readonly string[];
    /** A reply's files: at most ATTACHMENT_MAX_FILES of them, each at most ATTACHMENT_MAX_BYTES (the limits citizens' files have). */
    replyFiles: { max: number; maxBytes: number };
  };
  /** The staff commands, the same table the Telegram group runs: every action on the web goes through it. */
  commands: StaffCommands;
  /** ATTACHMENTS_DIR: where evidence files are (Attachment.storagePath is relative to it). */
  attachmentsDir: string;
  /** How many of the newest complaints a text search opens (default 20 000; the texts are sealed, so they are matched in memory). */
  searchScan?: number;
  /** How often open pages are told of new complaints and messages (default 3 s). */
  liveEveryMs?: number;
  log: Log;
  clock?: () => Date;
}
