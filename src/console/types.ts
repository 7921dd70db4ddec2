import type { SopPreset } from "../complaints/index.js";
import type { Locale, Log } from "../core/index.js";
import type { Database } from "../db/index.js";
import type { Templates } from "../i18n/index.js";

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
  };
  log: Log;
  clock?: () => Date;
}
