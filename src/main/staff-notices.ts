import type { Config } from "../config/index.js";
import type { InboundFailure, StaffFeed } from "../core/index.js";
import { recordFailedInbound, rethrowUnavailable } from "../db/index.js";
import { reportDeliveryFailure, reportFailedInbound, type FailedRow } from "../staff/index.js";
import type { Base } from "./base.js";

/** Where complaint cards go: the Telegram staff group, when the bot and the group are configured. */
export function staffFeedOf(config: Config): StaffFeed | undefined {
  return config.TELEGRAM_BOT_TOKEN && config.TELEGRAM_OPS_CHAT_ID
    ? { channel: "telegram", chatId: config.TELEGRAM_OPS_CHAT_ID, locale: config.DEFAULT_LOCALE, replyMode: config.STAFF_REPLY_MODE }
    : undefined;
}

/** What a notice to the staff group needs, when there is a group. */
export function staffNoticeOf(config: Config, base: Base) {
  const feed = staffFeedOf(config);
  return feed ? { db: base.db, templates: base.templates, officeName: config.OFFICE_NAME, feed } : undefined;
}

/** A message that failed for good is told to staff under its complaint's card. */
export function deliveryFailureReporter(config: Config, base: Base): ((row: FailedRow) => Promise<void>) | undefined {
  const notice = staffNoticeOf(config, base);
  if (!notice) return undefined;
  return (row) => reportDeliveryFailure(notice, row);
}

/** A message that failed because of what it held: recorded once, and told to staff once. */
export function failedInboundRecorder(config: Config, base: Base): (failure: InboundFailure) => Promise<void> {
  const notice = staffNoticeOf(config, base);
  return async (failure) => {
    const first = await recordFailedInbound(base.db, failure).catch(rethrowUnavailable);
    if (first && notice) await reportFailedInbound(notice, failure).catch(rethrowUnavailable);
  };
}
