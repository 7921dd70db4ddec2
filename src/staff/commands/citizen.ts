import type { ChannelName, Locale } from "../../core/index.js";
import { closeComplaint, complaintByTicket, conversationOfComplaint, type ComplaintRow } from "../../complaints/index.js";
import { startRating, type Reply } from "../../flow/index.js";
import type { CommandContext } from "./context.js";
import type { CommandOutcome } from "./types.js";

/** A short progress message into the citizen's conversation, in their language; false if there is none. */
export async function tellCitizen(ctx: CommandContext, complaint: ComplaintRow, reply: (locale: Locale) => Reply): Promise<boolean> {
  const conversation = await conversationOfComplaint(ctx.deps.db.prisma, complaint);
  if (!conversation) return false;
  const spoken = await ctx.deps.voice.speak(conversation.channel as ChannelName, conversation.chatId, {
    author: "bot",
    run: (state) => ({ state, replies: [reply(state.locale)], effects: [] }),
  });
  return spoken.status === "processed";
}

/** How a command closes: the event it records, the answer, and what the citizen hears before the rating question. */
export interface Closing {
  type: string;
  data: Record<string, unknown>;
  done: Reply;
  tell?: (locale: Locale) => Reply;
  /** Close only while the complaint is still on this step (the SOP's endings were checked against it). */
  onStep?: string;
}

/**
 * Closes a complaint and asks the citizen for a rating: /selesai, and the SOP's own endings
 * (/arsip, /teruskan), which name their event, may first tell the citizen something (where the
 * complaint went) and only close it while it is still on the step they were checked against.
 */
export async function closeAndAskRating(ctx: CommandContext, complaint: ComplaintRow, how: Closing): Promise<CommandOutcome> {
  const { ticket } = complaint;
  if (complaint.status === "closed") return ctx.refuse(ctx.t({ key: "staff.alreadyClosed", vars: { ticket } }));
  const db = ctx.deps.db;
  if (!(await closeComplaint(db.prisma, complaint, ctx.clock(), how.onStep))) {
    const current = await complaintByTicket(db.prisma, ticket);
    return ctx.refuse(ctx.t({ key: current?.status === "closed" ? "staff.alreadyClosed" : "staff.sop.stale", vars: { ticket } }));
  }
  await ctx.event(complaint.id, how.type, how.data);
  const conversation = await conversationOfComplaint(db.prisma, complaint);
  if (!conversation) return ctx.done(ctx.t({ key: "staff.closedNoConversation", vars: { ticket } }));
  await ctx.deps.voice.speak(conversation.channel as ChannelName, conversation.chatId, {
    author: "bot",
    run: (state) => {
      const rating = startRating(state, { complaintId: complaint.id, ticket });
      return how.tell ? { ...rating, replies: [how.tell(state.locale), ...rating.replies] } : rating;
    },
  });
  return ctx.done(ctx.t(how.done));
}
