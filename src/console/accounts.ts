import { randomUUID } from "node:crypto";
import { KanalError } from "../core/index.js";
import type { Database } from "../db/index.js";
import { hashPassword, passwordProblem, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./passwords.js";

/** Lowercase letters, digits, dot, dash and underscore, 3–32 long: safe in a URL, a log line and a cookie. */
const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;

/** The Staff.telegramId of someone who works only on the web (see the Staff model). */
export const webOnlyTelegramId = (username: string) => `web:${username}`;
export const isWebOnly = (telegramId: string) => telegramId.startsWith("web:");

export function normaliseUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

/** A name that could be a login's: anything else (a NUL, a lone surrogate, 300 characters) is no one's. */
export const isUsername = (username: string) => USERNAME.test(username);

function checkUsername(raw: string): string {
  const username = normaliseUsername(raw);
  if (!USERNAME.test(username)) {
    throw new KanalError(
      "KA_BAD_REQUEST",
      `the username "${raw}" is not usable: 3–32 lowercase letters, digits, ".", "-" or "_", starting with a letter or digit`,
    );
  }
  return username;
}

function checkPassword(password: string): void {
  switch (passwordProblem(password)) {
    case "tooShort":
      throw new KanalError("KA_BAD_REQUEST", `the password is too short: at least ${PASSWORD_MIN_LENGTH} characters`);
    case "tooLong":
      throw new KanalError("KA_BAD_REQUEST", `the password is too long: at most ${PASSWORD_MAX_LENGTH} characters`);
    case "control":
      throw new KanalError("KA_BAD_REQUEST", "the password contains a control character (a tab, a NUL, …): type it again");
    case undefined:
      return;
  }
}

export interface NewWebLogin {
  username: string;
  name: string;
  /** Checked by the caller against the office's roles (roles.ts). */
  role: string;
  password: string;
  /** Ties the login to this Telegram staff member (the same person in the group). */
  telegramId?: string;
}

/**
 * Creates a web login, and the person's Staff row when there is none: with --telegram, the row of
 * that Telegram user (created or updated: one person, one name, one role in both front ends);
 * without, a web-only row.
 */
export async function addWebLogin(db: Database, input: NewWebLogin, now: Date): Promise<{ username: string; tied: boolean }> {
  const username = checkUsername(input.username);
  const name = input.name.trim();
  if (name === "") throw new KanalError("KA_BAD_REQUEST", "give the person's name");
  if (input.telegramId !== undefined && !/^\d+$/.test(input.telegramId)) {
    throw new KanalError("KA_BAD_REQUEST", "the Telegram user id after --telegram must be a number");
  }
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  const telegramId = input.telegramId ?? webOnlyTelegramId(username);
  await db.prisma.$transaction(async (tx) => {
    if (await tx.staffLogin.findUnique({ where: { username } })) {
      throw new KanalError("KA_BAD_REQUEST", `the username "${username}" is taken: npm run staff -- passwd ${username} --password-stdin`);
    }
    const existing = await tx.staff.findUnique({ where: { telegramId }, include: { login: true } });
    if (existing?.login) {
      throw new KanalError("KA_BAD_REQUEST", `Telegram user ${telegramId} already signs in to the web as "${existing.login.username}"`);
    }
    const staff = existing
      ? await tx.staff.update({ where: { id: existing.id }, data: { name, role: input.role, active: true } })
      : await tx.staff.create({ data: { id: randomUUID(), telegramId, name, role: input.role, active: true, createdAt: now } });
    await tx.staffLogin.create({
      data: { id: randomUUID(), username, staffId: staff.id, passwordHash, active: true, passwordChangedAt: now, createdAt: now },
    });
  });
  await db.durable();
  return { username, tied: input.telegramId !== undefined };
}

/** Sets a new password, enables the login again if it was disabled, and signs it out everywhere. */
export async function setWebPassword(db: Database, rawUsername: string, password: string, now: Date): Promise<void> {
  const username = checkUsername(rawUsername);
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  await db.prisma.$transaction(async (tx) => {
    const login = await tx.staffLogin.findUnique({ where: { username }, include: { staff: true } });
    if (!login)
      throw new KanalError(
        "KA_NOT_FOUND",
        `no web login "${username}": npm run staff -- add-web ${username} <name> <role> --password-stdin`,
      );
    await tx.staffLogin.update({ where: { id: login.id }, data: { passwordHash, active: true, passwordChangedAt: now } });
    if (isWebOnly(login.staff.telegramId)) await tx.staff.update({ where: { id: login.staffId }, data: { active: true } });
    await tx.staffSession.deleteMany({ where: { loginId: login.id } });
  });
  // A password change (and the sign-outs with it) must not come undone with a power cut.
  await db.durable();
}

/**
 * Turns a login off and signs it out everywhere at once. A web-only person stops being staff; a
 * person tied to Telegram stays staff in the group (`npm run staff -- remove <id>` ends that).
 */
export async function disableWebLogin(
  db: Database,
  rawUsername: string,
): Promise<{ username: string; stillInGroup: boolean; sessions: number }> {
  const username = checkUsername(rawUsername);
  const disabled = await db.prisma.$transaction(async (tx) => {
    const login = await tx.staffLogin.findUnique({ where: { username }, include: { staff: true } });
    if (!login) throw new KanalError("KA_NOT_FOUND", `no web login "${username}"`);
    await tx.staffLogin.update({ where: { id: login.id }, data: { active: false } });
    const webOnly = isWebOnly(login.staff.telegramId);
    if (webOnly) await tx.staff.update({ where: { id: login.staffId }, data: { active: false } });
    const ended = await tx.staffSession.deleteMany({ where: { loginId: login.id } });
    return { username, stillInGroup: !webOnly && login.staff.active, sessions: ended.count };
  });
  // A login turned off stays off through a power cut.
  await db.durable();
  return disabled;
}
