/** The leader's duties besides the channels' connections. */
import { periodicDuty, type Duty } from "../cluster/index.js";
import { staffFeedNotifier, startSopScheduler, type SopScheduler } from "../complaints/index.js";
import type { Config } from "../config/index.js";
import type { Log } from "../core/index.js";
import { forgetEndedRateWindows, type Database } from "../db/index.js";
import { purgeIdleWebchatSessions } from "../pipeline/index.js";
import { retentionDuty } from "../privacy/index.js";
import { attachmentSweeper } from "../storage/index.js";
import type { Base } from "./base.js";
import { staffFeedOf } from "./staff-notices.js";

/**
 * Time standards: warnings to a step's holder and escalations to the head go to the staff group,
 * so the scheduler runs only when there is one — and, like the channels' connections, on the leader.
 */
function sopSchedulerDuty(config: Config, base: Base, log: Log): Duty | undefined {
  const feed = staffFeedOf(config);
  if (!feed) return undefined;
  let scheduler: SopScheduler | undefined;
  return {
    name: "sop-scheduler",
    async start() {
      scheduler = startSopScheduler({
        db: base.db,
        sop: base.sop,
        notify: staffFeedNotifier({
          sop: base.sop,
          templates: base.templates,
          officeName: config.OFFICE_NAME,
          timeZone: config.OFFICE_TIMEZONE,
          feed,
          staffIds: config.STAFF_TELEGRAM_IDS,
        }),
        onError: (error) => log("SOP scheduler round failed", { error: error.message }),
      });
    },
    async stop() {
      await scheduler?.stop();
      scheduler = undefined;
    },
  };
}

/** Hourly on the leader: idle web-chat sessions purged, ended rate-limit windows forgotten. */
function housekeepingDuty(config: Config, db: Database, log: Log): Duty {
  return periodicDuty(
    "housekeeping",
    3600_000,
    async () => {
      const purged = await purgeIdleWebchatSessions(db, { idleDays: config.WEBCHAT_SESSION_IDLE_DAYS });
      if (purged.conversations > 0) log("idle web-chat sessions purged", { ...purged, idleDays: config.WEBCHAT_SESSION_IDLE_DAYS });
      await forgetEndedRateWindows(db);
    },
    log,
  );
}

/** The SOP scheduler (with a staff group), the sweep of files no complaint refers to, housekeeping and retention. */
export function leaderDuties(config: Config, base: Base, log: Log): Duty[] {
  const scheduler = sopSchedulerDuty(config, base, log);
  // Files no complaint refers to: one instance removes them (src/storage/sweep.ts).
  const sweeper = attachmentSweeper({
    db: base.db,
    dir: config.ATTACHMENTS_DIR,
    graceMs: config.ATTACHMENT_SWEEP_GRACE_HOURS * 3_600_000,
    log,
  });
  // RETENTION_MONTHS: closed complaints past it are anonymised (src/privacy/retention.ts).
  const retention =
    config.RETENTION_MONTHS > 0
      ? [retentionDuty(base.db, { months: config.RETENTION_MONTHS, attachmentsDir: config.ATTACHMENTS_DIR }, log)]
      : [];
  return [...(scheduler ? [scheduler] : []), sweeper, housekeepingDuty(config, base.db, log), ...retention];
}
