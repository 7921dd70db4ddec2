import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve, sep } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { cleanText, findTicket, type InboundAttachment } from "../core/index.js";
import { maskedName, staffPeople, staffRoles, stepById, roleById, type StaffPerson } from "../complaints/index.js";
import { redact } from "../reports/index.js";
import { EVIDENCE_MIME_TYPES } from "../storage/index.js";
import type { CommandIntent, StaffActor, StaffResult } from "../staff/index.js";
import { isWebOnly } from "./accounts.js";
import { actionUploadOf, FILES_FIELD, readActionUpload } from "./action-upload.js";
import { stateOf, userOf, type ConsoleRequestState, type Renderer } from "./context.js";
import { html, type Html } from "./html.js";
import { complaintView, fileOfComplaint, type ComplaintView } from "./queries.js";
import type { Texts } from "./texts.js";
import { timeline } from "./timeline.js";
import type { ConsoleDeps } from "./types.js";
import { categoryText, channelText, dueCell, holderText, stepText, timeState, when } from "./view.js";

type User = NonNullable<ConsoleRequestState["user"]>;

/** Pictures a browser only draws (an SVG or HTML file could carry script): every other file is a download. */
const SHOWN_INLINE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** What the page says after an action: the command's own answer, in the person's language. */
interface Outcome {
  kind: "ok" | "error";
  /** A refused reply, note or step: its text goes back into its box, so nothing typed is lost. */
  kept?: { action: string; text: string };
  texts: string[];
  /** The reporter's identity, shown once to whom may see it (never put in a URL or a cookie). */
  identity?: string;
}

/** Typed text as every front end's text is cleaned (src/core/text.ts): no NUL, no lone surrogate. */
const cleaned = (max: number) => z.string().max(max).transform(cleanText);

/** An action's form: the fields of every action; which are needed is the command's to say. */
const actionForm = z.object({
  _csrf: z.string().max(200),
  once: z.string().uuid(),
  action: z.enum(["reply", "note", "close", "advance", "decide", "assign", "forward", "archive"]),
  text: cleaned(4000).optional(),
  branch: cleaned(100).optional(),
  decision: z.enum(["approve", "reject"]).optional(),
  target: cleaned(100).optional(),
  agency: cleaned(300).optional(),
});

type ActionForm = z.infer<typeof actionForm>;

/** The form as the staff command's intent: the same intents the Telegram group's commands parse to. */
export function intentOf(ticket: string, form: ActionForm): CommandIntent {
  const text = (form.text ?? "").trim();
  switch (form.action) {
    case "reply":
    case "note":
    case "archive":
      return { kind: form.action, ticket, text };
    case "close":
      return { kind: "close", ticket };
    case "advance":
      // On a branching step the first word picks the branch, as in "/lanjut <ticket> <branch> note".
      return { kind: "advance", ticket, text: [form.branch ?? "", text].filter((s) => s !== "").join(" ") };
    case "decide":
      return { kind: "decide", ticket, ...(form.decision ? { decision: form.decision } : {}), text };
    case "assign":
      return { kind: "assign", ticket, target: (form.target ?? "").trim() };
    case "forward":
      return { kind: "forward", ticket, agency: (form.agency ?? "").trim() };
  }
}

/** The signed-in person as the staff commands know them, acting from the web. */
export function actorOf(user: User): StaffActor {
  return {
    staffId: user.staffId,
    name: user.name,
    role: user.role,
    ...(isWebOnly(user.telegramId) ? {} : { telegramId: user.telegramId }),
    via: "web",
  };
}

const megabytes = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 10) / 10;

/** The text a form carried, whatever else was wrong with it, so a refused form keeps what was typed. */
function typedText(body: unknown): string {
  const text = (body as { text?: unknown } | undefined)?.text;
  return typeof text === "string" ? text.slice(0, 4000) : "";
}

function hidden(csrf: string, action: string): Html {
  return html`<input type="hidden" name="_csrf" value="${csrf}" />
    <input type="hidden" name="once" value="${randomUUID()}" />
    <input type="hidden" name="action" value="${action}" />`;
}

function actions(
  t: Texts,
  deps: ConsoleDeps,
  view: ComplaintView,
  people: readonly StaffPerson[],
  csrf: string,
  kept?: Outcome["kept"],
): Html {
  const typed = (action: string) => (kept?.action === action ? kept.text : "");
  const { complaint } = view;
  const post = `/staff/complaints/${complaint.ticket}/act`;
  if (complaint.status === "closed") {
    return html`<section aria-labelledby="act-h" class="panel">
      <h2 id="act-h">${t("console.act.title")}</h2>
      <p>${t("console.act.closed")}</p>
      <form method="post" action="${post}" class="stack">
        ${hidden(csrf, "note")}
        <label for="note-text">${t("console.act.note")}</label>
        <textarea id="note-text" name="text" required maxlength="4000">${typed("note")}</textarea>
        <button type="submit" class="secondary">${t("console.act.noteSubmit")}</button>
      </form>
    </section>`;
  }
  const step = stepById(deps.sop, complaint.sopStep);
  const sop: Html[] = [];
  if (step?.decision) {
    sop.push(
      html`<form method="post" action="${post}" class="stack">
        ${hidden(csrf, "decide")}
        <fieldset>
          <legend>${t("console.act.decide")}</legend>
          <label><input type="radio" name="decision" value="approve" required /> ${t("staff.sop.decision.approve")}</label>
          <label><input type="radio" name="decision" value="reject" /> ${t("staff.sop.decision.reject")}</label>
        </fieldset>
        <label for="decide-text">${t("console.act.reason")}</label>
        <input id="decide-text" name="text" maxlength="4000" />
        <button type="submit">${t("console.act.decideSubmit")}</button>
      </form>`,
    );
  } else if (step && (step.next !== undefined || step.branches.length > 0 || step.index < deps.sop.steps.length - 1)) {
    sop.push(
      html`<form method="post" action="${post}" class="stack">
        ${hidden(csrf, "advance")}
        ${
          step.branches.length > 0
            ? html`<label for="advance-branch">${t("console.act.branch")}</label>
                <select id="advance-branch" name="branch" required>
                  ${step.branches.map((b) => html`<option value="${b.id}">${b.label[t.locale]}</option>`)}
                </select>`
            : ""
        }
        <label for="advance-text">${t("console.act.advanceNote")}</label>
        <input id="advance-text" name="text" maxlength="4000" value="${typed("advance")}" />
        <button type="submit">${t("console.act.advanceSubmit")}</button>
      </form>`,
    );
  }
  if (step?.forward) {
    sop.push(
      html`<form method="post" action="${post}" class="stack">
        ${hidden(csrf, "forward")}
        <label for="forward-agency">${t("console.act.agency")}</label>
        <input id="forward-agency" name="agency" required maxlength="300" />
        <button type="submit">${t("console.act.forwardSubmit")}</button>
      </form>`,
    );
  }
  if (step?.archive) {
    sop.push(
      html`<form method="post" action="${post}" class="stack">
        ${hidden(csrf, "archive")}
        <button type="submit">${t("console.act.archiveSubmit")}</button>
      </form>`,
    );
  }
  const targets: [string, string][] = [
    ...staffRoles(deps.sop).map((id): [string, string] => [id, roleById(deps.sop, id)?.label[t.locale] ?? id]),
    ...people.filter((p) => /^\d+$/.test(p.telegramId)).map((p): [string, string] => [p.telegramId, p.name]),
  ];
  sop.push(
    html`<form method="post" action="${post}" class="stack">
      ${hidden(csrf, "assign")}
      <label for="assign-target">${t("console.act.assign")}</label>
      <select id="assign-target" name="target" required>
        ${targets.map(([v, label]) => html`<option value="${v}">${label}</option>`)}
      </select>
      <button type="submit" class="secondary">${t("console.act.assignSubmit")}</button>
    </form>`,
  );

  return html`<section aria-labelledby="act-h" class="panel actions">
    <h2 id="act-h">${t("console.act.title")}</h2>
    <form method="post" action="${post}" class="stack" id="reply-form" enctype="multipart/form-data">
      ${hidden(csrf, "reply")}
      <label for="reply-text">${t("console.act.reply")}</label>
      <textarea id="reply-text" name="text" required maxlength="4000">${typed("reply")}</textarea>
      <p class="hint">${t("console.act.replyHint")}</p>
      <label for="reply-files">${t("console.act.files")}</label>
      <input
        type="file"
        id="reply-files"
        name="${FILES_FIELD}"
        multiple
        accept="${EVIDENCE_MIME_TYPES.join(",")}"
        aria-describedby="reply-files-hint"
      />
      <p class="hint" id="reply-files-hint">
        ${t("console.act.filesHint", { max: deps.settings.replyFiles.max, maxMb: megabytes(deps.settings.replyFiles.maxBytes) })}
      </p>
      <button type="submit">${t("console.act.replySubmit")}</button>
    </form>
    <form method="post" action="${post}" class="stack" id="note-form">
      ${hidden(csrf, "note")}
      <label for="note-text">${t("console.act.note")}</label>
      <textarea id="note-text" name="text" required maxlength="4000">${typed("note")}</textarea>
      <p class="hint">${t("console.act.noteHint")}</p>
      <button type="submit" class="secondary">${t("console.act.noteSubmit")}</button>
    </form>
    <h3>${t("console.act.sop")}</h3>
    ${sop}
    <form method="post" action="${post}" class="stack" id="close-form">
      ${hidden(csrf, "close")}
      <button type="submit" class="danger">${t("console.act.closeSubmit")}</button>
    </form>
  </section>`;
}

function evidence(t: Texts, view: ComplaintView, clean: (text: string) => string): Html {
  if (view.attachments.length === 0) return html``;
  const base = `/staff/complaints/${view.complaint.ticket}/files`;
  return html`<section aria-labelledby="ev-h" class="panel">
    <h2 id="ev-h">${t("console.complaint.evidence")}</h2>
    <ul class="evidence">
      ${view.attachments.map((a) => {
        // A file's name can be the reporter's ("ktp_siti_aminah.jpg").
        const name = clean(a.filename ?? `${a.id}`);
        return html`<li>
          ${SHOWN_INLINE.has(a.mime) ? html`<a href="${base}/${a.id}"><img src="${base}/${a.id}" alt="${name}" width="120" height="120" /></a>` : ""}
          <a href="${base}/${a.id}?download=1" download="${name}">${t("console.complaint.download", { name })}</a>
          <span class="muted">${a.mime}, ${Math.ceil(a.size / 1024)} KB</span>
        </li>`;
      })}
    </ul>
  </section>`;
}

function identityPanel(t: Texts, user: User, view: ComplaintView, csrf: string, outcome: Outcome | undefined): Html {
  const { complaint } = view;
  const masked = complaint.complainant.anonymous ? { key: "staff.anonymous" } : maskedName(complaint.complainant.name);
  const shown = typeof masked === "string" ? masked : t(masked.key);
  return html`<section aria-labelledby="id-h" class="panel identity">
    <h2 id="id-h">${t("console.complaint.reporter")}</h2>
    ${
      outcome?.identity
        ? html`<pre class="revealed" id="identity">${outcome.identity}</pre>`
        : html`<p id="identity" class="masked">${shown}</p>`
    }
    ${
      user.mayViewIdentity && !outcome?.identity
        ? html`<form method="post" action="/staff/complaints/${complaint.ticket}/identity">
            <input type="hidden" name="_csrf" value="${csrf}" />
            <input type="hidden" name="once" value="${randomUUID()}" />
            <button type="submit" class="secondary">${t("console.complaint.reveal")}</button>
            <p class="hint">${t("console.complaint.revealHint")}</p>
          </form>`
        : user.mayViewIdentity
          ? ""
          : html`<p class="hint">${t("console.complaint.maskedHint")}</p>`
    }
  </section>`;
}

export function complaintRoutes(deps: ConsoleDeps, renderer: Renderer) {
  const clock = deps.clock ?? (() => new Date());
  const filesDir = resolve(deps.attachmentsDir);

  async function show(request: FastifyRequest, reply: FastifyReply, ticket: string, outcome?: Outcome): Promise<string> {
    const { t } = stateOf(request);
    const user = userOf(request);
    const view = await complaintView(deps.db, ticket);
    if (!view) return renderer.problem(request, reply, 404, t("console.error.notFound"));
    const people = await staffPeople(deps.db.prisma, deps.settings.staffIds);
    const { complaint } = view;
    const tz = deps.settings.timeZone;
    const state = timeState(deps.sop, complaint, clock());
    // A role that may not see the reporter's identity sees it nowhere: not in the intake's answers,
    // not where the citizen wrote their own name or number into the complaint.
    const clean = user.mayViewIdentity ? (text: string) => text : (text: string) => redact(text, complaint.complainant);
    return renderer.page(request, reply, {
      title: complaint.ticket,
      section: "complaint",
      live: true,
      body: (csrf) =>
        html`<p class="crumbs">
            <a href="/staff/inbox">← ${t("console.nav.inbox")}</a> <a class="to-actions" href="#act-h">${t("console.act.jump")}</a>
          </p>
          <h1>
            ${complaint.ticket}
            <span class="tag">${t(`console.kind.${complaint.kind === "information" ? "information" : "complaint"}`)}</span>
          </h1>
          ${
            outcome && outcome.texts.length > 0
              ? html`<div
                  class="notice ${outcome.kind === "ok" ? "ok" : "error"}"
                  role="${outcome.kind === "ok" ? "status" : "alert"}"
                  id="outcome"
                >
                  ${outcome.texts.map((text) => html`<p>${text}</p>`)}
                </div>`
              : ""
          }
          <div class="complaint-grid">
            <div class="main-col">
              <section class="panel summary" aria-labelledby="sum-h">
                <h2 id="sum-h" class="visually-hidden">${t("console.complaint.summary")}</h2>
                <dl class="facts">
                  <dt>${t("console.inbox.status")}</dt>
                  <dd>${t(`console.status.${complaint.status === "closed" ? "closed" : "open"}`)}</dd>
                  <dt>${t("console.inbox.category")}</dt>
                  <dd>${categoryText(t, complaint.category)}</dd>
                  <dt>${t("console.inbox.channel")}</dt>
                  <dd>${channelText(t, complaint.channel)}</dd>
                  <dt>${t("console.complaint.received")}</dt>
                  <dd>${when(t, tz, complaint.receivedAt)}</dd>
                  <dt>${t("console.inbox.step")}</dt>
                  <dd>${stepText(t, deps.sop, complaint.sopStep)}</dd>
                  <dt>${t("console.inbox.holder")}</dt>
                  <dd>${holderText(t, deps.sop, people, complaint)}</dd>
                  <dt>${t("console.inbox.due")}</dt>
                  <dd>${dueCell(t, tz, complaint.stepDueAt, state)}</dd>
                </dl>
                <h3>${t("console.complaint.text")}</h3>
                <p class="complaint-text">${clean(complaint.text)}</p>
              </section>
              ${evidence(t, view, clean)}
              <section aria-labelledby="tl-h" class="panel">
                <h2 id="tl-h">${t("console.complaint.timeline")}</h2>
                ${timeline(t, deps.sop, tz, view, clean)}
              </section>
            </div>
            <div class="side-col">
              ${identityPanel(t, user, view, csrf, outcome)} ${actions(t, deps, view, people, csrf, outcome?.kept)}
            </div>
          </div>`,
    });
  }

  async function run(request: FastifyRequest, intent: CommandIntent, once: string, files: InboundAttachment[] = []): Promise<StaffResult> {
    const { t } = stateOf(request);
    return deps.commands.run({
      actor: actorOf(userOf(request)),
      intent,
      privateView: true,
      place: "web",
      once: `web:${once}`,
      locale: t.locale,
      ...(files.length > 0
        ? {
            files,
            // A declined file refuses the whole reply, where the group sends the rest: a reply is
            // written around its files ("the letter is attached"), and a text that reached the
            // citizen without them cannot be taken back. On the web nothing is lost by refusing:
            // the typed text goes back into its box, and the page names the file and says why.
            declinedFiles: "refuse" as const,
          }
        : {}),
    });
  }

  const outcomeOf = (t: Texts, result: StaffResult): Outcome =>
    result.outcome === "duplicate"
      ? { kind: "ok", texts: [t("console.act.duplicate")] }
      : { kind: result.outcome === "done" ? "ok" : "error", texts: result.messages.map((m) => m.text) };

  const ticketOf = (raw: string) => findTicket(raw.toUpperCase()) ?? raw;

  return async (app: FastifyInstance) => {
    const csrf = { preHandler: app.csrfProtection.bind(app) };

    app.get<{ Params: { ticket: string } }>("/complaints/:ticket", async (request, reply) =>
      show(request, reply, ticketOf(request.params.ticket)),
    );

    // The reply form posts multipart/form-data (its files); the others are urlencoded. Either way the
    // CSRF check reads the same `_csrf` field from request.body (action-upload.ts).
    const withUpload = { preHandler: [readActionUpload(deps.settings.replyFiles), app.csrfProtection.bind(app)] };

    app.post<{ Params: { ticket: string } }>("/complaints/:ticket/act", withUpload, async (request, reply) => {
      const { t } = stateOf(request);
      const ticket = ticketOf(request.params.ticket);
      const upload = actionUploadOf(request);
      if (upload.problem === "tooManyFiles") {
        reply.status(413);
        return show(request, reply, ticket, {
          kind: "error",
          texts: [t("console.act.tooManyFiles", { max: deps.settings.replyFiles.max }), t("console.act.filesAgain")],
          kept: { action: "reply", text: typedText(request.body) },
        });
      }
      const parsed = actionForm.safeParse(request.body);
      // Files come only with a reply, and only from its file input.
      const stray = upload.strayFiles || (upload.files.length > 0 && parsed.data?.action !== "reply");
      if (!parsed.success || upload.problem === "malformed" || stray) {
        reply.status(400);
        return show(request, reply, ticket, { kind: "error", texts: [t("console.act.badForm")] });
      }
      const result = await run(request, intentOf(ticket, parsed.data), parsed.data.once, upload.files);
      if (result.outcome !== "refused") return show(request, reply, ticket, outcomeOf(t, result));
      reply.status(422);
      const refused = outcomeOf(t, result);
      // The server cannot fill a file input again: the person chooses the files once more.
      const texts = upload.files.length > 0 ? [...refused.texts, t("console.act.filesAgain")] : refused.texts;
      return show(request, reply, ticket, { ...refused, texts, kept: { action: parsed.data.action, text: parsed.data.text ?? "" } });
    });

    app.post<{ Params: { ticket: string } }>("/complaints/:ticket/identity", csrf, async (request, reply) => {
      const { t } = stateOf(request);
      const ticket = ticketOf(request.params.ticket);
      const parsed = z.object({ _csrf: z.string(), once: z.string().uuid() }).safeParse(request.body);
      if (!parsed.success) {
        reply.status(400);
        return show(request, reply, ticket, { kind: "error", texts: [t("console.act.badForm")] });
      }
      // The identity command checks the role and audits the view (or the refused attempt).
      const result = await run(request, { kind: "identity", ticket }, parsed.data.once);
      if (result.outcome !== "done") {
        if (result.outcome === "refused") reply.status(403);
        return show(request, reply, ticket, outcomeOf(t, result));
      }
      return show(request, reply, ticket, { kind: "ok", texts: [], identity: result.messages.map((m) => m.text).join("\n") });
    });

    app.get<{ Params: { ticket: string; id: string }; Querystring: { download?: string } }>(
      "/complaints/:ticket/files/:id",
      async (request, reply) => {
        const ticket = ticketOf(request.params.ticket);
        // The complaint's evidence, or a file staff sent with a reply about it.
        const file = await fileOfComplaint(deps.db, ticket, request.params.id);
        const path = file ? resolve(filesDir, file.storagePath) : undefined;
        // Only files of this complaint, and only inside the attachments folder.
        if (!file || !path || !path.startsWith(filesDir + sep))
          return renderer.problem(request, reply, 404, stateOf(request).t("console.error.notFound"));
        const size = await stat(path).then(
          (s) => s.size,
          () => undefined,
        );
        if (size === undefined) return renderer.problem(request, reply, 404, stateOf(request).t("console.error.notFound"));
        const name = (file.filename ?? file.id).replace(/[^\w.\- ]/g, "_");
        const inline = SHOWN_INLINE.has(file.mime) && request.query.download !== "1";
        reply.header("content-disposition", `${inline ? "inline" : "attachment"}; filename="${name}"`);
        reply.header("content-length", String(size));
        // Only images are shown in the page; anything else is a download, never rendered by the browser.
        return reply.type(inline ? file.mime : "application/octet-stream").send(createReadStream(path));
      },
    );
  };
}
