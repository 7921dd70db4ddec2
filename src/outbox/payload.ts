import type { OutboundMessage } from "../core/index.js";

export type PayloadParse = { ok: true; message: OutboundMessage } | { ok: false; reason: string };

/** The row's payload back into an OutboundMessage. A malformed payload can never be sent: the caller fails the row. */
export function parseOutboxPayload(payload: string): PayloadParse {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (error) {
    return { ok: false, reason: `payload is not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null) return { ok: false, reason: "payload is not an object" };
  const { text, options, ticket } = value as Record<string, unknown>;
  if (typeof text !== "string") return { ok: false, reason: "payload has no text" };
  if (options !== undefined && !(Array.isArray(options) && options.every((o) => typeof o === "string"))) {
    return { ok: false, reason: "payload options must be strings" };
  }
  if (ticket !== undefined && typeof ticket !== "string") return { ok: false, reason: "payload ticket must be a string" };
  const message: OutboundMessage = { text };
  if (options !== undefined) message.options = options as string[];
  if (ticket !== undefined) message.ticket = ticket;
  return { ok: true, message };
}
