import type { StaffCommandDeps } from "../../src/staff/index.js";

/**
 * The staff front end's settings most staff tests share: an office in Jakarta, Indonesian, staff
 * answering by replying to the card, its ops group on Telegram. A test names its staff and group,
 * and changes what it is about.
 */
export function staffSettings(
  staffIds: string[],
  opsChatId: string,
  overrides: Partial<StaffCommandDeps["settings"]> = {},
): StaffCommandDeps["settings"] {
  return {
    officeName: "Kecamatan Uji",
    timeZone: "Asia/Jakarta",
    locale: "id",
    replyMode: "reply",
    staffIds,
    opsChannel: "telegram",
    opsChatId,
    ...overrides,
  };
}
