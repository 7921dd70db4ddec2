import type { ChannelName, InboundMessage, Locale, OutboundMessage } from "../core/index.js";
import {
  allocateTickets,
  cardButtons,
  cardReply,
  dueAt,
  firstStep,
  followUpReply,
  localYear,
  newTrackedCode,
  ratedReply,
  resolveComplainant,
  statusReply,
  trackingLink,
} from "../complaints/index.js";
import {
  BatchWrites,
  inJsonList,
  isoTimestamp,
  newOrderedId,
  planStable,
  seal,
  sealNullable,
  sealPublic,
  stateForStorage,
  stateFromStorage,
  type BatchRow,
  type OpenedValues,
  type PrismaTx,
  type SqlRunner,
  type TransactionOptions,
  unseal,
} from "../db/index.js";
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
import { onlyTemplateValues, render } from "../i18n/index.js";
import { batchOutbox, type Outbox, type OutboxKind } from "../outbox/index.js";
import type { AttachmentCheck } from "../storage/index.js";
import { fileOutcomes, settleFiles } from "./file-intake.js";
import { flowContext } from "./flow-context.js";
import type { PipelineDeps, ReceiveResult, StepJob } from "./types.js";

interface LiveConversation {
  id: string;
  channel: ChannelName;
  chatId: string;
  senderId: string;
  state: IntakeState | undefined;
  /** The stored form of the sealed values its state was loaded with (stateFromStorage). */
  opened?: OpenedValues;
  lastInboundAt: Date;
  createdAt: Date;
}

const keyOf = (channel: string, id: string) => `${channel}\u0000${id}`;

/** What the stored history shows instead of a tracking code: the receipt gave it once. */
const HIDDEN_CODE = "********";

/**
 * Processes many citizens' messages in one transaction: dedupe, load conversations, run the flow,
 * apply its effects, write state + messages + complaints + outbox rows. A crash before COMMIT
 * loses the whole batch, which the channels redeliver (or the web client resends): a step is
 * never half done. `within`: run inside the caller's transaction instead (a staff action whose own
 * writes must commit with the step's), which then commits or rolls back the whole.
 */
export async function processStepBatch(
  deps: PipelineDeps,
  jobs: StepJob[],
  within?: PrismaTx,
): Promise<{ results: ReceiveResult[]; outboxRows: number }> {
  const now = (deps.clock ?? (() => new Date()))();
  const { db } = deps;
  const transaction = <T>(work: (sql: SqlRunner) => Promise<T>, options: TransactionOptions): Promise<T> =>
    within ? work(db.sql.within(within)) : db.transaction(work, options);
  return transaction(
    async (sql) => {
      if (sql.provider === "sqlite") {
        // Take SQLite's write lock before reading: a deferred transaction that reads first and
        // writes later fails with SQLITE_BUSY instead of waiting when another process wrote meanwhile.
        await sql.execute(`UPDATE "TicketCounter" SET "value" = "value" WHERE "key" = ?`, ["#lock"]);
      }
      const { seen, conversations } = await loadBatch(
        sql,
        jobs.map((j) => j.inbound),
      );
      const writes = new BatchWrites();
      const outbox = batchOutbox(writes, now);
      const results = new Array<ReceiveResult>(jobs.length);
      const firstInBatch = new Map<string, number>();
      const knownComplainants = new Map<string, string>();
      const attachmentLinks = new Map<string, string>();
      const attachmentsInserted = new Set<string>();
      /** The files each recorded inbound message carried: the history shows them on that message. */
      const messageFiles: MessageFiles[] = [];

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

      // Phase 2: all the tickets this batch needs, in one statement. On PostgreSQL that statement
      // runs on its own, outside this transaction, and commits at once: the counter row is locked
      // for that statement only, so other instances' confirming batches do not queue behind this
      // batch's commit. A batch that then rolls back leaves its numbers unused (tickets stay unique
      // and increasing, with a gap; the logbook's No. is counted when it is written, without one).
      // SQLite has one writer at a time anyway: there the numbers come inside the transaction, gap-free.
      const creates = stepped.reduce((n, s) => n + s.outcome.effects.filter((e) => e.type === "createComplaint").length, 0);
      const apart = sql.provider === "postgresql" && !within;
      const tickets = await allocateTickets(
        apart ? deps.db.sql : sql,
        deps.settings.ticketPrefix,
        localYear(deps.settings.timeZone, now),
        creates,
        {
          apart,
        },
      );
      const trackingCodes = tickets.map((ticket) => newTrackedCode(ticket));

      // Phase 3: effects, rendering, rows.
      for (const { index, job, conversation, outcome, files, stored } of stepped) {
        const { inbound } = job;
        const state = outcome.state;
        const locale = state.locale;
        const effectVars: Record<string, TemplateValue> = {};
        const effectReplies: Reply[] = [];
        for (const effect of outcome.effects) {
          await applyEffect(deps, sql, writes, effect, {
            outbox,
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
            trackingCodes,
          });
        }

        conversation.state = state;
        if (!job.system) {
          // The 24-hour windows of the Meta channels count from the citizen's last message, not ours.
          conversation.lastInboundAt = inbound.receivedAt;
          conversation.senderId = inbound.sender.id;
        }

        const globals = { office: deps.settings.officeName };
        const publicReplies: boolean[] = [];
        const replies: OutboundMessage[] = [...effectReplies, ...outcome.replies].map((reply) => {
          const vars = { ...effectVars, ...reply.vars };
          publicReplies.push(onlyTemplateValues(vars));
          return render(deps.templates, locale, { ...reply, vars }, globals);
        });
        const complaintId = state.filed?.complaintId ?? null;

        // A row only for a file the flow took (into the draft or a complaint): one it refused stays
        // an unreferenced file on disk, which the sweep removes.
        const taken = takenFiles(outcome);
        const carried: string[] = [];
        for (const check of stored) {
          if (!check.accepted || !taken.has(check.stored.id)) continue;
          const s = check.stored;
          attachmentsInserted.add(s.id);
          carried.push(s.id);
          writes.add("attachment", {
            id: s.id,
            conversationId: conversation.id,
            complaintId: attachmentLinks.get(s.id) ?? null,
            sha256: s.sha256,
            mime: s.mime,
            size: s.size,
            // A file is often named after its owner ("KTP_Siti_Aminah.jpg").
            filename: sealNullable(s.filename),
            storagePath: s.storagePath,
            createdAt: now,
          });
        }
        if (!job.opening && !job.system) {
          if (carried.length > 0)
            messageFiles.push({ channel: inbound.channel, providerMessageId: inbound.providerMessageId, ids: carried });
          writes.add("message", {
            conversationId: conversation.id,
            channel: inbound.channel,
            providerMessageId: inbound.providerMessageId,
            direction: "in",
            author: "citizen",
            // Conversation texts hold names, numbers, addresses: sealed like the identity fields.
            text: seal(inboundText(deps, inbound, files, locale)),
            options: null,
            complaintId,
            replyToProviderId: null,
            createdAt: inbound.receivedAt,
          });
        }
        const limits = deps.limitsOf(inbound.channel);
        const push = limits.delivery === "push";
        const author = job.system?.author ?? "bot";
        const shownOnce = typeof effectVars.trackingCode === "string" ? effectVars.trackingCode : undefined;
        for (const [i, reply] of replies.entries()) {
          const options = reply.options && reply.options.length > 0 ? JSON.stringify(reply.options) : null;
          // The bot's own words (a menu, a question) have one sealed form each: src/db/identity-seal.ts.
          const sealText = publicReplies[i] ? sealPublic : seal;
          writes.add("message", {
            conversationId: conversation.id,
            channel: inbound.channel,
            providerMessageId: null,
            direction: "out",
            author,
            // The history (staff console, exports, a resent answer) never holds a tracking code in clear.
            text: sealText(shownOnce ? reply.text.replaceAll(shownOnce, HIDDEN_CODE) : reply.text),
            // The buttons may offer the sender's own name ("Siti Aminah" / "Anonim").
            options: options === null ? null : sealText(options),
            complaintId,
            replyToProviderId: inbound.providerMessageId,
            createdAt: now,
          });
        }
        const deliveries = limits.oneMessagePerStep && replies.length > 1 ? [joinReplies(replies)] : replies;
        for (const reply of push ? deliveries : []) {
          outbox.enqueue(
            { channel: inbound.channel, chatId: inbound.chatId, conversationId: conversation.id, complaintId, kind: "reply" },
            {
              ...reply,
              lastInboundAt: isoTimestamp(conversation.lastInboundAt),
              ...(state.filed ? { ticket: state.filed.ticket } : {}),
              ...(job.system?.attachments ? { attachments: job.system.attachments } : {}),
            },
          );
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
        writes.add("conversation", {
          id: c.id,
          channel: c.channel,
          chatId: c.chatId,
          senderId: c.senderId,
          locale: c.state.locale,
          step: c.state.step,
          state: stateForStorage(c.state, undefined, c.opened),
          complaintId: c.state.filed?.complaintId ?? null,
          lastInboundAt: c.lastInboundAt,
          createdAt: c.createdAt,
          updatedAt: now,
        });
      }
      // Files are linked once their rows are in; a batch without any commits with its flush.
      const earlierFiles = earlierFilesByComplaint(attachmentLinks, attachmentsInserted);
      await writes.flush(sql, { last: earlierFiles.size === 0 && messageFiles.length === 0 });
      await linkEarlierAttachments(sql, earlierFiles);
      await linkFilesToMessages(sql, messageFiles);
      return { results, outboxRows: writes.count("outbox") };
    },
    // Waiting for SQLite's lock behind another process can take a while; a batch itself is short.
    { maxWait: 30_000, timeout: 60_000, indexWalksOnly: true },
  );
}

interface EffectScope {
  outbox: Outbox<void>;
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
  /** Each ticket's tracking code and its hash, in the same order. */
  trackingCodes: { code: string; hash: string }[];
}

async function applyEffect(deps: PipelineDeps, sql: SqlRunner, writes: BatchWrites, effect: Effect, scope: EffectScope): Promise<void> {
  const { inbound, conversation, now } = scope;
  switch (effect.type) {
    case "createComplaint": {
      const year = localYear(deps.settings.timeZone, now);
      const ticket = scope.tickets.shift();
      // Shown once, in this receipt; only its hash is kept (src/complaints/tracking-code.ts).
      const tracking = scope.trackingCodes.shift()!;
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
      const id = newOrderedId(now.getTime());
      const sopStep = firstStep(deps.sop);
      writes.add("complaint", {
        id,
        ticket: ticket!,
        year,
        seq: Number(ticket!.split("-").at(-1)),
        kind: effect.kind,
        category: effect.draft.category ?? null,
        text: seal(effect.draft.text ?? ""),
        channel: inbound.channel,
        status: "open",
        sopStep: sopStep.id,
        stepStartedAt: now,
        stepDueAt: dueAt(sopStep, now),
        complainantId: who.complainantId,
        conversationId: conversation.id,
        trackingHash: tracking.hash,
        receivedAt: inbound.receivedAt,
        createdAt: now,
        updatedAt: now,
      });
      writes.add(
        "event",
        citizenEvent(id, "received", { channel: inbound.channel, kind: effect.kind, attachments: effect.draft.attachmentIds.length }, now),
      );
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
        queueForStaff(deps, scope.outbox, { kind: "card", complaintId: id, reply: card, buttons: cardButtons(ticket!) });
      }
      linkAttachments(scope, effect.draft.attachmentIds, id);
      scope.state.filed = { complaintId: id, ticket: ticket! };
      scope.vars.ticket = ticket!;
      Object.assign(scope.vars, trackingVars(deps.settings.publicBaseUrl, ticket!, tracking.code));
      return;
    }
    case "appendToComplaint": {
      writes.add(
        "event",
        citizenEvent(
          effect.complaintId,
          "citizen.followup",
          { text: effect.text, attachmentIds: effect.attachmentIds, providerMessageId: inbound.providerMessageId },
          now,
        ),
      );
      linkAttachments(scope, effect.attachmentIds, effect.complaintId);
      if (scope.state.filed?.complaintId === effect.complaintId) {
        scope.vars.ticket = scope.state.filed.ticket;
        const reply = followUpReply(scope.state.filed.ticket, effect.text, effect.attachmentIds.length);
        queueForStaff(deps, scope.outbox, { kind: "staff", complaintId: effect.complaintId, reply, threadOf: effect.complaintId });
      }
      return;
    }
    case "reportStatus": {
      const reply = await statusReply(
        sql,
        { ticket: effect.ticket, ...(effect.code ? { code: effect.code } : {}) },
        { conversationId: conversation.id, channel: inbound.channel, senderId: inbound.sender.id },
        { sop: deps.sop, locale: scope.locale, timeZone: deps.settings.timeZone, now },
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
      writes.add("event", citizenEvent(effect.complaintId, "citizen.category", { category: effect.category }, now));
      if (scope.state.filed?.complaintId === effect.complaintId) scope.vars.ticket = scope.state.filed.ticket;
      return;
    }
    case "setName": {
      // Never names an anonymous complaint's reporter: that one chose not to be known.
      await sql.execute(
        `UPDATE "Complainant" SET "name" = ?, "updatedAt" = ?
          WHERE "anonymous" = ? AND "id" = (SELECT "complainantId" FROM "Complaint" WHERE "id" = ?)`,
        [sealNullable(effect.name), now, false, effect.complaintId],
      );
      writes.add("event", citizenEvent(effect.complaintId, "citizen.name", {}, now));
      if (scope.state.filed?.complaintId === effect.complaintId) scope.vars.ticket = scope.state.filed.ticket;
      return;
    }
    case "storeRating": {
      await sql.execute(`UPDATE "Complaint" SET "rating" = ?, "ratingComment" = ?, "updatedAt" = ? WHERE "id" = ?`, [
        effect.score,
        sealNullable(effect.comment),
        now,
        effect.complaintId,
      ]);
      writes.add("event", citizenEvent(effect.complaintId, "rated", { score: effect.score, comment: effect.comment ?? null }, now));
      const rows = await sql.query<{ ticket: string }>(`SELECT "ticket" FROM "Complaint" WHERE "id" = ?`, [effect.complaintId]);
      if (rows[0]) {
        scope.vars.ticket = rows[0].ticket;
        const reply = ratedReply(rows[0].ticket, effect.score, effect.comment);
        queueForStaff(deps, scope.outbox, { kind: "staff", complaintId: effect.complaintId, reply, threadOf: effect.complaintId });
      }
      return;
    }
  }
}

/**
 * What a receipt says about tracking (templates/<locale>/tracking.json): the code, and the /lacak
 * link with the ticket filled in when the office has a public address.
 */
function trackingVars(publicBaseUrl: string | undefined, ticket: string, code: string): Record<string, TemplateValue> {
  if (!publicBaseUrl) return { trackingCode: code, tracking: { key: "tracking.receipt" } };
  return { trackingCode: code, trackingUrl: trackingLink(publicBaseUrl, ticket), tracking: { key: "tracking.receiptLink" } };
}

/** An audit event the citizen caused, written with the step that caused it. */
function citizenEvent(complaintId: string, type: string, data: Record<string, unknown>, now: Date): BatchRow<"event"> {
  // Sealed like every event's data (follow-up texts, rating comments): src/db/identity-extension.ts opens it.
  return { id: newOrderedId(now.getTime()), complaintId, type, actor: "citizen", data: seal(JSON.stringify(data)), createdAt: now };
}

/** One step's replies as one message (ChannelLimits.oneMessagePerStep), with the last reply's options. */
function joinReplies(replies: OutboundMessage[]): OutboundMessage {
  const options = replies.at(-1)!.options;
  return { text: replies.map((r) => r.text).join("\n\n"), ...(options ? { options } : {}) };
}

/** A card or notice for the staff feed, written in the same transaction as what it reports. */
function queueForStaff(
  deps: PipelineDeps,
  outbox: Outbox<void>,
  item: {
    kind: Exclude<OutboxKind, "reply">;
    complaintId: string;
    reply: Reply;
    buttons?: { labelKey: string; data: string }[][];
    threadOf?: string;
  },
): void {
  const feed = deps.staffFeed;
  if (!feed) return;
  const globals = { office: deps.settings.officeName };
  const message = render(deps.templates, feed.locale, item.reply, globals);
  const buttons = item.buttons?.map((row) =>
    row.map((b) => ({ label: render(deps.templates, feed.locale, { key: b.labelKey }, globals).text, data: b.data })),
  );
  outbox.enqueue(
    { channel: feed.channel, chatId: feed.chatId, complaintId: item.complaintId, kind: item.kind },
    { text: message.text, ...(buttons ? { buttons } : {}), ...(item.threadOf ? { threadOf: item.threadOf } : {}) },
  );
}

/**
 * Files sent with this very message are linked as their rows are inserted; files from earlier
 * messages are updated after the flush, once the complaint row they point to exists.
 */
function linkAttachments(scope: EffectScope, ids: string[], complaintId: string): void {
  for (const id of ids) scope.attachmentLinks.set(id, complaintId);
}

/** The files stored by earlier batches that this batch's complaints take, by complaint (the batch's own rows carry theirs). */
function earlierFilesByComplaint(links: Map<string, string>, insertedNow: Set<string>): Map<string, string[]> {
  const byComplaint = new Map<string, string[]>();
  for (const [attachmentId, complaintId] of links) {
    if (insertedNow.has(attachmentId)) continue;
    byComplaint.set(complaintId, [...(byComplaint.get(complaintId) ?? []), attachmentId]);
  }
  return byComplaint;
}

async function linkEarlierAttachments(sql: SqlRunner, byComplaint: Map<string, string[]>): Promise<void> {
  for (const [complaintId, ids] of byComplaint) {
    await sql.execute(`UPDATE "Attachment" SET "complaintId" = ? WHERE ${inJsonList(sql.provider, `"id"`)}`, [
      complaintId,
      JSON.stringify(ids),
    ]);
  }
}

interface MessageFiles {
  channel: string;
  providerMessageId: string;
  ids: string[];
}

/** Message ids exist only once the rows are in: the files learn theirs after the flush (messages with files only). */
async function linkFilesToMessages(sql: SqlRunner, list: readonly MessageFiles[]): Promise<void> {
  for (const { channel, providerMessageId, ids } of list) {
    await sql.execute(
      `UPDATE "Attachment" SET "messageId" = (SELECT "id" FROM "Message" WHERE "channel" = ? AND "providerMessageId" = ?)
        WHERE ${inJsonList(sql.provider, `"id"`)}`,
      [channel, providerMessageId, JSON.stringify(ids)],
    );
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

/** One row of loadBatch's statement: a conversation of the batch, or a message it already processed. */
interface LoadedRow {
  kind: "conversation" | "message";
  /** The conversation's id (of a message: the conversation it was recorded in). */
  id: string;
  channel: string;
  chatId: string | null;
  senderId: string | null;
  state: string | null;
  lastInboundAt: Date | null;
  createdAt: Date | null;
  providerMessageId: string | null;
}

/**
 * What the batch needs before it steps anything, in one statement (one round trip on PostgreSQL,
 * where a batch's statements are most of its cost): the messages already processed (by channel and
 * provider id: a redelivery is answered from the stored replies) and the conversations the
 * messages belong to — on PostgreSQL locked (FOR UPDATE), so two instances never step the same
 * conversation at once. Each row is found by its full unique key, one (channel, id) pair of a JSON
 * parameter at a time: one text whatever the batch holds, prepared once per connection on
 * PostgreSQL, where the batch's transaction holds the planner to those index walks
 * (indexWalksOnly): parsing and planning it at every batch was half its PostgreSQL time.
 */
const LOAD_BATCH = {
  postgresql: planStable(
    `WITH "batchConversation" AS (SELECT c."id", c."channel", c."chatId", c."senderId", c."state", c."lastInboundAt", c."createdAt"
       FROM json_array_elements(?::json) AS k("pair") JOIN "Conversation" c ON c."channel" = k."pair"->>0 AND c."chatId" = k."pair"->>1
       FOR UPDATE OF c)
     SELECT 'conversation' AS "kind", "id", "channel", "chatId", "senderId", "state", "lastInboundAt", "createdAt", NULL AS "providerMessageId" FROM "batchConversation"
     UNION ALL SELECT 'message', m."conversationId", m."channel", NULL, NULL, NULL, NULL, NULL, m."providerMessageId"
       FROM json_array_elements(?::json) AS k("pair") JOIN "Message" m ON m."channel" = k."pair"->>0 AND m."providerMessageId" = k."pair"->>1`,
  ),
  sqlite: `SELECT 'conversation' AS "kind", c."id", c."channel", c."chatId", c."senderId", c."state", c."lastInboundAt", c."createdAt", NULL AS "providerMessageId"
       FROM json_each(?) AS k JOIN "Conversation" c ON c."channel" = k.value->>0 AND c."chatId" = k.value->>1
     UNION ALL SELECT 'message', m."conversationId", m."channel", NULL, NULL, NULL, NULL, NULL, m."providerMessageId"
       FROM json_each(?) AS k JOIN "Message" m ON m."channel" = k.value->>0 AND m."providerMessageId" = k.value->>1`,
} as const;

async function loadBatch(
  sql: SqlRunner,
  inbound: InboundMessage[],
): Promise<{ seen: Map<string, string>; conversations: Map<string, LiveConversation> }> {
  const rows = await sql.query<LoadedRow>(LOAD_BATCH[sql.provider], [
    pairsOf(inbound, (m) => m.chatId),
    pairsOf(inbound, (m) => m.providerMessageId),
  ]);
  const seen = new Map<string, string>();
  const conversations = new Map<string, LiveConversation>();
  for (const row of rows) {
    if (row.kind === "message") {
      seen.set(keyOf(row.channel, row.providerMessageId!), row.id);
      continue;
    }
    const channel = row.channel as ChannelName;
    const opened: OpenedValues = new Map();
    conversations.set(keyOf(channel, row.chatId!), {
      id: row.id,
      channel,
      chatId: row.chatId!,
      senderId: row.senderId ?? "",
      state: stateFromStorage<IntakeState>(row.state!, undefined, opened),
      opened,
      lastInboundAt: row.lastInboundAt ?? row.createdAt!,
      createdAt: row.createdAt!,
    });
  }
  return { seen, conversations };
}

function liveConversation(conversations: Map<string, LiveConversation>, inbound: InboundMessage, now: Date): LiveConversation {
  const key = keyOf(inbound.channel, inbound.chatId);
  let conversation = conversations.get(key);
  if (!conversation) {
    conversation = {
      id: newOrderedId(now.getTime()),
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
  return rows.map((row) =>
    row.options ? { text: unseal(row.text), options: JSON.parse(unseal(row.options)) as string[] } : { text: unseal(row.text) },
  );
}

/**
 * The batch's distinct (channel, id) pairs as a JSON array of two-element arrays, in one order
 * whatever the order the messages came in: PostgreSQL locks the conversations as it finds them, in
 * this order, so two instances' batches that share conversations never each hold one the other waits for.
 */
function pairsOf(inbound: readonly InboundMessage[], idOf: (m: InboundMessage) => string): string {
  const pairs = new Map<string, [string, string]>();
  for (const m of inbound) {
    const id = idOf(m);
    pairs.set(keyOf(m.channel, id), [m.channel, id]);
  }
  return JSON.stringify([...pairs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, pair]) => pair));
}
