import type { FileRefusal, InboundMessage } from "../core/index.js";
import { stateFromStorage, type SqlRunner } from "../db/index.js";
import {
  currentState,
  DEFAULT_MAX_FILES,
  fileDestination,
  fileRoom,
  type FlowAttachment,
  type FlowContext,
  type IntakeState,
} from "../flow/index.js";
import { cleanFileName, type AttachmentCheck } from "../storage/index.js";
import type { PipelineDeps } from "./types.js";

/** ATTACHMENT_MAX_BYTES_PER_CONVERSATION's default. */
export const DEFAULT_MAX_BYTES_PER_CONVERSATION = 50 * 1024 * 1024;

export const maxFilesOf = (deps: PipelineDeps): number => deps.settings.maxFilesPerComplaint ?? DEFAULT_MAX_FILES;
export const budgetOf = (deps: PipelineDeps): number => deps.settings.maxBytesPerConversation ?? DEFAULT_MAX_BYTES_PER_CONVERSATION;

/** What a file became in the end: kept, or why not (the web chat answers with a status for it). */
export type FileOutcome = { accepted: true } | { accepted: false; reason: FileRefusal };

/**
 * Before the step: which of the message's files to download and store at all. The conversation's
 * state decides (files are kept only while a complaint is written or as a follow-up), then the
 * complaint's file count and the conversation's byte budget. Read outside the step's transaction,
 * as downloads must not hold the write lock; the step checks again on the state it locks
 * (settleFiles), and a file stored here that the step then refuses is left to the sweep.
 */
export async function acceptFiles(deps: PipelineDeps, inbound: InboundMessage, flowContext: FlowContext): Promise<AttachmentCheck[]> {
  const sql = deps.db.sql;
  const rows = await sql.query<{ id: string; state: string }>(
    `SELECT "id", "state" FROM "Conversation" WHERE "channel" = ? AND "chatId" = ?`,
    [inbound.channel, inbound.chatId],
  );
  const conversation = rows[0];
  const state = conversation ? stateFromStorage<IntakeState>(conversation.state) : undefined;
  const text = inbound.text ?? "";
  const use = await filesInUse(deps, sql, conversation?.id, state, text, flowContext);
  const place = fileRoom(state, text, { ...flowContext, filesOnComplaint: use.filesOnComplaint }, deps.settings.defaultLocale);
  let room = place.room;
  let budget = budgetOf(deps) - use.bytes;
  const checks: AttachmentCheck[] = [];
  // One after another: each kept file counts against the room and the budget the next one gets;
  // a refused one (its type, say) takes neither.
  for (const attachment of inbound.attachments) {
    const refusal: FileRefusal | undefined = place.destination.to === "none" ? "notNow" : room <= 0 ? "tooMany" : undefined;
    if (refusal) {
      const filename = cleanFileName(attachment.filename);
      checks.push({ accepted: false, reason: refusal, ...(filename !== undefined ? { filename } : {}) });
      continue;
    }
    const check = await deps.attachments.accept(attachment, { budgetBytes: Math.max(0, budget) });
    if (check.accepted) {
      budget -= check.stored.size;
      room -= 1;
    }
    checks.push(check);
  }
  return checks;
}

/**
 * Inside the step's transaction, with the conversation locked: the byte budget again (a file that
 * no longer fits becomes "quota"), and how many files the complaint that follow-ups go to holds,
 * for the flow's file count (admitFiles).
 */
export async function settleFiles(
  deps: PipelineDeps,
  sql: SqlRunner,
  conversationId: string,
  state: IntakeState | undefined,
  text: string,
  checks: readonly AttachmentCheck[],
  flowContext: FlowContext,
): Promise<{ checks: AttachmentCheck[]; filesOnComplaint?: number }> {
  if (!checks.some((c) => c.accepted)) return { checks: [...checks] };
  const use = await filesInUse(deps, sql, conversationId, state, text, flowContext);
  let budget = budgetOf(deps) - use.bytes;
  const settled = checks.map((check): AttachmentCheck => {
    if (!check.accepted) return check;
    if (check.stored.size > budget) {
      const { filename } = check.stored;
      return { accepted: false, reason: "quota", ...(filename !== undefined ? { filename } : {}) };
    }
    budget -= check.stored.size;
    return check;
  });
  return { checks: settled, filesOnComplaint: use.filesOnComplaint };
}

/** The conversation's stored bytes, and the files of the filed complaint its files would go to. */
async function filesInUse(
  deps: PipelineDeps,
  sql: SqlRunner,
  conversationId: string | undefined,
  state: IntakeState | undefined,
  text: string,
  flowContext: FlowContext,
): Promise<{ bytes: number; filesOnComplaint?: number }> {
  if (!conversationId) return { bytes: 0 };
  const destination = fileDestination(currentState(state, deps.settings.defaultLocale), text.trim(), flowContext);
  const complaintId = destination.to === "complaint" ? destination.complaintId : undefined;
  // Files staff sent with a reply (rows on the office's messages) are the office's, not the citizen's budget.
  const [usage] = await sql.query<{ bytes: number | bigint | string | null; files: number | bigint | string | null }>(
    `SELECT COALESCE(SUM(a."size"), 0) AS "bytes",
            COALESCE(SUM(CASE WHEN a."complaintId" = ? THEN 1 ELSE 0 END), 0) AS "files"
       FROM "Attachment" a WHERE a."conversationId" = ?
        AND NOT EXISTS (SELECT 1 FROM "Message" m WHERE m."id" = a."messageId" AND m."direction" = 'out')`,
    [complaintId ?? "", conversationId],
  );
  return {
    bytes: Number(usage?.bytes ?? 0),
    ...(complaintId !== undefined ? { filesOnComplaint: Number(usage?.files ?? 0) } : {}),
  };
}

/** What each file of a step became: kept only when the flow took it into the draft or a complaint. */
export function fileOutcomes(files: readonly FlowAttachment[], taken: ReadonlySet<string>): FileOutcome[] {
  return files.map((f) =>
    f.accepted ? (taken.has(f.id) ? { accepted: true } : { accepted: false, reason: "notNow" }) : { accepted: false, reason: f.reason },
  );
}
