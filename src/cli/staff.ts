/**
 * npm run staff -- add <telegram-id> <name> [role] | remove <telegram-id> | list
 *                  add-web <username> <name> <role> --password-stdin [--telegram <id>]
 *                  passwd <username> --password-stdin | disable <username>
 * Roles: staf (default for `add`), kasi, pimpinan, admin — kasi, pimpinan and admin may see reporters'
 * identities — or a role id of the office's SOP preset (e.g. sekretaris, camat), which then holds that
 * role's steps. An unknown role is refused with the valid ones.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { loadConfig } from "../config/index.js";
import { KanalError } from "../core/index.js";
import { loadSopPreset, type SopPreset } from "../complaints/index.js";
import {
  addWebLogin,
  disableWebLogin,
  isWebOnly,
  presetsWithRole,
  readPasswordLine,
  setWebPassword,
  staffRoleProblem,
  validStaffRoles,
} from "../console/index.js";
import { openDatabase, repoRoot } from "../db/index.js";

const TEMPLATES_DIR = join(repoRoot, "templates");
const USAGE = [
  "usage: npm run staff -- add <telegram-id> <name> [role] | remove <telegram-id> | list",
  "       npm run staff -- add-web <username> <name> <role> --password-stdin [--telegram <id>]",
  "       npm run staff -- passwd <username> --password-stdin | disable <username>",
  "roles: staf, kasi, pimpinan, admin, or a role of the SOP preset; a name of several words may be quoted",
].join("\n");
const VERBS = ["add", "remove", "list", "add-web", "passwd", "disable"] as const;
type Verb = (typeof VERBS)[number];

export interface StaffCliIo {
  /** The password line (`--password-stdin`): standard input by default. */
  readPassword?: () => Promise<string>;
}

const bad = (message: string) => new KanalError("KA_BAD_REQUEST", `${message}\n${USAGE}`);

/** Splits `--flag value` and `--switch` options from positional arguments. */
function options(args: string[], valued: readonly string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    if (flags.has(arg)) throw bad(`${arg} is given twice`);
    if (valued.includes(arg)) {
      const value = args[++i];
      if (value === undefined || value.startsWith("--")) throw bad(`${arg} needs a value`);
      flags.set(arg, value);
    } else flags.set(arg, true);
  }
  return { positional, flags };
}

/** A word that is meant as a role: lowercase like every role id, or any spelling of a role of some preset. */
function looksLikeRole(word: string, sop: SopPreset): boolean {
  const lower = word.toLowerCase();
  return /^[a-z][a-z0-9-]*$/.test(word) || validStaffRoles(sop).includes(lower) || presetsWithRole(lower, TEMPLATES_DIR).length > 0;
}

/**
 * `add <id> <name…> [role]`: the last word is the role when there are several and it is meant as one
 * (see looksLikeRole), else part of the name ("Budi Santoso"). A misspelt role ("pimpnan") is refused,
 * never taken as part of the name or silently as "staf".
 */
function nameAndRole(words: string[], sop: SopPreset): { name: string; role: string } {
  if (words.length > 1 && looksLikeRole(words.at(-1)!, sop)) {
    const role = words.at(-1)!.toLowerCase();
    const problem = staffRoleProblem(role, sop, TEMPLATES_DIR);
    if (problem) throw bad(`${problem}; a name of several words in lowercase goes in quotes: "ani lestari"`);
    return { name: words.slice(0, -1).join(" ").trim(), role };
  }
  return { name: words.join(" ").trim(), role: "staf" };
}

async function password(flags: Map<string, string | true>, io: StaffCliIo): Promise<string> {
  if (flags.get("--password-stdin") !== true) throw bad("give --password-stdin and the password on standard input (never as an argument)");
  const read = io.readPassword ?? (() => readPasswordLine(process.stdin, (text) => void process.stderr.write(text)));
  const line = await read();
  if (line === "") throw bad("no password on standard input: printf '%s\\n' \"$PASSWORD\" | npm run staff -- …");
  return line;
}

export async function staffCommand(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  envFile = ".env",
  io: StaffCliIo = {},
): Promise<string> {
  const [first, ...after] = args;
  if (!VERBS.includes(first as Verb)) throw bad(first === undefined ? "say what to do" : `unknown command "${first}"`);
  const verb = first as Verb;
  const { positional, flags } = options(after, ["--telegram"]);
  const allowed: Record<Verb, readonly string[]> = {
    add: [],
    remove: [],
    list: [],
    "add-web": ["--password-stdin", "--telegram"],
    passwd: ["--password-stdin"],
    disable: [],
  };
  for (const flag of flags.keys()) if (!allowed[verb].includes(flag)) throw bad(`${verb} takes no ${flag}`);
  const [id, ...rest] = positional;
  if ((verb === "add" || verb === "remove") && !/^\d+$/.test(id ?? "")) throw bad("the Telegram user id must be a number");
  if ((verb === "add-web" || verb === "passwd" || verb === "disable") && !id) throw bad(`${verb} needs a username`);
  const extra = verb === "list" ? positional : verb === "passwd" || verb === "disable" || verb === "remove" ? rest : [];
  if (extra.length > 0) throw bad(`unexpected "${extra.join(" ")}"`);
  const config = loadConfig(env, envFile);
  const sop = loadSopPreset(TEMPLATES_DIR, config.SOP_PRESET, { timeZone: config.OFFICE_TIMEZONE });
  // Everything that can be refused without the database is checked first (and the password read
  // before the database opens, so a refusal never leaves it waiting on standard input).
  let role = "staf";
  let name = "";
  let secret = "";
  if (verb === "add") ({ name, role } = nameAndRole(rest, sop));
  if (verb === "add-web") {
    if (rest.length < 2) throw bad("add-web needs a username, a name and a role");
    role = rest.at(-1)!.toLowerCase();
    const problem = staffRoleProblem(role, sop, TEMPLATES_DIR);
    if (problem) throw bad(problem);
    name = rest.slice(0, -1).join(" ").trim();
  }
  if ((verb === "add" || verb === "add-web") && name === "") throw bad("give the staff member's name");
  if (verb === "add-web" || verb === "passwd") secret = await password(flags, io);

  const db = await openDatabase(config.DATABASE_URL, { identityKey: config.IDENTITY_KEY });
  try {
    const now = new Date();
    switch (verb) {
      case "list": {
        const rows = await db.prisma.staff.findMany({ where: { active: true }, orderBy: { name: "asc" }, include: { login: true } });
        const fromEnv = config.STAFF_TELEGRAM_IDS.filter((envId) => !rows.some((r) => r.telegramId === envId));
        const lines = [
          ...rows.map((r) => {
            const web = r.login ? `\tweb: ${r.login.username}${r.login.active ? "" : " (disabled)"}` : "";
            return `${isWebOnly(r.telegramId) ? "-" : r.telegramId}\t${r.name}\t${r.role}${web}`;
          }),
          ...fromEnv.map((envId) => `${envId}\t(STAFF_TELEGRAM_IDS)\tstaf`),
        ];
        return lines.length > 0 ? lines.join("\n") : "no staff yet: npm run staff -- add <telegram-id> <name> [role]";
      }
      case "remove": {
        const removed = await db.prisma.staff.updateMany({ where: { telegramId: id!, active: true }, data: { active: false } });
        // Their web sign-ins end with them: a session checks that its person is still active staff.
        const note = config.STAFF_TELEGRAM_IDS.includes(id!) ? " (still in STAFF_TELEGRAM_IDS: remove it there too)" : "";
        return removed.count > 0 ? `removed ${id}${note}` : `${id} was not in the staff table${note}`;
      }
      case "add":
        await db.prisma.staff.upsert({
          where: { telegramId: id! },
          create: { id: randomUUID(), telegramId: id!, name, role, active: true },
          update: { name, role, active: true },
        });
        return `added ${id} ${name} (${role})`;
      case "add-web": {
        const telegram = flags.get("--telegram");
        const added = await addWebLogin(
          db,
          { username: id!, name, role, password: secret, ...(typeof telegram === "string" ? { telegramId: telegram } : {}) },
          now,
        );
        return `added web login ${added.username}: ${name} (${role})${typeof telegram === "string" ? `, Telegram ${telegram}` : ", web only"}`;
      }
      case "passwd":
        await setWebPassword(db, id!, secret, now);
        return `password of ${id!.toLowerCase()} changed; it is signed out everywhere`;
      case "disable": {
        const done = await disableWebLogin(db, id!);
        const group = done.stillInGroup ? " (still staff in the Telegram group: npm run staff -- remove <telegram-id> ends that)" : "";
        return `disabled web login ${done.username}; ${done.sessions} session(s) signed out${group}`;
      }
    }
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
