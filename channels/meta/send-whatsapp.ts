import type { Log, OutboundMessage, SendResult } from "../../src/core/index.js";
import { callGraph, type SendFailure } from "./graph.js";
import { createPartSender, readUpload, splitText, withOptionsListed, type PartResult } from "../shared/index.js";
import { hoursSince } from "./reply-window.js";
import { waSendResponseSchema, waUploadResponseSchema } from "./schemas.js";
import { splitTail } from "./text.js";

/**
 * WhatsApp Cloud API limits (https://developers.facebook.com/docs/whatsapp/cloud-api/messages/text-messages,
 * …/interactive-reply-buttons-messages, …/interactive-list-messages, …/reference/media#supported-media-types).
 */
export const WA_TEXT_LIMIT = 4096;
/** Body of an interactive message, caption of a file, and our template parameter. */
export const WA_BODY_LIMIT = 1024;
export const WA_MAX_BUTTONS = 3;
export const WA_BUTTON_TITLE_LIMIT = 20;
export const WA_MAX_ROWS = 10;
export const WA_ROW_TITLE_LIMIT = 24;
/** Images WhatsApp shows as photos; anything else, or larger than 5 MB, goes as a document. */
const WA_IMAGE_MIMES = new Set(["image/jpeg", "image/png"]);
const WA_IMAGE_MAX_BYTES = 5 * 1024 * 1024;
/** The customer-service window (https://developers.facebook.com/docs/whatsapp/pricing#customer-service-windows). */
export const WA_WINDOW_HOURS = 24;

/**
 * The button that opens an interactive list (≤ 20 characters). A UI affordance in both our
 * languages, not a message: the adapter does not know the conversation's locale.
 */
export const LIST_BUTTON_LABEL = "Pilih / Choose";

export interface WhatsAppSendOptions {
  graphApiBase: string;
  token: string;
  phoneNumberId: string;
  /** WHATSAPP_REPLY_TEMPLATE: an approved template with one body parameter, for replies outside the window. */
  replyTemplate?: { name: string; language: string };
  clock: () => Date;
  log: Log;
}

type File = NonNullable<OutboundMessage["attachments"]>[number];

type Step = { kind: "payload"; payload: Record<string, unknown> } | { kind: "file"; file: File; caption?: string };

const optionsOf = (message: OutboundMessage) => (message.options ?? []).map((o) => o.trim()).filter((o) => o !== "");

const unique = (values: string[]) => new Set(values).size === values.length;

/** Reply buttons (1–3 short unique titles), a list (up to 10 rows of ≤ 24), or nothing: options then go as text. */
function interactiveFor(options: string[]): "button" | "list" | undefined {
  if (options.length === 0 || !unique(options)) return undefined;
  if (options.length <= WA_MAX_BUTTONS && options.every((o) => o.length <= WA_BUTTON_TITLE_LIMIT)) return "button";
  if (options.length <= WA_MAX_ROWS && options.every((o) => o.length <= WA_ROW_TITLE_LIMIT)) return "list";
  return undefined;
}

function interactive(kind: "button" | "list", body: string, options: string[]): Record<string, unknown> {
  const action =
    kind === "button"
      ? { buttons: options.map((title, i) => ({ type: "reply", reply: { id: `opt-${i + 1}`, title } })) }
      : { button: LIST_BUTTON_LABEL, sections: [{ rows: options.map((title, i) => ({ id: `opt-${i + 1}`, title })) }] };
  return { type: "interactive", interactive: { type: kind, body: { text: body }, action } };
}

const textPayload = (body: string): Record<string, unknown> => ({ type: "text", text: { body, preview_url: false } });

/**
 * A template parameter may hold no newline, tab or run of more than four spaces (error 132018), and
 * our template's body allows 1024 characters in all: lines become " · ", the rest is cut with "…".
 */
export function templateParameter(text: string): string {
  const flat = text
    .trim()
    .split(/\s*\n\s*/)
    .filter((line) => line !== "")
    .join(" · ")
    .replace(/[\t ]+/g, " ");
  if (flat.length <= WA_BODY_LIMIT) return flat;
  const cut = isHigh(flat.charCodeAt(WA_BODY_LIMIT - 2)) ? WA_BODY_LIMIT - 2 : WA_BODY_LIMIT - 1;
  return `${flat.slice(0, cut).trimEnd()}…`;
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** The API calls for one message inside the window, in order. */
function plan(message: OutboundMessage): Step[] {
  const files = message.attachments ?? [];
  const text = message.text.trim() === "" ? "" : message.text;
  const options = optionsOf(message);
  const kind = text === "" ? undefined : interactiveFor(options);
  const steps: Step[] = [];
  if (files.length > 0 && options.length === 0 && text !== "" && text.length <= WA_BODY_LIMIT) {
    // The text as the first file's caption: one message, as a person would send it.
    files.forEach((file, i) => steps.push({ kind: "file", file, ...(i === 0 ? { caption: text } : {}) }));
    return steps;
  }
  if (kind) {
    const parts = splitText(text, WA_TEXT_LIMIT);
    // The buttons go with the last part, whose body may only be 1024 characters: a longer last part
    // is cut once more, its head sent as text before.
    const { head, tail } = splitTail(parts.pop()!, WA_BODY_LIMIT);
    if (head !== "") parts.push(head);
    for (const part of parts) steps.push({ kind: "payload", payload: textPayload(part) });
    steps.push({ kind: "payload", payload: interactive(kind, tail, options) });
  } else {
    const full = withOptionsListed(text, options);
    if (full !== "") for (const part of splitText(full, WA_TEXT_LIMIT)) steps.push({ kind: "payload", payload: textPayload(part) });
  }
  for (const file of files) steps.push({ kind: "file", file });
  return steps;
}

/**
 * Sends one OutboundMessage through the Cloud API: POST <base>/<phone-number-id>/messages with the
 * token. Inside the 24-hour window: text (split over 4096), options as reply buttons or a list, files
 * uploaded to /media and sent by id. Outside it: the reply template when one is configured, otherwise
 * a permanent refusal without calling the API (staff were told already: limits.replyWindow).
 * Never throws.
 */
export function createWhatsAppSender(options: WhatsAppSendOptions) {
  const sendParts = createPartSender();
  const messagesUrl = `${options.graphApiBase}/${encodeURIComponent(options.phoneNumberId)}/messages`;
  const mediaUrl = `${options.graphApiBase}/${encodeURIComponent(options.phoneNumberId)}/media`;
  const auth = { authorization: `Bearer ${options.token}` };

  async function post(chatId: string, payload: Record<string, unknown>): Promise<PartResult> {
    const outcome = await callGraph(messagesUrl, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp", recipient_type: "individual", to: chatId, ...payload }),
    });
    if (!outcome.ok) return outcome;
    const parsed = waSendResponseSchema.safeParse(outcome.body);
    // Accepted without an id: sending again could deliver it twice, so it is recorded, not retried.
    if (!parsed.success) return { ok: false, retryable: false, reason: "the Cloud API accepted the message but returned no message id" };
    return { ok: true, id: parsed.data.messages[0]!.id };
  }

  async function upload(file: File): Promise<{ ok: true; id: string; size: number } | SendFailure> {
    const read = await readUpload(file);
    if (!read.ok) return read;
    const bytes = read.bytes;
    const form = new FormData();
    form.append("messaging_product", "whatsapp");
    form.append("type", file.mime);
    form.append("file", new Blob([new Uint8Array(bytes)], { type: file.mime }), file.filename ?? "file");
    const outcome = await callGraph(mediaUrl, { method: "POST", headers: auth, body: form });
    if (!outcome.ok) return outcome;
    const parsed = waUploadResponseSchema.safeParse(outcome.body);
    if (!parsed.success) return { ok: false, retryable: true, reason: "the Cloud API answered a media upload without an id" };
    return { ok: true, id: parsed.data.id, size: bytes.byteLength };
  }

  async function sendFile(chatId: string, step: Extract<Step, { kind: "file" }>, context: Record<string, unknown>): Promise<PartResult> {
    const uploaded = await upload(step.file);
    if (!uploaded.ok) return uploaded;
    const asImage = step.file.kind === "image" && WA_IMAGE_MIMES.has(step.file.mime) && uploaded.size <= WA_IMAGE_MAX_BYTES;
    const caption = step.caption !== undefined ? { caption: step.caption } : {};
    const payload = asImage
      ? { type: "image", image: { id: uploaded.id, ...caption } }
      : { type: "document", document: { id: uploaded.id, ...(step.file.filename ? { filename: step.file.filename } : {}), ...caption } };
    return post(chatId, { ...context, ...payload });
  }

  return async function send(chatId: string, message: OutboundMessage): Promise<SendResult> {
    const hours = hoursSince(message.lastInboundAt, options.clock());
    let steps: Step[];
    if (hours !== undefined && hours > WA_WINDOW_HOURS) {
      const template = options.replyTemplate;
      if (!template) {
        return { ok: false, retryable: false, reason: "outside WhatsApp's 24-hour window and no WHATSAPP_REPLY_TEMPLATE configured" };
      }
      if (message.text.trim() === "") {
        return {
          ok: false,
          retryable: false,
          reason: "outside WhatsApp's 24-hour window only a template with text can be sent; files need the citizen to write first",
        };
      }
      if ((message.attachments ?? []).length > 0) {
        options.log("meta: files left out of a WhatsApp template reply (outside the 24-hour window)", {
          chatId,
          files: message.attachments!.length,
        });
      }
      // https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
      steps = [
        {
          kind: "payload",
          payload: {
            type: "template",
            template: {
              name: template.name,
              language: { code: template.language },
              components: [{ type: "body", parameters: [{ type: "text", text: templateParameter(message.text) }] }],
            },
          },
        },
      ];
    } else {
      steps = plan(message);
    }
    if (steps.length === 0) return { ok: false, retryable: false, reason: "nothing to send: empty text and no attachments" };
    const context = message.replyTo ? { context: { message_id: message.replyTo } } : {};
    return sendParts(chatId, message, steps, (step, i) => {
      const ctx = i === 0 ? context : {};
      return step.kind === "payload" ? post(chatId, { ...ctx, ...step.payload }) : sendFile(chatId, step, ctx);
    });
  };
}
