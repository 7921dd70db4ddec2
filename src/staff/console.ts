import { randomUUID } from "node:crypto";
import type { ChannelLimits, ChannelName, Locale, OutboundMessage, StaffAnswer, StaffMessage, StaffSink } from "../core/index.js";
import {
  applyAssign,
  applyMove,
  assignableRole,
  channelLabel,
  durationReply,
  findOverdue,
  formatDateTime,
  holderReply,
  holderRoleOf,
  staffPeople,
  staffRoles,
  stepById,
  stepLabel,
  transition,
  type LifecycleAction,
  type Refusal,
  type SopPreset,
  type SopStep,
  type StaffPerson,
} from "../complaints/index.js";
import type { Database } from "../db/index.js";
import { startRating, type IntakeState, type Reply, type StepResult, type TemplateValue } from "../flow/index.js";
import { render, type Templates } from "../i18n/index.js";
import { findStaff, mayViewIdentity, type StaffMember } from "./directory.js";
import { parseStaffMessage, type StaffIntent } from "./parse.js";

/** The pipeline's way for the office to speak into a citizen's conversation (see Pipeline.speak). */
export interface ConversationVoice {
  speak(
    channel: ChannelName,
    chatId: string,
    step: { author: "bot" | "staff"; run(state: IntakeState): StepResult; attachments?: OutboundMessage["attachments"] },
  ): Promise<{ status: "processed" | "duplicate" | "unknown" }>;
}

export interface StaffReports {
  /** The month's logbook file (FM-PDIP-03-02 columns). */
  logbook(month: string, format: "csv" | "xlsx"): Promise<{ path: string; filename: string; rows: number }>;
  /** The month's recap PDF and its headline numbers. */
  recap(
    month: string,
  ): Promise<{ path: string; filename: string; total: number; open: number; overdue: number; averageRating: number | null }>;
}

/** Stores a staff member's file so it can be sent on; undefined when it is refused (type, size). */
export type StaffFileStore = (
  attachment: StaffMessage["attachments"][number],
) => Promise<{ path: string; mime: string; filename?: string } | undefined>;

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
  /** The monthly reports, written to files for the staff chat (src/reports through src/main.ts). */
  reports?: StaffReports;
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
  stepStartedAt: Date;
  stepDueAt: Date | null;
  holderRole: string | null;
  holderStaff: string | null;
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
    (
      ({
        reply: "/balas ADU-2026-00001 Terima kasih, kami tindak lanjuti.",
        note: "/catatan ADU-2026-00001 Sudah dicek ke loket.",
        advance: "/lanjut ADU-2026-00001 sudah diklarifikasi",
        assign: "/tugaskan ADU-2026-00001 kasi",
        decide: "/putuskan ADU-2026-00001 setuju tindak lanjuti",
        forward: "/teruskan ADU-2026-00001 Dinas Pekerjaan Umum",
        archive: "/arsip ADU-2026-00001",
      }) as Partial<Record<StaffIntent["kind"], string>>
    )[intent] ?? `/${intent === "close" ? "selesai" : intent === "identity" ? "identitas" : intent} ADU-2026-00001`;
  // A step the preset lacks (SOP_PRESET changed under the complaint) still reads as words.
  const label = (step: SopStep | undefined, id: string) => (step ? step.label[settings.locale] : stepLabel(deps.sop, id)[settings.locale]);
  const people = () => staffPeople(db.prisma, settings.staffIds);

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
      data: {
        id: randomUUID(),
        complaintId,
        type,
        actor: `staff:${staff.telegramId}`,
        data: JSON.stringify({ by: staff.name, ...data }),
        createdAt: clock(),
      },
    });
  }

  async function conversationOf(complaint: ComplaintRow) {
    return db.prisma.conversation.findUnique({
      where: { id: complaint.conversationId },
      select: { channel: true, chatId: true, lastInboundAt: true },
    });
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
      return answer(
        t({ key: "staff.relay.windowClosed", vars: { ticket: complaint.ticket, channel: channelLabel(channel), hours: window.hours } }),
      );
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
    const confirmations = [
      t({
        key: limits.delivery === "push" ? "staff.relayed.push" : "staff.relayed.pull",
        vars: { ticket: complaint.ticket, channel: channelLabel(channel) },
      }),
    ];
    if (message.attachments.length > 0 && !limits.media)
      confirmations.push(t({ key: "staff.relayed.noMedia", vars: { channel: channelLabel(channel) } }));
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

  /**
   * Closes a complaint and asks the citizen for a rating: /selesai, and the SOP's own endings
   * (/arsip, /teruskan), which name their event, may first tell the citizen something (where the
   * complaint went) and only close it while it is still on the step they were checked against.
   */
  async function close(
    staff: StaffMember,
    complaint: ComplaintRow,
    how: { type: string; data: Record<string, unknown>; done: Reply; tell?: (locale: Locale) => Reply; onStep?: string } = {
      type: "staff.close",
      data: {},
      done: { key: "staff.closed", vars: { ticket: complaint.ticket } },
    },
  ): Promise<StaffAnswer> {
    if (complaint.status === "closed") return answer(t({ key: "staff.alreadyClosed", vars: { ticket: complaint.ticket } }));
    const now = clock();
    const closed = await db.prisma.complaint.updateMany({
      where: { id: complaint.id, status: { not: "closed" }, ...(how.onStep ? { sopStep: how.onStep } : {}) },
      data: { status: "closed", closedAt: now, updatedAt: now },
    });
    if (closed.count === 0) {
      const current = await complaintByTicket(complaint.ticket);
      return answer(
        t({ key: current?.status === "closed" ? "staff.alreadyClosed" : "staff.sop.stale", vars: { ticket: complaint.ticket } }),
      );
    }
    await event(complaint.id, how.type, staff, how.data);
    const conversation = await conversationOf(complaint);
    if (!conversation) return answer(t({ key: "staff.closedNoConversation", vars: { ticket: complaint.ticket } }));
    await deps.voice.speak(conversation.channel as ChannelName, conversation.chatId, {
      author: "bot",
      run: (state) => {
        const rating = startRating(state, { complaintId: complaint.id, ticket: complaint.ticket });
        return how.tell ? { ...rating, replies: [how.tell(state.locale), ...rating.replies] } : rating;
      },
    });
    return answer(t(how.done));
  }

  /** A short progress message into the citizen's conversation, in their language; false if there is none. */
  async function tellCitizen(complaint: ComplaintRow, reply: (locale: Locale) => Reply): Promise<boolean> {
    const conversation = await conversationOf(complaint);
    if (!conversation) return false;
    const spoken = await deps.voice.speak(conversation.channel as ChannelName, conversation.chatId, {
      author: "bot",
      run: (state) => ({ state, replies: [reply(state.locale)], effects: [] }),
    });
    return spoken.status === "processed";
  }

  /** The step just left, for the audit trail and time-standard compliance. */
  function stepTiming(complaint: ComplaintRow, now: Date) {
    return {
      step: complaint.sopStep,
      stepStartedAt: complaint.stepStartedAt.toISOString(),
      stepDueAt: complaint.stepDueAt?.toISOString() ?? null,
      onTime: complaint.stepDueAt ? now.getTime() <= complaint.stepDueAt.getTime() : null,
    };
  }

  function holderText(all: readonly StaffPerson[], roleId: string, staffId: string | null): string {
    return t(holderReply(deps.sop, settings.locale, all, roleId, staffId));
  }

  async function refusalText(refusal: Refusal, complaint: ComplaintRow, staff: StaffMember): Promise<string> {
    const ticket = complaint.ticket;
    const steps = (list: readonly SopStep[]) => list.map((s) => `«${s.label[settings.locale]}»`).join(", ");
    const choices = (step: SopStep) => step.branches.map((b) => `${b.id} (${b.label[settings.locale]})`).join("; ");
    switch (refusal.code) {
      case "closed":
        return t({ key: "staff.alreadyClosed", vars: { ticket } });
      case "unknownStep":
        return t({ key: "staff.sop.unknownStep", vars: { ticket, step: label(undefined, refusal.step), preset: deps.sop.file } });
      case "notAllowed": {
        const all = await people();
        const who = [
          ...(refusal.staff ? [holderText(all, holderRoleOf(deps.sop, complaint) ?? refusal.step.role, refusal.staff)] : []),
          ...refusal.allowed.map((role) => holderText(all, role, null)),
        ].join("; ");
        return t({
          key: "staff.sop.notAllowed",
          vars: { ticket, step: label(refusal.step, complaint.sopStep), allowed: who, role: staff.role },
        });
      }
      case "needChoice":
        return t({
          key: "staff.sop.needChoice",
          vars: { ticket, step: label(refusal.step, ""), choices: choices(refusal.step), branch: refusal.step.branches[0]!.id },
        });
      case "unknownChoice":
        return t({
          key: "staff.sop.unknownChoice",
          vars: {
            ticket,
            choice: refusal.choice,
            step: label(refusal.step, ""),
            choices: choices(refusal.step),
            branch: refusal.step.branches[0]!.id,
          },
        });
      case "useDecide":
        return t({ key: "staff.sop.useDecide", vars: { ticket, step: label(refusal.step, "") } });
      case "notDecision":
        return refusal.decisionSteps.length > 0
          ? t({ key: "staff.sop.notDecision", vars: { ticket, step: label(refusal.step, ""), steps: steps(refusal.decisionSteps) } })
          : t({ key: "staff.sop.noDecisionAtAll", vars: { ticket } });
      case "lastStep":
        return t({
          key: refusal.step.forward ? "staff.sop.lastStep.forward" : "staff.sop.lastStep.archive",
          vars: { ticket, step: label(refusal.step, "") },
        });
      case "notFinal":
        return t({ key: "staff.sop.notFinal", vars: { ticket, step: label(refusal.step, ""), steps: steps(refusal.finalSteps) } });
      case "noForward":
        return refusal.forwardSteps.length > 0
          ? t({ key: "staff.sop.noForward", vars: { ticket, step: label(refusal.step, ""), steps: steps(refusal.forwardSteps) } })
          : t({ key: "staff.sop.noForwardAtAll", vars: { ticket } });
    }
  }

  type LifecycleIntent = Extract<StaffIntent, { kind: "advance" | "assign" | "decide" | "forward" | "archive" }>;

  /** /lanjut, /tugaskan, /putuskan, /teruskan, /arsip: checked against the preset, then applied and audited. */
  async function lifecycle(staff: StaffMember, complaint: ComplaintRow, intent: LifecycleIntent): Promise<StaffAnswer> {
    const ticket = complaint.ticket;
    const now = clock();
    let action: LifecycleAction;
    let agency = "";
    switch (intent.kind) {
      case "advance":
        action = { type: "advance", text: intent.text };
        break;
      case "decide":
        if (!intent.decision) return answer(t({ key: "staff.sop.needDecision", vars: { ticket } }));
        // A refusal is answered to the citizen in the end: its reason must be on record.
        if (intent.decision === "reject" && intent.text === "") return answer(t({ key: "staff.sop.needReason", vars: { ticket } }));
        action = { type: "decide", decision: intent.decision, note: intent.text };
        break;
      case "archive":
        action = { type: "archive" };
        break;
      case "forward":
        if (intent.agency === "") return answer(t({ key: "staff.sop.needAgency", vars: { ticket } }));
        agency = intent.agency;
        action = { type: "forward" };
        break;
      case "assign": {
        const roles = staffRoles(deps.sop).join(", ");
        if (intent.target === "") return answer(t({ key: "staff.sop.needTarget", vars: { ticket, roles } }));
        if (/^\d+$/.test(intent.target)) {
          const person = await findStaff(db, settings.staffIds, intent.target);
          if (!person) return answer(t({ key: "staff.sop.unknownTarget", vars: { target: intent.target, roles } }));
          action = { type: "assign", role: null, staff: person.telegramId };
        } else {
          const role = assignableRole(deps.sop, intent.target);
          if (!role) return answer(t({ key: "staff.sop.unknownTarget", vars: { target: intent.target, roles } }));
          action = { type: "assign", role, staff: null };
        }
        break;
      }
    }
    const result = transition(deps.sop, complaint, staff, action, now);
    if (!result.ok) {
      if (result.refusal.code === "notAllowed") {
        // Who tried to act out of turn is part of the record, as for identity requests.
        await event(complaint.id, "sop.denied", staff, { action: action.type, step: complaint.sopStep, role: staff.role });
      }
      return answer(await refusalText(result.refusal, complaint, staff));
    }
    const who = { actor: `staff:${staff.telegramId}`, by: staff.name };
    switch (result.type) {
      case "move": {
        if (!(await applyMove(db, complaint, result, who, now))) return answer(t({ key: "staff.sop.stale", vars: { ticket } }));
        const to = result.to;
        const told = to.answer
          ? await tellCitizen(complaint, (locale) => ({ key: "citizen.sop.answer", vars: { ticket, step: to.label[locale] } }))
          : false;
        const vars = {
          ticket,
          from: label(result.from, ""),
          to: label(to, ""),
          holder: holderText(await people(), to.role, null),
          due: when(result.dueAt),
        };
        const lines = [
          result.decision
            ? t({
                key: "staff.sop.decided",
                vars: {
                  ...vars,
                  decision: { key: result.decision === "approve" ? "staff.sop.decision.approve" : "staff.sop.decision.reject" },
                },
              })
            : t({ key: "staff.sop.advanced", vars }),
        ];
        if (told) lines.push(t({ key: "staff.sop.citizenTold", vars: { ticket } }));
        return answer(lines.join("\n"));
      }
      case "assign": {
        const all = await people();
        const staffName = result.staff ? all.find((p) => p.telegramId === result.staff)?.name : undefined;
        const done = await applyAssign(
          db,
          complaint,
          { role: result.role, staff: result.staff, ...(staffName ? { staffName } : {}) },
          who,
          now,
        );
        if (!done) return answer(t({ key: "staff.sop.stale", vars: { ticket } }));
        const holder = holderText(all, result.role ?? result.step.role, result.staff);
        return answer(t({ key: "staff.sop.assigned", vars: { ticket, step: label(result.step, ""), holder } }));
      }
      case "finish": {
        const data = stepTiming(complaint, now);
        if (result.how === "archive") {
          return close(staff, complaint, {
            type: "sop.archive",
            data,
            onStep: complaint.sopStep,
            done: { key: "staff.sop.archived", vars: { ticket } },
          });
        }
        return close(staff, complaint, {
          type: "sop.forward",
          data: { ...data, agency },
          onStep: complaint.sopStep,
          tell: () => ({ key: "citizen.sop.forwarded", vars: { ticket, agency } }),
          done: { key: "staff.sop.forwarded", vars: { ticket, agency } },
        });
      }
    }
  }

  async function overdue(): Promise<StaffAnswer> {
    const now = clock();
    const rows = await findOverdue(db, now);
    if (rows.length === 0) return answer(t({ key: "staff.sop.overdue.empty" }));
    const all = await people();
    const lines = rows.slice(0, 30).map((c) =>
      t({
        key: "staff.sop.overdue.item",
        vars: {
          ticket: c.ticket,
          step: label(stepById(deps.sop, c.sopStep), c.sopStep),
          holder: holderText(all, holderRoleOf(deps.sop, c) ?? c.sopStep, c.holderStaff),
          late: t(durationReply(now.getTime() - c.stepDueAt!.getTime())),
          due: when(c.stepDueAt),
        },
      }),
    );
    const more = rows.length > 30 ? [t({ key: "staff.list.more", vars: { count: rows.length - 30 } })] : [];
    return answer([t({ key: "staff.sop.overdue.header", vars: { count: rows.length } }), ...lines, ...more].join("\n"));
  }

  async function statusText(complaint: ComplaintRow): Promise<string> {
    const step = stepById(deps.sop, complaint.sopStep);
    const status = t({
      key: "staff.status",
      vars: {
        ticket: complaint.ticket,
        kind: { key: complaint.kind === "information" ? "staff.kind.information" : "staff.kind.complaint" },
        state: { key: complaint.status === "closed" ? "staff.state.closed" : "staff.state.open" },
        category: complaint.category ?? "-",
        channel: channelLabel(complaint.channel),
        step: label(step, complaint.sopStep),
        received: when(complaint.receivedAt),
        due: when(complaint.stepDueAt),
        rating: complaint.rating === null ? "-" : `${complaint.rating}/5`,
      },
    });
    if (complaint.status === "closed" || !step) return status;
    const holder = holderText(await people(), holderRoleOf(deps.sop, complaint) ?? step.role, complaint.holderStaff);
    return `${status}\n${t({ key: "staff.status.holder", vars: { holder } })}`;
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
    // An event's data is parsed JSON: a string or a number is shown as it is, anything else as the fallback.
    const shown = (value: unknown, fallback = "-") => (typeof value === "string" || typeof value === "number" ? String(value) : fallback);
    const stepName = (id: unknown) => label(stepById(deps.sop, String(id)), shown(id));
    const events = await db.prisma.complaintEvent.findMany({
      where: { complaintId: complaint.id },
      orderBy: { createdAt: "asc" },
      take: 50,
    });
    const lines = events.map((e) => {
      const data = JSON.parse(e.data) as Record<string, unknown>;
      const who = shown(data.by, e.actor);
      const text = shown(data.text, "");
      const what: Reply =
        e.type === "received"
          ? { key: "staff.event.received", vars: { channel: channelLabel(shown(data.channel, complaint.channel)) } }
          : e.type === "citizen.followup"
            ? { key: "staff.event.followup", vars: { text } }
            : e.type === "staff.reply"
              ? { key: "staff.event.reply", vars: { who, text } }
              : e.type === "staff.note"
                ? { key: "staff.event.note", vars: { who, text } }
                : e.type === "staff.close"
                  ? { key: "staff.event.closed", vars: { who } }
                  : e.type === "rated"
                    ? { key: "staff.event.rated", vars: { score: shown(data.score) } }
                    : e.type === "staff.identity"
                      ? { key: "staff.event.identity", vars: { who } }
                      : e.type === "sop.advance"
                        ? {
                            key: "staff.event.sopAdvance",
                            vars: {
                              who,
                              from: stepName(data.from),
                              to: stepName(data.to),
                              note: data.note ? `: ${shown(data.note, "")}` : "",
                            },
                          }
                        : e.type === "sop.decided"
                          ? {
                              key: "staff.event.sopDecided",
                              vars: {
                                who,
                                decision: { key: data.decision === "reject" ? "staff.sop.decision.reject" : "staff.sop.decision.approve" },
                                to: stepName(data.to),
                                note: data.note ? `: ${shown(data.note, "")}` : "",
                              },
                            }
                          : e.type === "sop.assign"
                            ? {
                                key: "staff.event.sopAssign",
                                vars: { who, target: shown(data.staffName ?? data.staff ?? data.role) },
                              }
                            : e.type === "sop.forward"
                              ? { key: "staff.event.sopForward", vars: { who, agency: shown(data.agency) } }
                              : e.type === "sop.archive"
                                ? { key: "staff.event.sopArchive", vars: { who } }
                                : e.type === "sop.warned"
                                  ? { key: "staff.event.sopWarned", vars: { step: stepName(data.step) } }
                                  : e.type === "sop.escalated"
                                    ? { key: "staff.event.sopEscalated", vars: { step: stepName(data.step) } }
                                    : e.type === "sop.denied"
                                      ? { key: "staff.event.sopDenied", vars: { who } }
                                      : { key: "staff.event.other", vars: { type: e.type } };
      return t({ key: "staff.history.item", vars: { at: when(e.createdAt), what: { key: what.key }, ...what.vars } });
    });
    return answer([t({ key: "staff.history.header", vars: { ticket: complaint.ticket } }), ...lines].join("\n"));
  }

  async function identity(staff: StaffMember, complaint: ComplaintRow, message: StaffMessage): Promise<StaffAnswer> {
    if (message.chatKind !== "private") return answer(t({ key: "staff.identity.privateOnly", vars: { ticket: complaint.ticket } }));
    if (!mayViewIdentity(deps.sop, staff.role)) {
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

  /** The current month in the office's time zone, as YYYY-MM. */
  function currentMonth(): string {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: settings.timeZone, year: "numeric", month: "2-digit" }).formatToParts(
      clock(),
    );
    return `${parts.find((p) => p.type === "year")!.value}-${parts.find((p) => p.type === "month")!.value}`;
  }

  async function report(intent: Extract<StaffIntent, { kind: "logbook" | "recap" }>): Promise<StaffAnswer> {
    if (!deps.reports) return answer(t({ key: "staff.unknownCommand" }));
    const month = intent.month ?? currentMonth();
    if (intent.kind === "logbook") {
      const file = await deps.reports.logbook(month, intent.format ?? "xlsx");
      const mime = file.filename.endsWith(".csv") ? "text/csv" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      return {
        messages: [
          {
            text: t({ key: "staff.report.logbook", vars: { month, rows: file.rows } }),
            attachments: [{ kind: "document", mime, filename: file.filename, path: file.path }],
          },
        ],
      };
    }
    const recap = await deps.reports.recap(month);
    const rating = recap.averageRating === null ? "-" : recap.averageRating.toFixed(2);
    return {
      messages: [
        {
          text: t({ key: "staff.report.recap", vars: { month, total: recap.total, open: recap.open, overdue: recap.overdue, rating } }),
          attachments: [{ kind: "document", mime: "application/pdf", filename: recap.filename, path: recap.path }],
        },
      ],
    };
  }

  async function act(staff: StaffMember, intent: StaffIntent, message: StaffMessage): Promise<StaffAnswer> {
    if (intent.kind === "help") {
      const help = t({
        key: "staff.help",
        vars: { mode: { key: settings.replyMode === "command" ? "staff.help.modeCommand" : "staff.help.modeReply" } },
      });
      return answer(`${help}\n\n${t({ key: "staff.help.sop", vars: { preset: deps.sop.title[settings.locale] } })}`);
    }
    if (intent.kind === "list") return list();
    if (intent.kind === "overdue") return overdue();
    if (intent.kind === "logbook" || intent.kind === "recap") return report(intent);
    if (intent.kind === "unknownCommand") return answer(t({ key: "staff.unknownCommand" }));
    if (intent.kind === "chatter") return { messages: [] };

    let complaint: ComplaintRow | undefined;
    if (intent.ticket) {
      complaint = await complaintByTicket(intent.ticket);
      if (!complaint) return answer(t({ key: "staff.unknownTicket", vars: { ticket: intent.ticket } }));
    } else if (
      message.replyToMessageId &&
      intent.kind !== "status" &&
      intent.kind !== "history" &&
      intent.kind !== "identity" &&
      intent.kind !== "close"
    ) {
      // A reply to a card (or to anything threaded under it) names the complaint, for the SOP commands too.
      complaint = await complaintOfThread(message.replyToMessageId);
      if (!complaint) return answer(t({ key: "staff.replyNoTicket" }));
    } else {
      return answer(t({ key: "staff.needTicket", vars: { example: example(intent.kind) } }));
    }

    switch (intent.kind) {
      case "reply":
        if (intent.text === "" && message.attachments.length === 0)
          return answer(t({ key: "staff.needText", vars: { example: example("reply") } }));
        return relay(staff, complaint, intent.text, message);
      case "note":
        if (intent.text === "") return answer(t({ key: "staff.needText", vars: { example: example("note") } }));
        await event(complaint.id, "staff.note", staff, { text: intent.text });
        return answer(t({ key: "staff.noted", vars: { ticket: complaint.ticket } }));
      case "close":
        return close(staff, complaint);
      case "status":
        return answer(await statusText(complaint));
      case "history":
        return history(complaint);
      case "identity":
        return identity(staff, complaint, message);
      case "advance":
      case "assign":
      case "decide":
      case "forward":
      case "archive":
        return lifecycle(staff, complaint, intent);
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
      result = answer(
        t({ key: "staff.notStaff", vars: { name: message.from.name ?? message.from.username ?? message.from.id, id: message.from.id } }),
      );
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
