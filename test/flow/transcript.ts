import { expect } from "vitest";
import type { Locale } from "../../src/core/index.js";
import {
  initialState,
  step,
  type Draft,
  type FlowAttachment,
  type FlowContext,
  type FlowInput,
  type IntakeState,
  type IntakeStep,
  type Reply,
  type StepResult,
} from "../../src/flow/index.js";
import { loadTemplates, render } from "../../src/i18n/index.js";

/** Shared by the flow tests: contexts, inputs, a fake pipeline and the transcript runner. */

export const templates = loadTemplates();
export const OFFICE = "Kantor Uji Coba";

/** Web chat: the page cannot reach the citizen later, so contact and address are required. */
export const web: FlowContext = { channel: "webchat", canReachLater: false };
export const telegram: FlowContext = { channel: "telegram", canReachLater: true, displayName: "Budi Santoso" };
export const whatsapp: FlowContext = { channel: "whatsapp-cloud", canReachLater: true, knownPhone: "+6281234567890" };
export const email: FlowContext = { channel: "email", canReachLater: true, knownEmail: "warga@contoh.id" };
export const both: FlowContext = {
  channel: "email",
  canReachLater: true,
  knownEmail: "warga@contoh.id",
  knownPhone: "+6281234567890",
};

export const file = (id: string): FlowAttachment => ({ accepted: true, id, mime: "image/jpeg", filename: `${id}.jpg` });
export const tooLarge = (filename?: string): FlowAttachment => ({
  accepted: false,
  reason: "tooLarge",
  mime: "video/mp4",
  ...(filename ? { filename } : {}),
});
export const badType = (filename?: string): FlowAttachment => ({
  accepted: false,
  reason: "type",
  mime: "application/x-msdownload",
  ...(filename ? { filename } : {}),
});

export function input(text: string, ...attachments: FlowAttachment[]): FlowInput {
  return { text, attachments };
}

export const keys = (r: StepResult): string[] => r.replies.map((reply) => reply.key);

let sequence = 0;

/**
 * What the pipeline does with a step's result, as far as the flow can see: a created complaint
 * gets a ticket and becomes `state.filed`, and the ticket reaches the replies' vars.
 */
export function applyPipeline(result: StepResult): { state: IntakeState; ticket?: string } {
  const created = result.effects.find((e) => e.type === "createComplaint");
  if (!created) return { state: result.state };
  sequence += 1;
  const ticket = `ADU-2026-${String(sequence).padStart(5, "0")}`;
  return { state: { ...result.state, filed: { complaintId: `c${sequence}`, ticket } }, ticket };
}

/** What the pipeline adds to a receipt's vars with the ticket: the tracking code (src/pipeline/step-batch.ts). */
export const TRACKING_VARS = { trackingCode: "K7QX9M2P", tracking: { key: "tracking.receipt" } } as const;

/** A receipt with the vars the pipeline adds, ready to render. */
export const withTracking = (reply: Reply): Reply => ({ ...reply, vars: { ...TRACKING_VARS, ...reply.vars } });

/** Renders every reply (text and options) in both locales: a missing key or var throws here. */
export function renderAll(result: StepResult, ticket?: string): void {
  for (const locale of ["id", "en"] as const) {
    for (const reply of result.replies) {
      const globals: Record<string, string> = { office: OFFICE, ...(ticket ? { ticket } : {}) };
      const tracking = ticket ? TRACKING_VARS : {};
      const out = render(templates, locale, { ...reply, vars: { ...tracking, ...reply.vars } }, globals);
      expect(out.text.length).toBeGreaterThan(0);
      expect(out.text).not.toMatch(/\{[A-Za-z]+\}/);
    }
  }
}

export interface Row {
  /** What the citizen sends: text, or text with files. */
  say: string | FlowInput;
  /** The template keys of the bot's replies, in order. */
  keys: string[];
  step: IntakeStep;
  /** Draft fields that must hold after this message. */
  draft?: Partial<Draft>;
  locale?: Locale;
  /** Effect types expected from this message (default: none). */
  effects?: string[];
}

export interface Played {
  state: IntakeState;
  results: StepResult[];
}

/** Plays a transcript, checking each row, and returns the final state for further assertions. */
export function play(ctx: FlowContext, locale: Locale, rows: Row[], start?: IntakeState): Played {
  let state: IntakeState | undefined = start;
  const results: StepResult[] = [];
  rows.forEach((row, index) => {
    const message = typeof row.say === "string" ? input(row.say) : row.say;
    const result = step(state, message, ctx, locale);
    const label = `row ${index} (${JSON.stringify(message.text)})`;
    expect(keys(result), label).toEqual(row.keys);
    expect(result.state.step, label).toBe(row.step);
    expect(
      result.effects.map((e) => e.type),
      label,
    ).toEqual(row.effects ?? []);
    if (row.draft) expect(result.state.draft, label).toMatchObject(row.draft);
    if (row.locale) expect(result.state.locale, label).toBe(row.locale);
    const applied = applyPipeline(result);
    renderAll(result, applied.ticket);
    results.push(result);
    state = applied.state;
  });
  return { state: state ?? initialState(locale), results };
}

/** A state at the given step with a draft, for tests that start mid-conversation. */
export function at(stepName: IntakeStep, draft: Partial<Draft> = {}, locale: Locale = "id"): IntakeState {
  return { step: stepName, locale, draft: { attachmentIds: [], ...draft } };
}

export const FULL_DRAFT: Draft = {
  name: "Budi Santoso",
  anonymous: false,
  email: "budi@contoh.id",
  phone: "+6281234567890",
  contactAsked: true,
  address: "Jl. Merdeka No. 10, Bandung",
  addressAsked: true,
  category: "Pelayanan",
  text: "Antrean di loket tiga sangat lama dan tidak tertib.",
  attachmentIds: [],
  evidenceAsked: true,
};
