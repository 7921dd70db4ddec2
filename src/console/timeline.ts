import { jsonObject } from "../core/index.js";
import { eventReply } from "../staff/index.js";
import type { SopPreset } from "../complaints/index.js";
import { html, type Html } from "./html.js";
import type { ComplaintView } from "./queries.js";
import type { Texts } from "./texts.js";
import { when } from "./view.js";

type Entry = { at: Date; order: number; markup: Html };

/** Events the timeline shows in its own way, or not at all (a reply is shown as the message it sent). */
const OWN_VIEW = new Set(["staff.reply", "staff.note", "staff.replyUndeliverable"]);

const DELIVERY_KEYS: Record<string, string> = {
  pending: "console.delivery.pending",
  sending: "console.delivery.sending",
  sent: "console.delivery.sent",
  delivered: "console.delivery.delivered",
  read: "console.delivery.read",
  failed: "console.delivery.failed",
};

/** What became of a reply on its way: the outbox row's state, and what the provider said after. */
function deliveryText(t: Texts, row: { status: string; deliveryStatus: string | null; lastError: string | null } | undefined): Html {
  if (!row) return html``;
  const state = row.deliveryStatus ?? row.status;
  const known = DELIVERY_KEYS[state] ? state : "pending";
  return html`<span class="delivery delivery-${known}"
    >${t(DELIVERY_KEYS[known]!)}${known === "failed" && row.lastError ? `: ${row.lastError.slice(0, 200)}` : ""}</span
  >`;
}

/**
 * A reply on a pull channel (the web chat) has no outbox row: the citizen's page fetches it. Once
 * it has, it is delivered; before, nothing is known to say (the page may be closed for days).
 */
function fetched(m: { fetchedAt: Date | null }): { status: string; deliveryStatus: null; lastError: null } | undefined {
  return m.fetchedAt ? { status: "delivered", deliveryStatus: null, lastError: null } : undefined;
}

type ReplyFile = ComplaintView["replyFiles"][number];

/**
 * The files staff sent with one reply, as downloads (served to signed-in staff only, see
 * complaint-page.ts), or only their number where the files were not kept on record (a reply from
 * before the office's messages recorded their files).
 */
function replyFilesOf(t: Texts, ticket: string, files: readonly ReplyFile[], counted: unknown, clean: (text: string) => string): Html {
  if (files.length === 0) {
    return typeof counted === "number" && counted > 0
      ? html`<p class="reply-files muted">${t("console.timeline.files", { count: counted })}</p>`
      : html``;
  }
  return html`<ul class="reply-files" aria-label="${t("console.timeline.files", { count: files.length })}">
    ${files.map((f) => {
      // A name staff chose can still be the reporter's ("surat_siti_aminah.pdf").
      const name = clean(f.filename ?? f.id);
      return html`<li>
        <a href="/staff/complaints/${ticket}/files/${f.id}?download=1" download="${name}">${t("console.complaint.download", { name })}</a>
        <span class="muted">${f.mime}, ${Math.ceil(f.size / 1024)} KB</span>
      </li>`;
    })}
  </ul>`;
}

/**
 * `clean` is what a text goes through before it is shown: the reporter's identity blanked out for
 * a role that may not see it (the intake's answers, a follow-up that names the reporter).
 *
 * The whole story of a complaint, oldest first: the citizen's messages, the office's replies (with
 * who sent them and how their delivery went), internal notes, and every SOP and audit event.
 */
export function timeline(t: Texts, sop: SopPreset, timeZone: string, view: ComplaintView, clean: (text: string) => string): Html {
  const { complaint, messages, events, outbox } = view;
  const entries: Entry[] = [];
  const filesOf = new Map<number, ReplyFile[]>();
  for (const f of view.replyFiles) if (f.messageId !== null) filesOf.set(f.messageId, [...(filesOf.get(f.messageId) ?? []), f]);
  const delivery = new Map(outbox.filter((o) => o.messageId !== null).map((o) => [o.messageId!, o]));
  const replies = events.filter((e) => e.type === "staff.reply").map((e) => ({ event: e, data: jsonObject(e.data), used: false }));
  let order = 0;
  for (const m of messages) {
    if (m.direction === "in") {
      entries.push({
        at: m.createdAt,
        order: order++,
        markup: html`<li class="entry msg citizen">
          <p class="meta"><strong>${t("console.author.citizen")}</strong> · <time>${when(t, timeZone, m.createdAt)}</time></p>
          <p class="text">${clean(m.text)}</p>
        </li>`,
      });
      continue;
    }
    if (m.author === "staff") {
      // The reply event holds who sent it; its text is inside the message the office sent.
      const match = replies.find((r) => !r.used && typeof r.data.text === "string" && m.text.includes(r.data.text));
      if (match) match.used = true;
      const who = typeof match?.data.by === "string" ? match.data.by : "";
      const via = match?.data.via === "web" ? t("console.via.web") : match?.data.via === "telegram" ? t("console.via.telegram") : "";
      entries.push({
        at: m.createdAt,
        order: order++,
        markup: html`<li class="entry msg staff">
          <p class="meta">
            <strong>${t("console.author.staff")}${who ? ` — ${who}` : ""}</strong>${via ? ` (${via})` : ""} ·
            <time>${when(t, timeZone, m.createdAt)}</time> ${deliveryText(t, delivery.get(m.id) ?? fetched(m))}
          </p>
          <p class="text">${clean(m.text)}</p>
          ${replyFilesOf(t, complaint.ticket, filesOf.get(m.id) ?? [], match?.data.files, clean)}
        </li>`,
      });
      continue;
    }
    entries.push({
      at: m.createdAt,
      order: order++,
      markup: html`<li class="entry msg bot">
        <p class="meta"><strong>${t("console.author.bot")}</strong> · <time>${when(t, timeZone, m.createdAt)}</time></p>
        <p class="text">${clean(m.text)}</p>
      </li>`,
    });
  }
  for (const e of events) {
    const data = jsonObject(e.data);
    const who = typeof data.by === "string" ? data.by : e.actor;
    if (e.type === "staff.note") {
      entries.push({
        at: e.createdAt,
        order: order++,
        markup: html`<li class="entry note">
          <p class="meta"><strong>${t("console.timeline.note", { who })}</strong> · <time>${when(t, timeZone, e.createdAt)}</time></p>
          <p class="text">${typeof data.text === "string" ? clean(data.text) : ""}</p>
        </li>`,
      });
      continue;
    }
    if (e.type === "staff.replyUndeliverable") {
      entries.push({
        at: e.createdAt,
        order: order++,
        markup: html`<li class="entry event failed">
          <p>
            <time>${when(t, timeZone, e.createdAt)}</time> ${t("console.timeline.undeliverable", { who })}:
            ${typeof data.text === "string" ? clean(data.text) : ""}
          </p>
        </li>`,
      });
      continue;
    }
    if (e.type === "staff.reply" && replies.find((r) => r.event === e)?.used) continue;
    if (OWN_VIEW.has(e.type) && e.type !== "staff.reply") continue;
    const reply = eventReply({ type: e.type, actor: e.actor, data }, { sop, locale: t.locale, complaintChannel: complaint.channel });
    entries.push({
      at: e.createdAt,
      order: order++,
      markup: html`<li class="entry event event-${e.type.replace(/[^a-z.]/gi, "").replace(/\./g, "-")}">
        <p><time>${when(t, timeZone, e.createdAt)}</time> ${clean(t(reply.key, reply.vars))}</p>
      </li>`,
    });
  }
  entries.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order);
  return html`<ol class="timeline">
    ${entries.map((e) => e.markup)}
  </ol>`;
}
