import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../db/index.js";

/** However active, a session ends this long after sign-in (a stolen cookie does not live forever). */
export const SESSION_MAX_MS = 12 * 3_600_000;
/** lastSeenAt is written at most this often: a page with many requests costs one write a minute. */
const TOUCH_EVERY_MS = 60_000;

export interface SignedIn {
  /** StaffSession.id: the SHA-256 of the cookie's token. */
  sessionId: string;
  loginId: string;
  username: string;
  staffId: string;
  /** Staff.telegramId: "web:<username>" for someone who works only on the web. */
  telegramId: string;
  name: string;
  role: string;
  lastSeenAt: Date;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A token a browser cannot guess: 32 random bytes. Only its hash is stored. */
export async function startSession(db: Database, loginId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.prisma.staffSession.create({
    data: { id: hashToken(token), loginId, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_MAX_MS) },
  });
  return token;
}

/**
 * The signed-in person behind a cookie's token, or undefined when the token is unknown, the session
 * was idle longer than `idleMs` or is past its end, or the login or the person was disabled since
 * (`npm run staff -- disable`, `remove`): each of these ends the session at the next request.
 */
export async function findSession(db: Database, token: string | undefined, now: Date, idleMs: number): Promise<SignedIn | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const id = hashToken(token);
  const row = await db.prisma.staffSession.findUnique({ where: { id }, include: { login: { include: { staff: true } } } });
  if (!row) return undefined;
  const expired = now.getTime() - row.lastSeenAt.getTime() > idleMs || now.getTime() >= row.expiresAt.getTime();
  if (expired || !row.login.active || !row.login.staff.active) {
    await db.prisma.staffSession.deleteMany({ where: { id } });
    return undefined;
  }
  return {
    sessionId: id,
    loginId: row.loginId,
    username: row.login.username,
    staffId: row.login.staffId,
    telegramId: row.login.staff.telegramId,
    name: row.login.staff.name,
    role: row.login.staff.role,
    lastSeenAt: row.lastSeenAt,
  };
}

/** Marks the session as used now (it was: a person asked for something). */
export async function touchSession(db: Database, session: SignedIn, now: Date): Promise<void> {
  if (now.getTime() - session.lastSeenAt.getTime() < TOUCH_EVERY_MS) return;
  await db.prisma.staffSession.updateMany({ where: { id: session.sessionId }, data: { lastSeenAt: now } });
}

export async function endSession(db: Database, sessionId: string): Promise<void> {
  await db.prisma.staffSession.deleteMany({ where: { id: sessionId } });
}

/** Sessions nobody can use any more; deleted now and then (at sign-in) so the table stays small. */
export async function purgeSessions(db: Database, now: Date, idleMs: number): Promise<void> {
  await db.prisma.staffSession.deleteMany({
    where: { OR: [{ lastSeenAt: { lt: new Date(now.getTime() - idleMs) } }, { expiresAt: { lte: now } }] },
  });
}
