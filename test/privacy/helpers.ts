import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installIdentityKeyring, keyringOf, parseKeyList } from "../../src/db/index.js";
import { textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

/** Restores the suite's key (vitest.config.ts) after a test installed another. */
export function restoreTestKey(): void {
  installIdentityKeyring(keyringOf(parseKeyList(process.env.IDENTITY_KEY!), "setting"));
}

export interface Person {
  name: string;
  phone: string;
  email: string;
  address: string;
}

export const SITI: Person = {
  name: "Siti Aminah",
  phone: "0812 3456 7890",
  email: "siti.aminah@example.id",
  address: "Jl. Melati 3, Denpasar",
};
export const BUDI: Person = {
  name: "Budi Santoso",
  phone: "0857 1111 2222",
  email: "budi.santoso@example.id",
  address: "Banjar Tegal, Gianyar",
};

/** A named complaint filed through the pipeline on web chat (from `senderId`'s account); returns its ticket and id. */
export async function fileComplaint(
  t: TestPipeline,
  chatId: string,
  who: Person,
  text: string,
  senderId = chatId,
): Promise<{ ticket: string; id: string }> {
  const lines = ["halo", "1", who.name, `${who.phone} ${who.email}`, who.address, "3", text, "lewati", "ya"];
  let last = "";
  for (const line of lines) {
    const result = await t.pipeline.receive(textMessage(chatId, line, { sender: { id: senderId, displayName: who.name } }));
    last = result.replies.map((r) => r.text).join(" ");
  }
  const ticket = TICKET.exec(last)?.[0];
  if (!ticket) throw new Error(`no ticket in ${last}`);
  const row = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
  return { ticket, id: row.id };
}

/** An evidence file stored as the AttachmentStore stores it (by content hash) and linked to the complaint. */
export async function attachFile(t: TestPipeline, complaintId: string, bytes: string): Promise<string> {
  const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { id: complaintId } });
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const storagePath = join(sha256.slice(0, 2), sha256);
  const path = join(t.dir, "attachments", storagePath);
  mkdirSync(join(t.dir, "attachments", sha256.slice(0, 2)), { recursive: true });
  if (!existsSync(path)) writeFileSync(path, bytes);
  await t.db.prisma.attachment.create({
    data: {
      id: randomUUID(),
      conversationId: complaint.conversationId,
      complaintId,
      sha256,
      mime: "image/jpeg",
      size: bytes.length,
      filename: "bukti_Siti_Aminah.jpg",
      storagePath,
    },
  });
  return path;
}

export async function close(
  t: TestPipeline,
  complaintId: string,
  closedAt: Date,
  rating?: { score: number; comment: string },
): Promise<void> {
  await t.db.prisma.complaint.update({
    where: { id: complaintId },
    data: { status: "closed", closedAt, sopStep: "done", ...(rating ? { rating: rating.score, ratingComment: rating.comment } : {}) },
  });
}

export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}
