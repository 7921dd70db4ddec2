import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { jsonObject } from "../core/index.js";
import { seal, unseal, type Database, type SqlRunner } from "../db/index.js";

const sealJson = (value: unknown) => seal(JSON.stringify(value));

/** Keys of event data that hold free text or point at a person; the rest (steps, roles, counts, scores) stays. */
const TEXT_KEYS = new Set([
  "text",
  "comment",
  "note",
  "reason",
  "name",
  "email",
  "phone",
  "address",
  "attachmentIds",
  "providerMessageId",
  "filename",
]);

/** The event that marks a complaint erased; the retention duty and `erase` skip a complaint that has it. */
export const ERASED_EVENT = "privacy.erased";

export interface EraseRequest {
  complaintId: string;
  /** "request": the complainant asked (npm run privacy -- erase); "retention": RETENTION_MONTHS passed. */
  why: "request" | "retention";
  actor: string;
  reason?: string;
  now: Date;
  /** Where evidence files live (ATTACHMENTS_DIR): files no other row names are removed at once. */
  attachmentsDir: string;
}

export interface EraseResult {
  complaintId: string;
  messages: number;
  events: number;
  files: number;
  /** The complainant's identity itself was erased (false: they have other complaints, which keep it). */
  identity: boolean;
  conversation: boolean;
}

function scrubbed(data: string): string {
  return JSON.stringify(Object.fromEntries(Object.entries(jsonObject(data)).filter(([key]) => !TEXT_KEYS.has(key))));
}

/**
 * Anonymises one complaint: the complainant's identity, every text of the conversation and the
 * complaint (its text, the rating comment, the texts inside its events, the messages and the sent
 * outbox payloads), and the evidence files. What the recap counts stays: the complaint row with its
 * kind, category, channel, dates, SOP step, rating, and the events' types and times.
 */
export async function eraseComplaint(db: Database, request: EraseRequest): Promise<EraseResult> {
  const { complaintId, now } = request;
  const outcome = await db.prisma.$transaction(async (tx) => {
    const sql = db.sql.within(tx);
    const rows = await sql.query<{ complainantId: string; conversationId: string; closedAt: Date | string | null }>(
      `SELECT "complainantId", "conversationId", "closedAt" FROM "Complaint" WHERE "id" = ?`,
      [complaintId],
    );
    const complaint = rows[0];
    if (!complaint) throw new Error(`no complaint ${complaintId}`);
    const result: EraseResult = { complaintId, messages: 0, events: 0, files: 0, identity: false, conversation: false };

    result.identity = await eraseIdentity(sql, complaintId, complaint.complainantId, now);

    await sql.execute(`UPDATE "Complaint" SET "text" = ?, "ratingComment" = NULL, "updatedAt" = ? WHERE "id" = ?`, ["", now, complaintId]);
    const events = await sql.query<{ id: string; data: string }>(`SELECT "id", "data" FROM "ComplaintEvent" WHERE "complaintId" = ?`, [
      complaintId,
    ]);
    for (const event of events) {
      const opened = unseal(event.data);
      const next = scrubbed(opened);
      if (next !== opened)
        result.events += await sql.execute(`UPDATE "ComplaintEvent" SET "data" = ? WHERE "id" = ?`, [seal(next), event.id]);
    }

    // The conversation is anonymised only when no complaint in it keeps its data; else its texts up to
    // this complaint's closing (or now) that no other complaint claims.
    const others = await sql.query<{ n: number | bigint }>(
      `SELECT COUNT(*) AS "n" FROM "Complaint" o WHERE o."conversationId" = ? AND o."id" <> ?
         AND NOT EXISTS (SELECT 1 FROM "ComplaintEvent" e WHERE e."complaintId" = o."id" AND e."type" = ?)`,
      [complaint.conversationId, complaintId, ERASED_EVENT],
    );
    result.conversation = Number(others[0]?.n ?? 0) === 0;
    const until = complaint.closedAt ? new Date(complaint.closedAt) : now;
    if (result.conversation) {
      result.messages = await sql.execute(`UPDATE "Message" SET "text" = ?, "options" = NULL WHERE "conversationId" = ?`, [
        "",
        complaint.conversationId,
      ]);
      await sql.execute(`UPDATE "OutboxMessage" SET "payload" = ? WHERE "conversationId" = ? AND "status" IN ('sent', 'failed')`, [
        "{}",
        complaint.conversationId,
      ]);
      // A new chat from the same account starts afresh: the channel address goes with the rest.
      const locale = (
        await sql.query<{ locale: string }>(`SELECT "locale" FROM "Conversation" WHERE "id" = ?`, [complaint.conversationId])
      )[0]?.locale;
      await sql.execute(`UPDATE "Conversation" SET "chatId" = ?, "senderId" = NULL, "state" = ?, "updatedAt" = ? WHERE "id" = ?`, [
        `erased:${complaint.conversationId}`,
        JSON.stringify({ step: "new", locale: locale ?? "id", draft: { attachmentIds: [] } }),
        now,
        complaint.conversationId,
      ]);
    } else {
      result.messages = await sql.execute(
        `UPDATE "Message" SET "text" = ?, "options" = NULL
          WHERE "conversationId" = ? AND ("complaintId" = ? OR ("complaintId" IS NULL AND "createdAt" <= ?))`,
        ["", complaint.conversationId, complaintId, until],
      );
    }
    await sql.execute(`UPDATE "OutboxMessage" SET "payload" = ? WHERE "complaintId" = ? AND "status" IN ('sent', 'failed')`, [
      "{}",
      complaintId,
    ]);

    // The evidence, and the files staff sent with the replies about this complaint (rows on the
    // office's messages): a letter to the complainant names them as surely as their own photos do.
    const files = await sql.query<{ id: string; sha256: string; storagePath: string }>(
      `SELECT "id", "sha256", "storagePath" FROM "Attachment" a WHERE a."complaintId" = ?
          OR a."messageId" IN (SELECT m."id" FROM "Message" m WHERE m."complaintId" = ? AND m."direction" = 'out')
          ${result.conversation ? ` OR a."conversationId" = ?` : ""}`,
      result.conversation ? [complaintId, complaintId, complaint.conversationId] : [complaintId, complaintId],
    );
    for (const file of files) await sql.execute(`DELETE FROM "Attachment" WHERE "id" = ?`, [file.id]);
    const orphans: string[] = [];
    for (const file of new Map(files.map((f) => [f.sha256, f])).values()) {
      const still = await sql.query(`SELECT 1 FROM "Attachment" WHERE "sha256" = ? LIMIT 1`, [file.sha256]);
      if (still.length === 0) orphans.push(file.storagePath);
    }

    await sql.execute(
      `INSERT INTO "ComplaintEvent" ("id", "complaintId", "type", "actor", "data", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`,
      [
        randomUUID(),
        complaintId,
        ERASED_EVENT,
        request.actor,
        // The operator's reason may name the person: sealed like every event's data.
        sealJson({
          why: request.why,
          ...(request.reason ? { reason: request.reason } : {}),
          files: files.length,
          messages: result.messages,
        }),
        now,
      ],
    );
    return { result, orphans };
  });
  // Files go after the commit is on disk: an erase rolled back (or undone by a power cut) must not have lost evidence.
  await db.durable();
  for (const path of outcome.orphans) {
    await rm(join(request.attachmentsDir, path), { force: true });
    outcome.result.files++;
  }
  return outcome.result;
}

/**
 * The complaint leaves its complainant for an empty one; the complainant's identity and channel
 * accounts are erased when no other complaint of theirs remains (a later complaint keeps the person).
 */
async function eraseIdentity(sql: SqlRunner, complaintId: string, complainantId: string, now: Date): Promise<boolean> {
  const rest = await sql.query<{ n: number | bigint }>(`SELECT COUNT(*) AS "n" FROM "Complaint" WHERE "complainantId" = ? AND "id" <> ?`, [
    complainantId,
    complaintId,
  ]);
  if (Number(rest[0]?.n ?? 0) > 0) {
    const fresh = randomUUID();
    await sql.execute(
      `INSERT INTO "Complainant" ("id", "name", "anonymous", "email", "phone", "address", "createdAt", "updatedAt")
       SELECT ?, NULL, "anonymous", NULL, NULL, NULL, ?, ? FROM "Complainant" WHERE "id" = ?`,
      [fresh, now, now, complainantId],
    );
    await sql.execute(`UPDATE "Complaint" SET "complainantId" = ? WHERE "id" = ?`, [fresh, complaintId]);
    return false;
  }
  await sql.execute(
    `UPDATE "Complainant" SET "name" = NULL, "email" = NULL, "phone" = NULL, "address" = NULL, "updatedAt" = ? WHERE "id" = ?`,
    [now, complainantId],
  );
  await sql.execute(`DELETE FROM "ChannelIdentity" WHERE "complainantId" = ?`, [complainantId]);
  return true;
}
