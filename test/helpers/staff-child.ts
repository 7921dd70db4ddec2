/**
 * The staff console in a process of its own, for the crash tests of staff actions: it acts on one
 * Telegram update and prints one JSON line per step. Told to, it stops dead at a step, where the
 * test kills it. Usage:
 *   node --import tsx test/helpers/staff-child.ts <databaseUrl> <dir> <update JSON> <hang: none|spoken|acted>
 * "spoken": inside the action's transaction, once the citizen's message is written (not committed);
 * "acted": after the action committed, before its answer reaches Telegram (which would deliver the
 * update again).
 */
import { join } from "node:path";
import { loadSopPreset } from "../../src/complaints/index.js";
import type { StaffMessage } from "../../src/core/index.js";
import { repoRoot } from "../../src/db/index.js";
import { loadTemplates } from "../../src/i18n/index.js";
import { createStaffConsole, type ConversationVoice } from "../../src/staff/index.js";
import { createTestPipeline, PULL, PUSH } from "./pipeline.js";
import { staffSettings } from "./staff-settings.js";

const STAFF_CHILD_OPS = "-100200300";
const STAFF_CHILD_STAFF = "111";

const [databaseUrl, dir, updateJson, hang] = process.argv.slice(2);
const say = (event: string, fields: Record<string, unknown> = {}) => process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
const forever = () => new Promise<never>(() => undefined);

const update = JSON.parse(updateJson!) as StaffMessage & { receivedAt: string };
const t = await createTestPipeline({
  databaseUrl,
  dir,
  overrides: { staffFeed: { channel: "telegram", chatId: STAFF_CHILD_OPS, locale: "id", replyMode: "reply" } },
});
const voice: ConversationVoice = {
  async speakWithin(...args) {
    const spoken = await t.pipeline.speakWithin(...args);
    say("spoken", { status: spoken.status });
    if (hang === "spoken") await forever();
    return spoken;
  },
  wake: () => t.pipeline.wake(),
};
const staff = createStaffConsole({
  db: t.db,
  voice,
  templates: loadTemplates(join(repoRoot, "templates")),
  sop: loadSopPreset(join(repoRoot, "templates"), "generic"),
  settings: staffSettings([STAFF_CHILD_STAFF], STAFF_CHILD_OPS),
  limitsOf: (channel) => (channel === "webchat" ? PULL : PUSH),
});
say("ready");
const answer = await staff({ ...update, receivedAt: new Date(update.receivedAt) });
say("acted", { answer: answer.messages.map((m) => m.text) });
if (hang === "acted") await forever();
await t.close();
process.exit(0);
