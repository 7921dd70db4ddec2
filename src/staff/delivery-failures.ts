import type { Locale } from "../core/index.js";
import { channelLabel } from "../complaints/index.js";
import type { Database } from "../db/index.js";
import type { Reply } from "../flow/index.js";
import { render, type Templates } from "../i18n/index.js";
import { prismaOutbox } from "../outbox/index.js";

export interface FailedRow {
  channel: string;
  chatId: string;
  complaintId: string | null;
  lastError: string | null;
}

/**
 * A message that could not reach a complainant (blocked the bot, number gone, 24-hour window
 * closed) is told to staff under the complaint's card, so somebody can reach the person another way.
 * Failures of the staff group itself are not reported there (it is the one place that failed).
 */
export async function reportDeliveryFailure(
  deps: { db: Database; templates: Templates; officeName: string; feed: { channel: string; chatId: string; locale: Locale } },
  row: FailedRow,
): Promise<void> {
  if (!row.complaintId || (row.channel === deps.feed.channel && row.chatId === deps.feed.chatId)) return;
  const complaint = await deps.db.prisma.complaint.findUnique({ where: { id: row.complaintId }, select: { ticket: true } });
  if (!complaint) return;
  await postStaffNotice(
    deps,
    { key: "staff.deliveryFailed", vars: { ticket: complaint.ticket, channel: channelLabel(row.channel), reason: row.lastError ?? "-" } },
    row.complaintId,
  );
}

type NoticeDeps = { db: Database; templates: Templates; officeName: string; feed: { channel: string; chatId: string; locale: Locale } };

/** A notice for the staff group, durable in the outbox like every message (threaded under a card when it concerns one). */
export async function postStaffNotice(deps: NoticeDeps, reply: Reply, complaintId?: string): Promise<void> {
  const text = render(deps.templates, deps.feed.locale, reply, { office: deps.officeName }).text;
  await prismaOutbox(deps.db.prisma).enqueue(
    { channel: deps.feed.channel, chatId: deps.feed.chatId, complaintId: complaintId ?? null, kind: "staff" },
    complaintId ? { text, threadOf: complaintId } : { text },
  );
}

/** A mail the e-mail channel could not read (too large, broken): staff look at it in the inbox. */
export async function reportUnreadableMail(
  deps: NoticeDeps,
  mail: { uid: number; reason: string; from?: string; subject?: string },
): Promise<void> {
  await postStaffNotice(deps, {
    key: "staff.mailUnreadable",
    vars: { from: mail.from ?? "-", subject: mail.subject ?? "-", reason: mail.reason, uid: mail.uid },
  });
}

/** The office's WhatsApp Web number was unlinked: somebody must scan a new QR code. */
export async function reportWhatsAppLoggedOut(deps: NoticeDeps): Promise<void> {
  await postStaffNotice(deps, { key: "staff.whatsappLoggedOut" });
}

/**
 * A citizen's message that could not be processed because of what it held (the rest of its
 * webhook body went on): staff hear of it, without its text or sender, to look for it in the
 * provider's inbox (WhatsApp Manager, the Page inbox) and answer by hand.
 */
export async function reportFailedInbound(
  deps: NoticeDeps,
  failure: { channel: string; providerMessageId: string; reason: string },
): Promise<void> {
  await postStaffNotice(deps, {
    key: "staff.inboundFailed",
    vars: { channel: channelLabel(failure.channel), id: failure.providerMessageId, reason: failure.reason },
  });
}
