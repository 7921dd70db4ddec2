import { randomUUID } from "node:crypto";
import type { ChannelName, InboundMessage, Locale, OutboundMessage } from "../core/index.js";
import {
  allocateTickets,
  cardButtons,
  cardReply,
  dueAt,
  firstStep,
  followUpReply,
  ratedReply,
  resolveComplainant,
  statusReply,
} from "../complaints/index.js";
import { jsonListSubquery, newOutboxId, type SqlRunner } from "../db/index.js";
import {
  admitFiles,
  initialState,
  step,
  type Effect,
  type FlowAttachment,
  type IntakeState,
  type Reply,
  type StepResult,
  type TemplateValue,
} from "../flow/index.js";
import { render } from "../i18n/index.js";
import type { AttachmentCheck } from "../storage/index.js";
import { BatchWrites } from "./batch-writes.js";
import { fileOutcomes, settleFiles } from "./file-intake.js";
import { flowContext } from "./flow-context.js";
import type { PipelineDeps, ReceiveResult, StepJob } from "./types.js";

interface LiveConversation {
  id: string;
  channel: ChannelName;
  chatId: string;
  senderId: string;
  state: IntakeState | undefined;
  lastInboundAt: Date;
  createdAt: Date;
}

const keyOf = (channel: string, id: string) => `${channel}\u0000${id}`;

/**
 * Processes many citizens' messages in one transaction: dedupe, load conversations, run the flow,
 * apply its effects, write state + messages + complaints + outbox rows. A crash before COMMIT
 * loses the whole batch, which the channels redeliver (or the web client resends): a step is
 * never half done.
 */
export async function processStepBatch(deps: PipelineDeps, jobs: StepJob[]): Promise<{ results: ReceiveResult[]; outboxRows: number }> {
  const now = (deps.clock ?? (() => new Date()))();
  return deps.db.prisma.$transaction(
    async (tx) => {
      const sql = deps.db.sql.within(tx);
      if (sql.provider === "sqlite") {
        // Take SQLite's write lock before reading: a deferred transaction that reads first and
        // writes later fails with SQLITE_BUSY instead of waiting when another process wrote meanwhile.
        await sql.execute(`UPDATE "TicketCounter" SET "value" = "value" WHERE "key" = ?`, ["#lock"]);
      }
      const seen = await findProcessed(
        sql,
        jobs.map((j) => j.inbound),
      );
      const conversations = await loadConversations(
        sql,
        jobs.map((j) => j.inbound),
      );
      const writes = new BatchWrites();
      const results = new Array<ReceiveResult>(jobs.length);
      const firstInBatch = new Map<string, number>();
      const knownComplainants = new Map<string, string>();
      const attachmentLinks = new Map<string, string>();
      const attachmentsInserted = new Set<string>();

      // Phase 1: the flow, in memory. The batcher gives each conversation at most one job per batch.
      const stepped: {
        index: number;
        job: StepJob;
        conversation: LiveConversation;
        outcome: StepResult;
        /** The message's files as the flow saw them, and as stored (accepted ones have a file on disk). */
        files: FlowAttachment[];
        stored: AttachmentCheck[];
      }[] = [];
      for (const [index, job] of jobs.entries()) {
        const { inbound } = job;
        const messageKey = keyOf(inbound.channel, inbound.providerMessageId);
        const earlier = seen.get(messageKey);
        if (earlier) {
          results[index] = {
            status: "duplicate",
            conversationId: earlier,
            replies: await storedReplies(sql, earlier, inbound.providerMessageId),
          };
          continue;
        }
        if (firstInBatch.has(messageKey)) continue; // answered after phase 3, as a copy of its twin
        if (job.existingOnly && !conversations.has(keyOf(inbound.channel, inbound.chatId))) {
          results[index] = { status: "unknown", conversationId: "", replies: [] };
          continue;
        }
        firstInBatch.set(messageKey, index);
        const conversation = liveConversation(conversations, inbound, now);
        const startState = conversation.state ?? initialState(inbound.localeHint ?? deps.settings.defaultLocale);
        const text = inbound.text ?? "";
        // The budget and the complaint's file count again, now that the conversation is locked.
        const settled = await settleFiles(deps, sql, conversation.id, startState, text, job.attachments, flowContext(deps, inbound));
        const ctx = flowContext(deps, inbound, settled.filesOnComplaint);
        const files = admitFiles(startState, { text, attachments: settled.checks.map(toFlowAttachment) }, ctx, deps.settings.defaultLocale);
        const outcome = job.system
          ? job.system.run(startState)
          : step(startState, { text, attachments: files }, ctx, deps.settings.defaultLocale);
        stepped.push({ index, job, conversation, outcome, files, stored: settled.checks });
      }

      // Phase 2: all the tickets this batch needs, in one statement.
      const creates = stepped.reduce((n, s) => n + s.outcome.effects.filter((e) => e.type === "createComplaint").length, 0);
      const tickets = await allocateTickets(sql, deps.settings.ticketPrefix, yearIn(now, deps.settings.timeZone), creates);

      // Phase 3: effects, rendering, rows.
      for (const { index, job, conversation, outcome, files, stored } of stepped) {
        const { inbound } = job;
        const state = outcome.state;
        const locale = state.locale;
        const effectVars: Record<string, TemplateValue> = {};
        const effectReplies: Reply[] = [];
        for (const effect of outcome.effects) {
          await applyEffect(deps, sql, writes, effect, {
            inbound,
            conversation,
            state,
            locale,
            now,
            vars: effectVars,
            replies: effectReplies,
            attachmentLinks,
            knownComplainants,
            tickets,
          });
        }

        conversation.state = state;
        if (!job.system) {
          // The 24-hour windows of the Meta channels count from the citizen's last message, not ours.
          conversation.lastInboundAt = inbound.receivedAt;
          conversation.senderId = inbound.sender.id;
        }

        const globals = { office: deps.settings.officeName };
        const replies: OutboundMessage[] = [...effectReplies, ...outcome.replies].map((reply) =>
          render(deps.templates, locale, { ...reply, vars: { ...effectVars, ...reply.vars } }, globals),
        );
        const complaintId = state.filed?.complaintId ?? null;

        // A row only for a file the flow took (into the draft or a complaint): one it refused stays
        // an unreferenced file on disk, which the sweep removes.
        const taken = takenFiles(outcome);
        for (const check of stored) {
          if (!check.accepted || !taken.has(check.stored.id)) continue;
          const s = check.stored;
          attachmentsInserted.add(s.id);
          writes.add("attachment", [
            s.id,
            conversation.id,
            attachmentLinks.get(s.id) ?? null,
            s.sha256,
            s.mime,
            s.size,
            s.filename ?? null,
            s.storagePath,
            now,
          ]);
        }
        if (!job.opening && !job.system) {
          writes.add("message", [
            conversation.id,
            inbound.channel,
            inbound.providerMessageId,
            "in",
            "citizen",
            inboundText(deps, inbound, files, locale),
            null,
            complaintId,
            null,
            inbound.receivedAt,
          ]);
        }
        const limits = deps.limitsOf(inbound.channel);
        const push = limits.delivery === "push";
        const author = job.system?.author ?? "bot";
        for (const reply of replies) {
          const options = reply.options && reply.options.length > 0 ? JSON.stringify(reply.options) : null;
          writes.add("message", [
            conversation.id,
            inbound.channel,
            null,
            "out",
            author,
            reply.text,
            options,
            complaintId,
            inbound.providerMessageId,
            now,
          ]);
        }
        const deliveries = limits.oneMessagePerStep && replies.length > 1 ? [joinReplies(replies)] : replies;
        for (const reply of deliveries) {
          if (push) {
            const payload: OutboundMessage = {
              ...reply,
              lastInboundAt: conversation.lastInboundAt.toISOString(),
              ...(state.filed ? { ticket: state.filed.ticket } : {}),
              ...(job.system?.attachments ? { attachments: job.system.attachments } : {}),
            };
            writes.add("outbox", [
              newOutboxId(now.getTime()),
              inbound.channel,
              inbound.chatId,
              conversation.id,
              complaintId,
              "reply",
              JSON.stringify(payload),
              "pending",
              0,
              now,
              now,
              now,
            ]);
          }
        }
        results[index] = {
          status: "processed",
          conversationId: conversation.id,
          replies,
          ...(files.length > 0 ? { files: fileOutcomes(files, taken) } : {}),
        };
      }
      jobs.forEach((job, index) => {
        results[index] ??= {
          ...results[firstInBatch.get(keyOf(job.inbound.channel, job.inbound.providerMessageId))!]!,
          status: "duplicate",
        };
      });

      for (const c of conversations.values()) {
        if (!c.state) continue;
        writes.add("conversation", [
          c.id,
          c.channel,
          c.chatId,
          c.senderId,
          c.state.locale,
          c.state.step,
          JSON.stringify(c.state),
          c.state.filed?.complaintId ?? null,
          c.lastInboundAt,
          c.createdAt,
          now,
        ]);
      }
      await writes.flush(sql);
      await linkEarlierAttachments(sql, attachmentLinks, attachmentsInserted);
      return { results, outboxRows: writes.count("outbox") };
    },
    // Waiting for SQLite's lock behind another process can take a while; a batch itself is short.
    { maxWait: 30_000, timeout: 60_000 },
  );
}

interface EffectScope {
  inbound: InboundMessage;
  conversation: LiveConversation;
  state: IntakeState;
  locale: Locale;
  now: Date;
  vars: Record<string, TemplateValue>;
  replies: Reply[];
  attachmentLinks: Map<string, string>;
  knownComplainants: Map<string, string>;
  /** Tickets reserved for this batch's new complaints, taken in order. */
  tickets: string[];
}

async function applyEffect(deps: PipelineDeps, sql: SqlRunner, writes: BatchWrites, effect: Effect, scope: EffectScope): Promise<void> {
  const { inbound, conversation, now } = scope;
  switch (effect.type) {
    case "createComplaint": {
      const year = yearIn(now, deps.settings.timeZone);
      const ticket = scope.tickets.shift();
      const who = await resolveComplainant(
        sql,
        effect.draft,
        {
          channel: inbound.channel,
          externalId: inbound.sender.id,
          displayName: inbound.sender.displayName,
          phone: inbound.sender.phone,
          email: inbound.sender.email,
        },
        now,
        scope.knownComplainants,
      );
      if (who.insert) {
        writes.add("complainant", who.insert.complainant);
        if (who.insert.identity) writes.add("identity", who.insert.identity);
      }
      const id = randomUUID();
      const sopStep = firstStep(deps.sop);
      writes.add("complaint", [
        id,
        ticket!,
        year,
        Number(ticket!.split("-").at(-1)),
        effect.kind,
        effect.draft.category ?? null,
        effect.draft.text ?? "",
        inbound.channel,
        "open",
        sopStep.id,
        now,
        dueAt(sopStep, now),
        who.complainantId,
        conversation.id,
        inbound.receivedAt,
        now,
        now,
      ]);
      writes.add("event", [
        randomUUID(),
        id,
        "received",
        "citizen",
        JSON.stringify({ channel: inbound.channel, kind: effect.kind, attachments: effect.draft.attachmentIds.length }),
        now,
      ]);
      if (deps.staffFeed) {
        const view = { locale: deps.staffFeed.locale, timeZone: deps.settings.timeZone, replyMode: deps.staffFeed.replyMode };
        const card = cardReply(
          {
            kind: effect.kind,
            ticket: ticket!,
            category: effect.draft.category ?? null,
            channel: inbound.channel,
            receivedAt: inbound.receivedAt,
            step: sopStep,
            dueAt: dueAt(sopStep, now),
            name: effect.draft.name,
            anonymous: effect.draft.anonymous === true,
            evidence: effect.draft.attachmentIds.length,
            text: effect.draft.text ?? "",
          },
          view,
        );
        queueForStaff(deps, writes, now, { kind: "card", complaintId: id, reply: card, buttons: cardButtons(ticket!) });
      }
      linkAttachments(scope, effect.draft.attachmentIds, id);
      scope.state.filed = { complaintId: id, ticket: ticket! };
      scope.vars.ticket = ticket!;
      return;
    }
    case "appendToComplaint": {
      writes.add("event", [
        randomUUID(),
        effect.complaintId,
        "citizen.followup",
        "citizen",
        JSON.stringify({ text: effect.text, attachmentIds: effect.attachmentIds, providerMessageId: inbound.providerMessageId }),
        now,
      ]);
      linkAttachments(scope, effect.attachmentIds, effect.complaintId);
      if (scope.state.filed?.complaintId === effect.complaintId) {
        scope.vars.ticket = scope.state.filed.ticket;
        const reply = followUpReply(scope.state.filed.ticket, effect.text, effect.attachmentIds.length);
        queueForStaff(deps, writes, now, { kind: "staff", complaintId: effect.complaintId, reply, threadOf: effect.complaintId });
      }
      return;
    }
    case "reportStatus": {
      const reply = await statusReply(
        sql,
        effect.ticket,
        { conversationId: conversation.id, channel: inbound.channel, senderId: inbound.sender.id },
        { sop: deps.sop, locale: scope.locale, timeZone: deps.settings.timeZone },
      );
      scope.replies.push(reply);
      return;
    }
    case "setCategory": {
      // The citizen corrected the category guessed from their e-mail.
      await sql.execute(`UPDATE "Complaint" SET "category" = ?, "updatedAt" = ? WHERE "id" = ?`, [
        effect.category,
        now,
        effect.complaintId,
      ]);
      writes.add("event", [
        randomUUID(),
        effect.complaintId,
        "citizen.category",
        "citizen",
        JSON.stringify({ category: effect.category }),
        now,
      ]);
      if (scope.state.filed?.complaintId === effect.complaintId) scope.vars.ticket = scope.state.filed.ticket;
      return;
    }
    case "setName": {
      // Never names an anonymous complaint's reporter: that one chose not to be known.
      await sql.execute(
        `UPDATE "Complainant" SET "name" = ?, "updatedAt" = ?
          WHERE "anonymous" = ? AND "id" = (SELECT "complainantId" FROM "Complaint" WHERE "id" = ?)`,
        [effect.name, now, false, effect.complaintId],
      );
      writes.add("event", [randomUUID(), effect.complaintId, "citizen.name", "citizen", JSON.stringify({}), now]);
      if (scope.state.filed?.complaintId === effect.complaintId) scope.vars.ticket = scope.state.filed.ticket;
      return;
    }
    case "storeRating": {
      await sql.execute(`UPDATE "Complaint" SET "rating" = ?, "ratingComment" = ?, "updatedAt" = ? WHERE "id" = ?`, [
        effect.score,
        effect.comment ?? null,
        now,
        effect.complaintId,
      ]);
      writes.add("event", [
        randomUUID(),
        effect.complaintId,
        "rated",
        "citizen",
        JSON.stringify({ score: effect.score, comment: effect.comment ?? null }),
        now,
      ]);
      const rows = await sql.query<{ ticket: string }>(`SELECT "ticket" FROM "Complaint" WHERE "id" = ?`, [effect.complaintId]);
      if (rows[0]) {
        scope.vars.ticket = rows[0].ticket;
        const reply = ratedReply(rows[0].ticket, effect.score, effect.comment);
        queueForStaff(deps, writes, now, { kind: "staff", complaintId: effect.complaintId, reply, threadOf: effect.complaintId });
      }
      return;
    }
  }
}

/** One step's replies as one message, for channels where each message is a letter (e-mail). */
function joinReplies(replies: OutboundMessage[]): OutboundMessage {
  const options = replies.at(-1)!.options;
  return { text: replies.map((r) => r.text).join("\n\n"), ...(options ? { options } : {}) };
}

/** A card or notice for the staff feed, written in the same transaction as what it reports. */
function queueForStaff(
  deps: PipelineDeps,
  writes: BatchWrites,
  now: Date,
  item: { kind: "card" | "staff"; complaintId: string; reply: Reply; buttons?: { labelKey: string; data: string }[][]; threadOf?: string },
): void {
  const feed = deps.staffFeed;
  if (!feed) return;
  const globals = { office: deps.settings.officeName };
  const message = render(deps.templates, feed.locale, item.reply, globals);
  const buttons = item.buttons?.map((row) =>
    row.map((b) => ({ label: render(deps.templates, feed.locale, { key: b.labelKey }, globals).text, data: b.data })),
  );
  const payload = { text: message.text, ...(buttons ? { buttons } : {}), ...(item.threadOf ? { threadOf: item.threadOf } : {}) };
  writes.add("outbox", [
    newOutboxId(now.getTime()),
    feed.channel,
    feed.chatId,
    null,
    item.complaintId,
    item.kind,
    JSON.stringify(payload),
    "pending",
    0,
    now,
    now,
    now,
  ]);
}

/**
 * Files sent with this very message are linked as their rows are inserted; files from earlier
 * messages are updated after the flush, once the complaint row they point to exists.
 */
function linkAttachments(scope: EffectScope, ids: string[], complaintId: string): void {
  for (const id of ids) scope.attachmentLinks.set(id, complaintId);
}

async function linkEarlierAttachments(sql: SqlRunner, links: Map<string, string>, insertedNow: Set<string>): Promise<void> {
  const byComplaint = new Map<string, string[]>();
  for (const [attachmentId, complaintId] of links) {
    if (insertedNow.has(attachmentId)) continue;
    byComplaint.set(complaintId, [...(byComplaint.get(complaintId) ?? []), attachmentId]);
  }
  for (const [complaintId, ids] of byComplaint) {
    await sql.execute(`UPDATE "Attachment" SET "complaintId" = ? WHERE "id" IN ${jsonListSubquery(sql.provider)}`, [
      complaintId,
      JSON.stringify(ids),
    ]);
  }
}

function toFlowAttachment(check: AttachmentCheck): FlowAttachment {
  if (check.accepted) return { accepted: true, id: check.stored.id, filename: check.stored.filename, mime: check.stored.mime };
  return { accepted: false, reason: check.reason, filename: check.filename, ...(check.mime !== undefined ? { mime: check.mime } : {}) };
}

/** The ids of the files a step kept: in the draft, or in a complaint it filed or added to. */
function takenFiles(outcome: StepResult): Set<string> {
  const taken = new Set(outcome.state.draft.attachmentIds);
  for (const effect of outcome.effects) {
    if (effect.type === "createComplaint") effect.draft.attachmentIds.forEach((id) => taken.add(id));
    if (effect.type === "appendToComplaint") effect.attachmentIds.forEach((id) => taken.add(id));
  }
  return taken;
}

/** File names the history line of one message lists at most (a mail may carry hundreds). */
const HISTORY_FILE_NAMES = 10;

/** What the history shows for a message: its text, or the (cleaned) names of the files it carried. */
function inboundText(deps: PipelineDeps, inbound: InboundMessage, files: readonly FlowAttachment[], locale: Locale): string {
  if (inbound.text && inbound.text.trim() !== "") return inbound.text;
  if (files.length === 0) return "";
  const unnamed = render(deps.templates, locale, { key: "file.unnamed" }, {}).text;
  const names = files.slice(0, HISTORY_FILE_NAMES).map((f) => f.filename ?? f.mime ?? unnamed);
  const more = files.length > HISTORY_FILE_NAMES ? [`+${files.length - HISTORY_FILE_NAMES}`] : [];
  return render(deps.templates, locale, { key: "history.attachment", vars: { files: [...names, ...more].join(", ") } }, {}).text;
}

const yearFormats = new Map<string, Intl.DateTimeFormat>();

/** The ticket year is the office's calendar year; building a formatter is costly, so keep one per zone. */
function yearIn(date: Date, timeZone: string): number {
  let format = yearFormats.get(timeZone);
  if (!format) yearFormats.set(timeZone, (format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric" })));
  return Number(format.format(date));
}

async function findProcessed(sql: SqlRunner, inbound: InboundMessage[]): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  for (const [channel, ids] of groupBy(
    inbound,
    (m) => m.channel,
    (m) => m.providerMessageId,
  )) {
    const rows = await sql.query<{ providerMessageId: string; conversationId: string }>(
      `SELECT "providerMessageId", "conversationId" FROM "Message" WHERE "channel" = ? AND "providerMessageId" IN ${jsonListSubquery(sql.provider)}`,
      [channel, JSON.stringify(ids)],
    );
    for (const row of rows) seen.set(keyOf(channel, row.providerMessageId), row.conversationId);
  }
  return seen;
}

async function loadConversations(sql: SqlRunner, inbound: InboundMessage[]): Promise<Map<string, LiveConversation>> {
  const found = new Map<string, LiveConversation>();
  // PostgreSQL: lock the rows, so two instances never step the same conversation at once.
  const lock = sql.provider === "postgresql" ? " FOR UPDATE" : "";
  for (const [channel, chatIds] of groupBy(
    inbound,
    (m) => m.channel,
    (m) => m.chatId,
  )) {
    const rows = await sql.query<{
      id: string;
      chatId: string;
      senderId: string | null;
      state: string;
      lastInboundAt: Date | null;
      createdAt: Date;
    }>(
      `SELECT "id", "chatId", "senderId", "state", "lastInboundAt", "createdAt" FROM "Conversation" WHERE "channel" = ? AND "chatId" IN ${jsonListSubquery(sql.provider)}${lock}`,
      [channel, JSON.stringify(chatIds)],
    );
    for (const row of rows) {
      found.set(keyOf(channel, row.chatId), {
        id: row.id,
        channel,
        chatId: row.chatId,
        senderId: row.senderId ?? "",
        state: JSON.parse(row.state) as IntakeState,
        lastInboundAt: row.lastInboundAt ?? row.createdAt,
        createdAt: row.createdAt,
      });
    }
  }
  return found;
}

function liveConversation(conversations: Map<string, LiveConversation>, inbound: InboundMessage, now: Date): LiveConversation {
  const key = keyOf(inbound.channel, inbound.chatId);
  let conversation = conversations.get(key);
  if (!conversation) {
    conversation = {
      id: randomUUID(),
      channel: inbound.channel,
      chatId: inbound.chatId,
      senderId: inbound.sender.id,
      state: undefined,
      lastInboundAt: now,
      createdAt: now,
    };
    conversations.set(key, conversation);
  }
  return conversation;
}

async function storedReplies(sql: SqlRunner, conversationId: string, providerMessageId: string): Promise<OutboundMessage[]> {
  const rows = await sql.query<{ text: string; options: string | null }>(
    `SELECT "text", "options" FROM "Message" WHERE "conversationId" = ? AND "replyToProviderId" = ? AND "direction" = 'out' ORDER BY "id"`,
    [conversationId, providerMessageId],
  );
  return rows.map((row) => (row.options ? { text: row.text, options: JSON.parse(row.options) as string[] } : { text: row.text }));
}

function groupBy<T, K extends string>(items: T[], key: (t: T) => K, value: (t: T) => string): Map<K, string[]> {
  const groups = new Map<K, Set<string>>();
  for (const item of items) {
    const k = key(item);
    let set = groups.get(k);
    if (!set) groups.set(k, (set = new Set()));
    set.add(value(item));
  }
  return new Map([...groups].map(([k, set]) => [k, [...set]]));
}
