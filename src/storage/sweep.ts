import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { describeError } from "../core/index.js";
import { inJsonList, type Database, type SqlRunner } from "../db/index.js";
import { STAFF_FILES_DIR } from "./attachment-store.js";

/**
 * A file on disk that no Attachment row names is removed once it has not been written or touched
 * for this long. Files are written before the step that records them (downloads must not hold the
 * database's write lock), and a step waits at most 30 s for its turn and runs at most 60 s
 * (src/pipeline/step-batch.ts): an hour is far beyond any file still about to be recorded.
 */
export const UNREFERENCED_FILE_GRACE_MS = 60 * 60 * 1000;

/** Conversations handled per round, and file names checked per query: a round stays short. */
const CONVERSATIONS_PER_ROUND = 500;
const NAMES_PER_QUERY = 500;

export interface SweepDeps {
  db: Database;
  /** The attachment directory (ATTACHMENTS_DIR); only its content-addressed `ab/abcdef…` files are touched. */
  dir: string;
  /**
   * A file not part of a complaint (evidence of a complaint being written) is kept while its
   * conversation was active within this time (ATTACHMENT_SWEEP_GRACE_HOURS).
   */
  graceMs: number;
  clock?: () => Date;
}

export interface SweepResult {
  /** Attachment rows of drafts abandoned for longer than the grace, deleted. */
  rows: number;
  /** Files no row names any more, deleted, and their bytes. */
  files: number;
  bytes: number;
}

/**
 * One round of the sweep (a leader duty, see attachmentSweeper):
 *
 * 1. Rows: an Attachment row with no complaint belongs to a draft. Once its conversation has been
 *    quiet for the grace period, the draft is abandoned: the row goes, and its id leaves the
 *    draft (so a citizen who comes back is not told of evidence that is gone). Each conversation
 *    is handled in its own transaction with the conversation locked, as a step locks it, so a
 *    step that files the complaint at that moment either sees the rows or sees them gone.
 * 2. Files: content-addressed, so one file may serve several rows (the same photo sent twice);
 *    a file is deleted only when no row names it and it is older than UNREFERENCED_FILE_GRACE_MS.
 *    The store touches a file it is about to record again, which restarts that hour. The files
 *    staff send with a reply (STAFF_FILES_DIR) likewise: a reply refused after its file was stored
 *    (the complaint closed meanwhile, the chat out of reach) leaves one that no row names.
 */
export async function sweepAttachments(deps: SweepDeps): Promise<SweepResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const rows = await sweepAbandonedDrafts(deps.db, new Date(now.getTime() - deps.graceMs));
  const { files, bytes } = await sweepUnreferencedFiles(deps.db, deps.dir, now.getTime() - UNREFERENCED_FILE_GRACE_MS);
  return { rows, files, bytes };
}

/**
 * A row of no complaint is a draft's file, unless it sits on a message the office sent: a file staff
 * sent with a reply (src/staff/commands/reply.ts), which the conversation keeps as long as its messages.
 */
const NOT_OFFICE_FILE = (row: string) =>
  `NOT EXISTS (SELECT 1 FROM "Message" m WHERE m."id" = ${row}."messageId" AND m."direction" = 'out')`;

async function sweepAbandonedDrafts(db: Database, cutoff: Date): Promise<number> {
  const candidates = await db.sql.query<{ conversationId: string }>(
    `SELECT DISTINCT a."conversationId" FROM "Attachment" a
      WHERE a."complaintId" IS NULL AND a."createdAt" < ?
        AND NOT EXISTS (SELECT 1 FROM "Conversation" c WHERE c."id" = a."conversationId" AND c."updatedAt" >= ?)
        AND ${NOT_OFFICE_FILE("a")}
      LIMIT ${CONVERSATIONS_PER_ROUND}`,
    [cutoff, cutoff],
  );
  let deleted = 0;
  for (const { conversationId } of candidates) {
    deleted += await db.prisma.$transaction(async (tx) => forgetDraftFiles(db.sql.within(tx), conversationId, cutoff), {
      maxWait: 30_000,
      timeout: 60_000,
    });
  }
  return deleted;
}

async function forgetDraftFiles(sql: SqlRunner, conversationId: string, cutoff: Date): Promise<number> {
  // PostgreSQL: wait for a step on this conversation to finish, and hold the next one off. (SQLite:
  // the DELETE below takes the database's only write lock, which does the same.)
  if (sql.provider === "postgresql") {
    await sql.query(`SELECT "id" FROM "Conversation" WHERE "id" = ? FOR UPDATE`, [conversationId]);
  }
  const gone = await sql.query<{ id: string }>(
    `DELETE FROM "Attachment"
      WHERE "conversationId" = ? AND "complaintId" IS NULL AND "createdAt" < ?
        AND NOT EXISTS (SELECT 1 FROM "Conversation" c WHERE c."id" = ? AND c."updatedAt" >= ?)
        AND ${NOT_OFFICE_FILE('"Attachment"')}
      RETURNING "id"`,
    [conversationId, cutoff, conversationId, cutoff],
  );
  if (gone.length === 0) return 0;
  const rows = await sql.query<{ state: string }>(`SELECT "state" FROM "Conversation" WHERE "id" = ?`, [conversationId]);
  const stored = rows[0]?.state;
  if (stored !== undefined) {
    // The flow's state (src/flow IntakeState): only its draft's list of file ids is touched.
    const state = JSON.parse(stored) as { draft?: { attachmentIds?: string[] } };
    const ids = new Set(gone.map((r) => r.id));
    const listed = state.draft?.attachmentIds ?? [];
    const kept = listed.filter((id) => !ids.has(id));
    if (kept.length !== listed.length) {
      // "updatedAt" stays: the conversation did not speak, and its idle time goes on counting.
      await sql.execute(`UPDATE "Conversation" SET "state" = ? WHERE "id" = ?`, [
        JSON.stringify({ ...state, draft: { ...state.draft, attachmentIds: kept } }),
        conversationId,
      ]);
    }
  }
  return gone.length;
}

const PREFIX = /^[0-9a-f]{2}$/;
const CONTENT_NAME = /^[0-9a-f]{64}$/;

/** Where content-addressed files live under ATTACHMENTS_DIR: the evidence, and the staff's reply files. */
const FILE_ROOTS = [
  { sub: "", staff: false },
  { sub: STAFF_FILES_DIR, staff: true },
] as const;

/** Whether an Attachment row's path is under the staff's folder (rows store it relative to ATTACHMENTS_DIR). */
const isStaffPath = (storagePath: string) => storagePath.replaceAll("\\", "/").startsWith(`${STAFF_FILES_DIR}/`);

async function sweepUnreferencedFiles(db: Database, dir: string, olderThanMs: number): Promise<{ files: number; bytes: number }> {
  const candidates: { sha256: string; path: string; staff: boolean }[] = [];
  for (const root of FILE_ROOTS) {
    const rootDir = join(dir, root.sub);
    for (const prefix of await listDir(rootDir)) {
      if (!PREFIX.test(prefix)) continue; // e.g. staff/ in the evidence root: walked as its own root
      for (const name of await listDir(join(rootDir, prefix))) {
        const path = join(rootDir, prefix, name);
        const info = await stat(path).catch(() => undefined);
        if (!info?.isFile() || info.mtimeMs >= olderThanMs) continue;
        if (CONTENT_NAME.test(name) && name.startsWith(prefix)) candidates.push({ sha256: name, path, staff: root.staff });
        // A write that died between its temp file and the rename.
        else if (name.endsWith(".tmp")) await unlink(path).catch(() => undefined);
      }
    }
  }
  let files = 0;
  let bytes = 0;
  for (let i = 0; i < candidates.length; i += NAMES_PER_QUERY) {
    const chunk = candidates.slice(i, i + NAMES_PER_QUERY);
    const named = await db.sql.query<{ sha256: string; storagePath: string }>(
      `SELECT DISTINCT "sha256", "storagePath" FROM "Attachment" WHERE ${inJsonList(db.sql.provider, `"sha256"`)}`,
      [JSON.stringify([...new Set(chunk.map((c) => c.sha256))])],
    );
    // Evidence: any row of the content keeps it (as always). A staff file: a row of the content in
    // the staff's folder (the same bytes received as evidence are another file).
    const referenced = new Set(named.map((r) => r.sha256));
    const referencedByStaff = new Set(named.filter((r) => isStaffPath(r.storagePath)).map((r) => r.sha256));
    for (const candidate of chunk) {
      if ((candidate.staff ? referencedByStaff : referenced).has(candidate.sha256)) continue;
      // Looked at again just before deleting: the store may have touched it for a new row meanwhile.
      const info = await stat(candidate.path).catch(() => undefined);
      if (!info || info.mtimeMs >= olderThanMs) continue;
      const removed = await unlink(candidate.path).then(
        () => true,
        () => false,
      );
      if (!removed) continue;
      files += 1;
      bytes += info.size;
    }
  }
  return { files, bytes };
}

async function listDir(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

export interface AttachmentSweeper {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One round now (the timer's rounds and this one never overlap). */
  tick(): Promise<SweepResult>;
}

/**
 * The sweep as a leader duty (src/cluster): one instance sweeps, every `intervalMs` (default one
 * hour), the first round at once. A failed round is logged and the next one tries again.
 */
export function attachmentSweeper(
  deps: SweepDeps & { intervalMs?: number; log: (message: string, fields?: Record<string, unknown>) => void },
): AttachmentSweeper {
  const interval = deps.intervalMs ?? 60 * 60 * 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepResult> | undefined;
  /** Bumped by every start and stop: a round of an earlier term schedules nothing. */
  let term = 0;
  let active = false;

  function tick(): Promise<SweepResult> {
    running ??= sweepAttachments(deps).finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(delay: number, myTerm: number): void {
    if (!active || myTerm !== term) return;
    timer = setTimeout(() => {
      tick()
        .then((result) => {
          if (result.rows > 0 || result.files > 0) deps.log("attachment sweep", { ...result });
        })
        .catch((error: unknown) => deps.log("attachment sweep failed", { error: describeError(error) }))
        .finally(() => schedule(interval, myTerm));
    }, delay);
    timer.unref();
  }

  return {
    name: "attachment-sweep",
    tick,
    async start() {
      active = true;
      term += 1;
      schedule(0, term);
    },
    async stop() {
      active = false;
      term += 1;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
