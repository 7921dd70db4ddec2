import type { ChannelName, InboundAttachment, OutboundMessage } from "../../core/index.js";
import { channelLabel, conversationOfComplaint } from "../../complaints/index.js";
import type { Reply, TemplateValue } from "../../flow/index.js";
import { commandExample } from "../examples.js";
import type { CommandContext } from "./context.js";
import type { ComplaintCommand } from "./types.js";

type StoredFile = NonNullable<OutboundMessage["attachments"]>[number];

/** /balas (or a reply to a card): the text, and files where the citizen's channel takes them, reach the citizen. */
export const replyCommand: ComplaintCommand<"reply"> = {
  scope: "complaint",
  writes: true,
  async run(ctx, intent, complaint, request) {
    const attachments = request.files ?? [];
    if (intent.text === "" && attachments.length === 0) {
      return ctx.refuse(ctx.t({ key: "staff.needText", vars: { example: commandExample("reply") } }));
    }
    const { ticket } = complaint;
    const text = intent.text;
    const conversation = await conversationOfComplaint(ctx.deps.db.prisma, complaint);
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
    const files = attachments.length > 0 && limits.media ? await storeFiles(ctx, attachments) : [];
    const vars: Record<string, TemplateValue> = { ticket, text, files: files.length };
    const reply: Reply = text === "" && files.length > 0 ? { key: "staff.relay.files", vars } : { key: "staff.relay", vars };
    await ctx.deps.voice.speak(channel, conversation.chatId, {
      author: "staff",
      run: (state) => ({ state, replies: [reply], effects: [] }),
      ...(files.length > 0 ? { attachments: files } : {}),
    });
    await ctx.event(complaint.id, "staff.reply", { text, files: files.length, channel });
    const confirmations = [
      ctx.t({
        key: limits.delivery === "push" ? "staff.relayed.push" : "staff.relayed.pull",
        vars: { ticket, channel: channelLabel(channel) },
      }),
    ];
    if (attachments.length > 0 && !limits.media) {
      confirmations.push(ctx.t({ key: "staff.relayed.noMedia", vars: { channel: channelLabel(channel) } }));
    }
    return ctx.done(...confirmations);
  },
};

/** The staff member's files, stored so the outbox can send them on; refused ones are left out. */
async function storeFiles(ctx: CommandContext, attachments: readonly InboundAttachment[]): Promise<StoredFile[]> {
  const store = ctx.deps.storeFile;
  if (!store) return [];
  const stored: StoredFile[] = [];
  for (const attachment of attachments) {
    const file = await store(attachment);
    if (file) stored.push({ kind: file.mime.startsWith("image/") ? "image" : "document", ...file });
  }
  return stored;
}
