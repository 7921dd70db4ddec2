import { z } from "zod";
import type { OutboundMessage } from "../core/index.js";
import { unseal } from "../db/index.js";

/** The payload column, as src/outbox/enqueue.ts writes it: an OutboundMessage, plus `threadOf` (a complaint whose staff card this answers). */
export type OutboxPayload = OutboundMessage & { threadOf?: string };

const payloadSchema = z.object({
  text: z.string({ error: "payload has no text" }),
  options: z.array(z.string({ error: "payload options must be strings" }), { error: "payload options must be strings" }).optional(),
  ticket: z.string({ error: "payload ticket must be a string" }).optional(),
  replyTo: z.string().optional(),
  lastInboundAt: z.string().optional(),
  buttons: z.array(z.array(z.object({ label: z.string(), data: z.string() }))).optional(),
  attachments: z
    .array(z.object({ kind: z.enum(["image", "document"]), mime: z.string(), filename: z.string().optional(), path: z.string() }))
    .optional(),
  /** Resolved at send time into `replyTo`: the provider id of that complaint's card in the same chat. */
  threadOf: z.string().optional(),
}) satisfies z.ZodType<OutboxPayload>;

export type PayloadParse = { ok: true; message: OutboundMessage; threadOf?: string } | { ok: false; reason: string };

/** The row's payload back into an OutboundMessage. A malformed payload can never be sent: the caller fails the row. */
export function parseOutboxPayload(payload: string): PayloadParse {
  let value: unknown;
  try {
    value = JSON.parse(unseal(payload));
  } catch (error) {
    return { ok: false, reason: `payload is not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "payload is not an object" };
  const parsed = payloadSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues[0]!.message };
  const { threadOf, ...rest } = parsed.data;
  const message: OutboundMessage = rest;
  return threadOf ? { ok: true, message, threadOf } : { ok: true, message };
}
