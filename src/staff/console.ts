import { randomUUID } from "node:crypto";
import type { ChannelLimits, ChannelName, Locale, OutboundMessage, StaffAnswer, StaffMessage, StaffSink } from "../core/index.js";
import { channelLabel, formatDateTime, stepById, type SopPreset } from "../complaints/index.js";
import type { Database } from "../db/index.js";
import { startRating, type IntakeState, type Reply, type StepResult, type TemplateValue } from "../flow/index.js";
import { render, type Templates } from "../i18n/index.js";
import { findStaff, IDENTITY_ROLES, type StaffMember } from "./directory.js";
import { parseStaffMessage, type StaffIntent } from "./parse.js";

/** The pipeline's way for the office to speak into a citizen's conversation (see Pipeline.speak). */
export interface ConversationVoice {
  speak(
    channel: ChannelName,
    chatId: string,
    step: { author: "bot" | "staff"; run(state: IntakeState): StepResult; attachments?: OutboundMessage["attachments"] },
  ): Promise<{ status: "processed" | "duplicate" | "unknown" }>;
}

/** Stores a staff member's file so it can be sent on; undefined when it is refused (type, size). */
export type StaffFileStore = (attachment: StaffMessage["attachments"][number]) => Promise<{ path: string; mime: string; filename?: string } | undefined>;

export interface StaffConsoleDeps {
  db: Database;
  voice: ConversationVoice;
  templates: Templates;
  sop: SopPreset;
  settings: {
    officeName: string;
    timeZone: string;
    /** The staff's language (the office's DEFAULT_LOCALE). */
    locale: Locale;
    replyMode: "reply" | "command";
    staffIds: readonly string[];
    /** The staff group's channel and chat: where a reply's thread is looked up. */
    opsChannel: ChannelName;
    opsChatId?: string;
  };
  limitsOf(channel: ChannelName): ChannelLimits;
  storeFile?: StaffFileStore;
  clock?: () => Date;
}

interface ComplaintRow {
  id: string;
  ticket: string;
  kind: string;
  category: string | null;
  channel: string;
  status: string;
  sopStep: string;
  receivedAt: Date;
  stepDueAt: Date | null;
  rating: number | null;
  conversationId: string;
  complainantId: string;
}

/**
 * Staff commands as plain functions of (staff member, intent): authorisation happens here, once,
 * for every front end. Every action on a complaint is a ComplaintEvent (who, what, when).
 */
export function createStaffConsole(deps: StaffConsoleDeps): StaffSink {
  const { db, settings } = deps;
  const clock = deps.clock ?? (() => new Date());
  const t = (reply: Reply) => render(deps.templates, settings.locale, reply, { office: settings.officeName }).text;
  const answer = (...texts: string[]): StaffAnswer => ({ messages: texts.map((text) => ({ text })) });
  const when = (d: Date | null) => (d ? formatDateTime(d, settings.locale, settings.timeZone) : "-");
  const example = (intent: StaffIntent["kind"]) =>
    ({ reply: "/balas ADU-2026-00001 Terima kasih, kami tindak lanjuti.", note: "/catatan ADU-2026-00001 Sudah dicek ke loket." })[
      intent as "reply" | "note"
    ] ?? `/${intent === "close" ? "selesai" : intent === "identity" ? "identitas" : intent} ADU-2026-00001`;

  async function complaintByTicket(ticket: string): Promise<ComplaintRow | undefined> {
    return (await db.prisma.complaint.findUnique({ where: { ticket } })) ?? undefined;
  }

  /** The complaint a Telegram reply is about: the bot message it answers carries the complaint. */
  async function complaintOfThread(replyToMessageId: string): Promise<ComplaintRow | undefined> {
    if (!settings.opsChatId) return undefined;
    const row = await db.prisma.outboxMessage.findFirst({
      where: { channel: settings.opsChannel, chatId: settings.opsChatId, providerMessageId: replyToMessageId, complaintId: { not: null } },
      select: { complaintId: true },
    });
    return row?.complaintId ? ((await db.prisma.complaint.findUnique({ where: { id: row.complaintId } })) ?? undefined) : undefined;
  }

  async function event(complaintId: string, type: string, staff: StaffMember, data: Record<string, unknown>): Promise<void> {
    await db.prisma.complaintEvent.create({
      data: { id: randomUUID(), complaintId, type, actor: `staff:${staff.telegramId}`, data: JSON.stringify({ by: staff.name, ...data }), createdAt: clock() },
    });
  }

  async function conversationOf(complaint: ComplaintRow) {
    return db.prisma.conversation.findUnique({ where: { id: complaint.conversationId }, select: { channel: true, chatId: true, lastInboundAt: true } });
  }

  async function relay(staff: StaffMember, complaint: ComplaintRow, text: string, message: StaffMessage): Promise<StaffAnswer> {
    const conversation = await conversationOf(complaint);
    if (!conversation) return answer(t({ key: "staff.closedNoConversation", vars: { ticket: complaint.ticket } }));
    const channel = conversation.channel as ChannelName;
    const limits = deps.limitsOf(channel);
    const window = limits.replyWindow;
    const quietHours = conversation.lastInboundAt ? (clock().getTime() - conversation.lastInboundAt.getTime()) / 3_600_000 : 0;
    if (window && window.outside === "none" && quietHours > window.hours) {
      // Said now, not after a refusal from the provider: staff can reach the person another way.
      await event(complaint.id, "staff.replyUndeliverable", staff, { text, channel, reason: `outside the ${window.hours}-hour window` });
      return answer(t({ key: "staff.relay.windowClosed", vars: { ticket: complaint.ticket, channel: channelLabel(channel), hours: window.hours } }));
    }
    const files = message.attachments.length > 0 && limits.media && deps.storeFile ? await storeFiles(message) : [];
    const vars: Record<string, TemplateValue> = { ticket: complaint.ticket, text, files: files.length };
    const reply: Reply = text === "" && files.length > 0 ? { key: "staff.relay.files", vars } : { key: "staff.relay", vars };
    await deps.voice.speak(channel, conversation.chatId, {
      author: "staff",
      run: (state) => ({ state, replies: [reply], effects: [] }),
      ...(files.length > 0 ? { attachments: files } : {}),
    });
    await event(complaint.id, "staff.reply", staff, { text, files: files.length, channel });
    const confirmations = [t({ key: limits.delivery === "push" ? "staff.relayed.push" : "staff.relayed.pull", vars: { ticket: complaint.ticket, channel: channelLabel(channel) } })];
    if (message.attachments.length > 0 && !limits.media) confirmations.push(t({ key: "staff.relayed.noMedia", vars: { channel: channelLabel(channel) } }));
    return answer(...confirmations);
  }

  async function storeFiles(message: StaffMessage) {
    const stored = [];
    for (const attachment of message.attachments) {
      const file = await deps.storeFile!(attachment);
      if (file) stored.push({ kind: file.mime.startsWith("image/") ? ("image" as const) : ("document" as const), ...file });
    }
    return stored;
  }

  async function close(staff: StaffMember, complaint: ComplaintRow): Promise<StaffAnswer> {
    if (complaint.status === "closed") return answer(t({ key: "staff.alreadyClosed", vars: { ticket: complaint.ticket } }));
    const now = clock();
    const closed = await db.prisma.complaint.updateMany({ where: { id: complaint.id, status: { not: "closed" } }, data: { status: "closed", closedAt: now, updatedAt: now } });
    if (closed.count === 0) return answer(t({ key: "staff.alreadyClosed", vars: { ticket: complaint.ticket } }));
    await event(complaint.id, "staff.close", staff, {});
    const conversation = await conversationOf(complaint);
    if (!conversation) return answer(t({ key: "staff.closedNoConversation", vars: { ticket: complaint.ticket } }));
    await deps.voice.speak(conversation.channel as ChannelName, conversation.chatId, {
      author: "bot",
      run: (state) => startRating(state, { complaintId: complaint.id, ticket: complaint.ticket }),
    });
    return answer(t({ key: "staff.closed", vars: { ticket: complaint.ticket } }));
  }

  function statusText(complaint: ComplaintRow): string {
    const step = stepById(deps.sop, complaint.sopStep);
    return t({
      key: "staff.status",
      vars: {
        ticket: complaint.ticket,
        kind: { key: complaint.kind === "information" ? "staff.kind.information" : "staff.kind.complaint" },
        state: { key: complaint.status === "closed" ? "staff.state.closed" : "staff.state.open" },
        category: complaint.category ?? "-",
        channel: channelLabel(complaint.channel),
        step: step ? step.label[settings.locale] : complaint.sopStep,
        received: when(complaint.receivedAt),
        due: when(complaint.stepDueAt),
        rating: complaint.rating === null ? "-" : `${complaint.rating}/5`,
      },
    });
  }

  function age(from: Date, now: Date): Reply {
    const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
    if (minutes < 60) return { key: "staff.age.minutes", vars: { n: minutes } };
    if (minutes < 48 * 60) return { key: "staff.age.hours", vars: { n: Math.round(minutes / 60) } };
    return { key: "staff.age.days", vars: { n: Math.round(minutes / 1440) } };
  }

  async function list(): Promise<StaffAnswer> {
    const now = clock();
    const open = await db.prisma.complaint.findMany({ where: { status: { not: "closed" } }, orderBy: { receivedAt: "asc" }, take: 31 });
    if (open.length === 0) return answer(t({ key: "staff.list.empty" }));
    const total = await db.prisma.complaint.count({ where: { status: { not: "closed" } } });
    const lines = open.slice(0, 30).map((c) =>
      t({
        key: "staff.list.item",
        vars: {
          ticket: c.ticket,
          category: c.category ?? "-",
          channel: channelLabel(c.channel),
          age: t(age(c.receivedAt, now)),
          due: when(c.stepDueAt),
          overdue: c.stepDueAt && c.stepDueAt < now ? { key: "staff.list.overdue" } : "",
        },
      }),
    );
    const more = total > 30 ? [t({ key: "staff.list.more", vars: { count: total - 30 } })] : [];
    return answer([t({ key: "staff.list.header", vars: { count: total } }), ...lines, ...more].join("\n"));
  }

  async function history(complaint: ComplaintRow): Promise<StaffAnswer> {
    const events = await db.prisma.complaintEvent.findMany({ where: { complaintId: complaint.id }, orderBy: { createdAt: "asc" }, take: 50 });
    const lines = events.map((e) => {
      const data = JSON.parse(e.data) as Record<string, unknown>;
      const who = String(data.by ?? e.actor);
      const text = String(data.text ?? "");
      const what: Reply =
        e.type === "received" ? { key: "staff.event.received", vars: { channel: channelLabel(String(data.channel ?? complaint.channel)) } }
        : e.type === "citizen.followup" ? { key: "staff.event.followup", vars: { text } }
        : e.type === "staff.reply" ? { key: "staff.event.reply", vars: { who, text } }
        : e.type === "staff.note" ? { key: "staff.event.note", vars: { who, text } }
        : e.type === "staff.close" ? { key: "staff.event.closed", vars: { who } }
        : e.type === "rated" ? { key: "staff.event.rated", vars: { score: String(data.score ?? "-") } }
        : e.type === "staff.identity" ? { key: "staff.event.identity", vars: { who } }
        : { key: "staff.event.other", vars: { type: e.type } };
      return t({ key: "staff.history.item", vars: { at: when(e.createdAt), what: { key: what.key } , ...what.vars } });
    });
    return answer([t({ key: "staff.history.header", vars: { ticket: complaint.ticket } }), ...lines].join("\n"));
  }

  async function identity(staff: StaffMember, complaint: ComplaintRow, message: StaffMessage): Promise<StaffAnswer> {
    if (message.chatKind !== "private") return answer(t({ key: "staff.identity.privateOnly", vars: { ticket: complaint.ticket } }));
    if (!IDENTITY_ROLES.has(staff.role)) {
      // A refused attempt is audited too: who tried to see whom matters as much as who saw.
      await event(complaint.id, "staff.identityDenied", staff, { chat: message.chatId, role: staff.role });
      return answer(t({ key: "staff.identity.notAllowed", vars: { role: staff.role } }));
    }
    const person = await db.prisma.complainant.findUnique({ where: { id: complaint.complainantId }, include: { identities: true } });
    await event(complaint.id, "staff.identity", staff, { chat: message.chatId });
    if (!person || person.anonymous) return answer(t({ key: "staff.identity.anonymous", vars: { ticket: complaint.ticket } }));
    return answer(
      t({
        key: "staff.identity",
        vars: {
          ticket: complaint.ticket,
          name: person.name ?? "-",
          email: person.email ?? "-",
          phone: person.phone ?? "-",
          address: person.address ?? "-",
          accounts: person.identities.map((i) => `${i.channel}:${i.externalId}`).join(", ") || "-",
        },
      }),
    );
  }

  async function act(staff: StaffMember, intent: StaffIntent, message: StaffMessage): Promise<StaffAnswer> {
    if (intent.kind === "help") {
      return answer(t({ key: "staff.help", vars: { mode: { key: settings.replyMode === "command" ? "staff.help.modeCommand" : "staff.help.modeReply" } } }));
    }
    if (intent.kind === "list") return list();
    if (intent.kind === "unknownCommand") return answer(t({ key: "staff.unknownCommand" }));
    if (intent.kind === "chatter") return { messages: [] };

    let complaint: ComplaintRow | undefined;
    if (intent.ticket) {
      complaint = await complaintByTicket(intent.ticket);
      if (!complaint) return answer(t({ key: "staff.unknownTicket", vars: { ticket: intent.ticket } }));
    } else if (message.replyToMessageId && (intent.kind === "reply" || intent.kind === "note")) {
      complaint = await complaintOfThread(message.replyToMessageId);
      if (!complaint) return answer(t({ key: "staff.replyNoTicket" }));
    } else {
      return answer(t({ key: "staff.needTicket", vars: { example: example(intent.kind) } }));
    }

    switch (intent.kind) {
      case "reply":
        if (intent.text === "" && message.attachments.length === 0) return answer(t({ key: "staff.needText", vars: { example: example("reply") } }));
        return relay(staff, complaint, intent.text, message);
      case "note":
        if (intent.text === "") return answer(t({ key: "staff.needText", vars: { example: example("note") } }));
        await event(complaint.id, "staff.note", staff, { text: intent.text });
        return answer(t({ key: "staff.noted", vars: { ticket: complaint.ticket } }));
      case "close":
        return close(staff, complaint);
      case "status":
        return answer(statusText(complaint));
      case "history":
        return history(complaint);
      case "identity":
        return identity(staff, complaint, message);
    }
  }

  return async (message) => {
    const key = `staff:${message.updateId}`;
    // A redelivered update (restart, webhook retry) is answered by nothing: it was acted on once.
    if (await db.prisma.processedUpdate.findUnique({ where: { key } })) return { messages: [] };
    const intent = parseStaffMessage(message, settings.replyMode);
    if (intent.kind === "chatter") return { messages: [] };
    const staff = await findStaff(db, settings.staffIds, message.from.id);
    let result: StaffAnswer;
    if (!staff) {
      result = answer(t({ key: "staff.notStaff", vars: { name: message.from.name ?? message.from.username ?? message.from.id, id: message.from.id } }));
    } else if (message.chatKind === "other" || (message.chatKind === "private" && intent.kind !== "identity" && intent.kind !== "help")) {
      // Commands from anywhere but the staff group never act on complaints (identity is the one
      // that must be private).
      result = answer(t({ key: "staff.wrongChat" }));
    } else {
      result = await act(staff, intent, message);
    }
    await db.prisma.processedUpdate.create({ data: { key, createdAt: clock() } }).catch(() => undefined);
    if (message.callbackData) return { ...result, callbackNotice: result.messages[0]?.text.slice(0, 190) };
    return result;
  };
}
