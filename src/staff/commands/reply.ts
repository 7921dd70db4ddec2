import { randomUUID } from "node:crypto";
import type { ChannelName, InboundAttachment, Reply, TemplateValue } from "../../core/index.js";
import { channelLabel, conversationOfComplaint } from "../../complaints/index.js";
import { commandExample } from "../examples.js";
import type { CommandContext } from "./context.js";
import type { ComplaintCommand, DeclinedFile, Prepared, StaffCommandDeps, StoredFile } from "./types.js";

/** /balas (or a reply to a card): the text, and files where the citizen's channel takes them, reach the citizen. */
export const replyCommand: ComplaintCommand<"reply"> = {
  scope: "complaint",
  writes: true,
  async prepare(deps, _intent, complaint, request): Promise<Prepared> {
    const attachments = request.files ?? [];
    if (attachments.length === 0) return { files: [] };
    const conversation = await conversationOfComplaint(deps.db.prisma, complaint);
    if (!conversation || !deps.limitsOf(conversation.channel as ChannelName).media) return { files: [] };
    return storeFiles(deps, attachments);
  },
  async run(ctx, intent, complaint, request) {
    const attachments = request.files ?? [];
    if (intent.text === "" && attachments.length === 0) {
      return ctx.refuse(ctx.t({ key: "staff.needText", vars: { example: commandExample("reply") } }));
    }
    const { ticket } = complaint;
    const declined = ctx.prepared.declined ?? [];
    // Nothing left to send once every file was declined and there is no text: refused with the reasons.
    const nothingLeft = intent.text === "" && ctx.prepared.files.length === 0;
    if (declined.length > 0 && (request.declinedFiles === "refuse" || nothingLeft)) {
      return ctx.refuse(ctx.t({ key: "staff.reply.filesDeclined", vars: { ticket } }), ...declined.map((file) => declinedText(ctx, file)));
    }
    const text = intent.text;
    const conversation = await conversationOfComplaint(ctx.prisma, complaint);
    if (!conversation) return ctx.refuse(ctx.t({ key: "staff.closedNoConversation", vars: { ticket } }));
    const channel = conversation.channel as ChannelName;
    const limits = ctx.deps.limitsOf(channel);
    const window = limits.replyWindow;
    const quietHours = conversation.lastInboundAt ? (ctx.clock().getTime() - conversation.lastInboundAt.getTime()) / 3_600_000 : 0;
    if (window && window.outside === "none" && quietHours > window.hours) {
      // Said now, not after a refusal from the provider: staff can reach the person another way.
      await ctx.event(complaint.id, "staff.replyUndeliverable", { text, channel, reason: `outside the ${window.hours}-hour window` });
      return ctx.refuse(ctx.t({ key: "staff.relay.windowClosed", vars: { ticket, channel: channelLabel(channel), hours: window.hours } }));
    }
    const files = limits.media ? ctx.prepared.files : [];
    const vars: Record<string, TemplateValue> = { ticket, text, files: files.length };
    const reply: Reply = text === "" && files.length > 0 ? { key: "staff.relay.files", vars } : { key: "staff.relay", vars };
    const spoken = await ctx.speak(channel, conversation.chatId, {
      author: "staff",
      run: (state) => ({ state, replies: [reply], effects: [] }),
      ...(files.length > 0 ? { attachments: files.map(({ record: _record, ...send }) => send) } : {}),
    });
    if (spoken.status === "processed" && files.length > 0) await recordFiles(ctx, complaint.conversationId, spoken.step, files);
    await ctx.event(complaint.id, "staff.reply", { text, files: files.length, channel });
    const confirmations = [
      ctx.t({
        key: limits.delivery === "push" ? "staff.relayed.push" : "staff.relayed.pull",
        vars: { ticket, channel: channelLabel(channel) },
      }),
    ];
    if (attachments.length > 0 && !limits.media) {
      confirmations.push(ctx.t({ key: "staff.relayed.noMedia", vars: { channel: channelLabel(channel) } }));
    } else if (declined.length > 0) {
      // The group sends the rest (a photo album is not all or nothing), but says which file stayed behind and why.
      confirmations.push(ctx.t({ key: "staff.relayed.filesDeclined", vars: {} }), ...declined.map((file) => declinedText(ctx, file)));
    }
    return ctx.done(...confirmations);
  },
};

/** The staff member's files, stored so the outbox can send them on; declined ones are listed with why. */
async function storeFiles(deps: StaffCommandDeps, attachments: readonly InboundAttachment[]): Promise<Prepared> {
  const store = deps.storeFile;
  if (!store) return { files: [] };
  const files: StoredFile[] = [];
  const declined: DeclinedFile[] = [];
  for (const [index, attachment] of attachments.entries()) {
    const check = await store(attachment);
    if (check.accepted) {
      const { path, mime, filename, record } = check;
      files.push({
        kind: mime.startsWith("image/") ? "image" : "document",
        path,
        mime,
        ...(filename !== undefined ? { filename } : {}),
        record,
      });
    } else {
      declined.push({
        position: index + 1,
        reason: check.reason,
        ...(check.filename !== undefined ? { filename: check.filename } : {}),
        ...(check.maxBytes !== undefined ? { maxBytes: check.maxBytes } : {}),
      });
    }
  }
  return { files, declined };
}

/**
 * The files go on record as Attachment rows of the office's message (no complaint: they are not
 * evidence), so the citizen's web-chat history offers them and the console's timeline lists them.
 * The step's messages name the step they answer; the conversation is locked, so this is the one.
 */
async function recordFiles(ctx: CommandContext, conversationId: string, step: string, files: readonly StoredFile[]): Promise<void> {
  const message = await ctx.prisma.message.findFirst({
    where: { conversationId, direction: "out", author: "staff", replyToProviderId: step },
    orderBy: { id: "desc" },
    select: { id: true },
  });
  if (!message) return;
  for (const file of files) {
    await ctx.prisma.attachment.create({
      data: {
        id: randomUUID(),
        conversationId,
        complaintId: null,
        messageId: message.id,
        sha256: file.record.sha256,
        mime: file.mime,
        size: file.record.size,
        filename: file.filename ?? null,
        storagePath: file.record.storagePath,
        createdAt: ctx.clock(),
      },
    });
  }
}

/** Why one file was declined, naming it; the store only ever declines for these reasons (no budget, no count). */
const DECLINED_KEYS: Partial<Record<DeclinedFile["reason"], string>> = {
  tooLarge: "staff.file.declined.tooLarge",
  type: "staff.file.declined.type",
  empty: "staff.file.declined.empty",
};

function declinedText(ctx: CommandContext, file: DeclinedFile): string {
  const name = file.filename ?? ctx.t({ key: "staff.file.unnamed", vars: { position: file.position } });
  const maxMb = file.maxBytes !== undefined ? Math.round((file.maxBytes / (1024 * 1024)) * 10) / 10 : "?";
  return ctx.t({ key: DECLINED_KEYS[file.reason] ?? "staff.file.declined.other", vars: { name, maxMb } });
}
