/**
 * npm run staff -- add <telegram-id> <name> [role] | remove <telegram-id> | list
 * Roles: staf (default), kasi, pimpinan, admin — kasi, pimpinan and admin may see reporters' identities —
 * or a role id of the office's SOP preset (e.g. sekretaris, camat), which then holds that role's steps.
 */
import { randomUUID } from "node:crypto";
import { loadConfig } from "../config/index.js";
import { KanalError } from "../core/index.js";
import { join } from "node:path";
import { loadSopPreset } from "../complaints/index.js";
import { openDatabase, repoRoot } from "../db/index.js";

const GENERIC_ROLES = ["staf", "kasi", "pimpinan", "admin"];
const USAGE =
  "usage: npm run staff -- add <telegram-id> <name> [staf|kasi|pimpinan|admin|<a role of the SOP preset>] | remove <telegram-id> | list";

export async function staffCommand(args: string[], env: NodeJS.ProcessEnv = process.env, envFile = ".env"): Promise<string> {
  const [verb, id, ...rest] = args;
  if (verb !== "add" && verb !== "remove" && verb !== "list") throw new KanalError("KA_BAD_REQUEST", USAGE);
  if (verb !== "list" && !/^\d+$/.test(id ?? "")) throw new KanalError("KA_BAD_REQUEST", `the Telegram user id must be a number\n${USAGE}`);
  const config = loadConfig(env, envFile);
  const db = await openDatabase(config.DATABASE_URL);
  try {
    if (verb === "list") {
      const rows = await db.prisma.staff.findMany({ where: { active: true }, orderBy: { name: "asc" } });
      const fromEnv = config.STAFF_TELEGRAM_IDS.filter((envId) => !rows.some((r) => r.telegramId === envId));
      const lines = [
        ...rows.map((r) => `${r.telegramId}\t${r.name}\t${r.role}`),
        ...fromEnv.map((envId) => `${envId}\t(STAFF_TELEGRAM_IDS)\tstaf`),
      ];
      return lines.length > 0 ? lines.join("\n") : "no staff yet: npm run staff -- add <telegram-id> <name> [role]";
    }
    if (verb === "remove") {
      const removed = await db.prisma.staff.updateMany({ where: { telegramId: id!, active: true }, data: { active: false } });
      const note = config.STAFF_TELEGRAM_IDS.includes(id!) ? " (still in STAFF_TELEGRAM_IDS: remove it there too)" : "";
      return removed.count > 0 ? `removed ${id}${note}` : `${id} was not in the staff table${note}`;
    }
    const sop = loadSopPreset(join(repoRoot, "templates"), config.SOP_PRESET, { timeZone: config.OFFICE_TIMEZONE });
    const roles = [...GENERIC_ROLES, ...sop.roles.map((r) => r.id)];
    const role = rest.length > 1 && roles.includes(rest.at(-1)!) ? rest.pop()! : "staf";
    const name = rest.join(" ").trim();
    if (name === "") throw new KanalError("KA_BAD_REQUEST", `give the staff member's name\n${USAGE}`);
    await db.prisma.staff.upsert({
      where: { telegramId: id! },
      create: { id: randomUUID(), telegramId: id!, name, role, active: true },
      update: { name, role, active: true },
    });
    return `added ${id} ${name} (${role})`;
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  staffCommand(process.argv.slice(2)).then(
    (out) => void process.stdout.write(`${out}\n`),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    },
  );
}
