import { jsonObject, type Locale } from "../core/index.js";
import { unseal, unsealNullable, type SqlRunner } from "../db/index.js";
import { stepLabel, type SopPreset } from "./sop.js";

/** GET /api/track's answer (CONTRACT.md): what a citizen with the tracking code may see. */
export interface PublicTracking {
  ticket: string;
  kind: "complaint" | "information";
  category: string | null;
  status: "open" | "closed";
  step: string;
  stepLabel: string;
  /** When the current step should be done (its time standard); null once closed. */
  dueAt: string | null;
  events: { at: string; label: string }[];
  replies: { at: string; text: string }[];
}

/** The complainant's identity, only to blank it out of the texts shown (see src/reports/redact.ts). */
export interface IdentityToMask {
  name: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
}

export interface PublicView {
  sop: SopPreset;
  locale: Locale;
  text(key: string, vars?: Record<string, string>): string;
  /** src/reports' redact(): passed in, as the reports depend on this folder and not the other way round. */
  redact(text: string, who: IdentityToMask): string;
}

/**
 * The public history: the event types a complainant may see, each as a plain line. Everything
 * else stays inside the office: internal notes, who viewed the identity, assignments to a named
 * officer, warnings and escalations, refusals.
 */
const PUBLIC_EVENTS: Readonly<Record<string, (data: Record<string, unknown>, view: PublicView) => string>> = {
  received: (_d, v) => v.text("tracking.event.received"),
  "citizen.followup": (_d, v) => v.text("tracking.event.followup"),
  "staff.reply": (_d, v) => v.text("tracking.event.replied"),
  "sop.advance": (d, v) => v.text("tracking.event.step", { step: stepName(d.to, v) }),
  "sop.decided": (d, v) => v.text("tracking.event.step", { step: stepName(d.to, v) }),
  "sop.forward": (_d, v) => v.text("tracking.event.forwarded"),
  "sop.archive": (_d, v) => v.text("tracking.event.archived"),
  "staff.close": (_d, v) => v.text("tracking.event.closed"),
  rated: (_d, v) => v.text("tracking.event.rated"),
};

const stepName = (id: unknown, view: PublicView) => (typeof id === "string" && id !== "" ? stepLabel(view.sop, id)[view.locale] : "-");

const iso = (d: Date | string) => new Date(d).toISOString();

/** A complaint as the tracking page shows it; undefined when there is no such complaint. */
export async function publicTracking(sql: SqlRunner, complaintId: string, view: PublicView): Promise<PublicTracking | undefined> {
  const rows = await sql.query<{
    ticket: string;
    kind: string;
    category: string | null;
    status: string;
    sopStep: string;
    stepDueAt: Date | null;
    name: string | null;
    email: string | null;
    phone: string | null;
    address: string | null;
  }>(
    `SELECT c."ticket", c."kind", c."category", c."status", c."sopStep", c."stepDueAt", p."name", p."email", p."phone", p."address"
       FROM "Complaint" c JOIN "Complainant" p ON p."id" = c."complainantId"
      WHERE c."id" = ?`,
    [complaintId],
  );
  const row = rows[0];
  if (!row) return undefined;
  // Raw SQL reads the sealed columns as stored (src/db/identity-seal.ts): opened here, only to be masked.
  const who: IdentityToMask = {
    name: unsealNullable(row.name),
    email: unsealNullable(row.email),
    phone: unsealNullable(row.phone),
    address: unsealNullable(row.address),
  };
  const events = (
    await sql.query<{ type: string; data: string; createdAt: Date }>(
      `SELECT "type", "data", "createdAt" FROM "ComplaintEvent" WHERE "complaintId" = ? ORDER BY "createdAt", "id"`,
      [complaintId],
    )
  ).map((e) => ({ ...e, data: unseal(e.data) }));
  const closed = row.status === "closed";
  return {
    ticket: row.ticket,
    kind: row.kind === "information" ? "information" : "complaint",
    category: row.category,
    status: closed ? "closed" : "open",
    step: row.sopStep,
    stepLabel: stepName(row.sopStep, view),
    dueAt: !closed && row.stepDueAt ? iso(row.stepDueAt) : null,
    events: events.flatMap((e) => {
      const label = PUBLIC_EVENTS[e.type];
      return label ? [{ at: iso(e.createdAt), label: label(jsonObject(e.data), view) }] : [];
    }),
    replies: events.flatMap((e) => {
      if (e.type !== "staff.reply") return [];
      const text = jsonObject(e.data).text;
      return typeof text === "string" && text.trim() !== "" ? [{ at: iso(e.createdAt), text: view.redact(text, who) }] : [];
    }),
  };
}
