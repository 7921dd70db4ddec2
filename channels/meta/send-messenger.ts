import type { Log, OutboundMessage, SendResult } from "../../src/core/index.js";
import { callGraph } from "./graph.js";
import { createPartSender, readUpload, splitText, withOptionsListed, type PartResult, type TextUnit } from "../shared/index.js";
import { hoursSince } from "./reply-window.js";
import { messengerSendResponseSchema } from "./schemas.js";
import { stripBold } from "./text.js";

/**
 * Send API limits (https://developers.facebook.com/docs/messenger-platform/reference/send-api/,
 * https://developers.facebook.com/docs/messenger-platform/send-messages/quick-replies,
 * https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api):
 * Messenger text ≤ 2000 characters, Instagram ≤ 1000 bytes of UTF-8; quick replies ≤ 13 with titles ≤ 20.
 */
export const TEXT_LIMITS: Record<"messenger" | "instagram", { max: number; unit: TextUnit }> = {
  messenger: { max: 2000, unit: "chars" },
  instagram: { max: 1000, unit: "utf8" },
};
export const MAX_QUICK_REPLIES = 13;
export const QUICK_REPLY_TITLE_LIMIT = 20;

/**
 * The standard messaging window is 24 hours; the HUMAN_AGENT tag lets a person answer for 7 days after
 * the user's last message (https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags,
 * Instagram: the same tag, https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api#human-agent).
 */
export const STANDARD_WINDOW_HOURS = 24;
export const HUMAN_AGENT_WINDOW_HOURS = 7 * 24;

export interface MessengerSendOptions {
  channel: "messenger" | "instagram";
  graphApiBase: string;
  /** META_PAGE_ACCESS_TOKEN (the Page's token; the Instagram account is linked to the Page). */
  pageAccessToken: string;
  clock: () => Date;
  log: Log;
}

type File = NonNullable<OutboundMessage["attachments"]>[number];
type Step = { kind: "text"; text: string; quickReplies?: string[] } | { kind: "file"; file: File };

const label = (channel: "messenger" | "instagram") => (channel === "messenger" ? "Messenger" : "Instagram");

/**
 * Sends one OutboundMessage with POST <base>/me/messages?access_token=… (Instagram the same endpoint with
 * the Page token). Text is split at the channel's limit, options become quick replies on the last part,
 * `*bold*` loses its stars (neither app renders it). Messenger files are uploaded with the message
 * (multipart `filedata`); Instagram takes files by public URL only, which we do not have, so its limits
 * say `media: false` and files are left out. Never throws.
 */
export function createMessengerSender(options: MessengerSendOptions) {
  const sendParts = createPartSender();
  const { channel } = options;
  const url = `${options.graphApiBase}/me/messages?access_token=${encodeURIComponent(options.pageAccessToken)}`;
  const limit = TEXT_LIMITS[channel];

  function plan(message: OutboundMessage): Step[] {
    const text = message.text.trim() === "" ? "" : stripBold(message.text);
    const offered = (message.options ?? []).map((o) => o.trim()).filter((o) => o !== "");
    const quick =
      text !== "" && offered.length > 0 && offered.length <= MAX_QUICK_REPLIES && offered.every((o) => o.length <= QUICK_REPLY_TITLE_LIMIT);
    const full = quick ? text : withOptionsListed(text, offered);
    const steps: Step[] = [];
    if (full !== "") {
      const parts = splitText(full, limit.max, limit.unit);
      parts.forEach((part, i) =>
        steps.push({ kind: "text", text: part, ...(quick && i === parts.length - 1 ? { quickReplies: offered } : {}) }),
      );
    }
    const files = message.attachments ?? [];
    if (channel === "messenger") for (const file of files) steps.push({ kind: "file", file });
    else if (files.length > 0) options.log("meta: files are not sent on Instagram", { files: files.length });
    return steps;
  }

  async function post(body: string | FormData, json: boolean): Promise<PartResult> {
    const outcome = await callGraph(url, { method: "POST", ...(json ? { headers: { "content-type": "application/json" } } : {}), body });
    if (!outcome.ok) return outcome;
    const parsed = messengerSendResponseSchema.safeParse(outcome.body);
    // Accepted without an id: sending again could deliver it twice, so it is recorded, not retried.
    if (!parsed.success)
      return { ok: false, retryable: false, reason: `the ${label(channel)} Send API accepted the message but returned no message id` };
    return { ok: true, id: parsed.data.message_id };
  }

  async function sendFile(recipient: string, tagging: Record<string, string>, file: File): Promise<PartResult> {
    const read = await readUpload(file);
    if (!read.ok) return read;
    const bytes = read.bytes;
    // Upload with the message: https://developers.facebook.com/docs/messenger-platform/send-messages#file
    const form = new FormData();
    form.append("recipient", JSON.stringify({ id: recipient }));
    for (const [key, value] of Object.entries(tagging)) form.append(key, value);
    form.append(
      "message",
      JSON.stringify({ attachment: { type: file.kind === "image" ? "image" : "file", payload: { is_reusable: false } } }),
    );
    form.append("filedata", new Blob([new Uint8Array(bytes)], { type: file.mime }), file.filename ?? "file");
    return post(form, false);
  }

  return async function send(chatId: string, message: OutboundMessage): Promise<SendResult> {
    const hours = hoursSince(message.lastInboundAt, options.clock());
    let tagging: Record<string, string> = { messaging_type: "RESPONSE" };
    if (hours !== undefined && hours > STANDARD_WINDOW_HOURS) {
      if (hours > HUMAN_AGENT_WINDOW_HOURS) {
        return {
          ok: false,
          retryable: false,
          reason: `outside ${label(channel)}'s 7-day human-agent window: the citizen last wrote ${Math.floor(hours / 24)} days ago and must write first`,
        };
      }
      // Allowed only to a person answering (our staff replies); the app needs the Human Agent permission.
      tagging = { messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" };
    }
    const steps = plan(message);
    if (steps.length === 0) {
      const files = (message.attachments ?? []).length;
      return {
        ok: false,
        retryable: false,
        reason:
          files > 0 ? `files cannot be sent on ${label(channel)} and there is no text` : "nothing to send: empty text and no attachments",
      };
    }
    return sendParts(chatId, message, steps, (step) => {
      if (step.kind === "file") return sendFile(chatId, tagging, step.file);
      const body = {
        recipient: { id: chatId },
        ...tagging,
        message: {
          text: step.text,
          ...(step.quickReplies
            ? { quick_replies: step.quickReplies.map((title, i) => ({ content_type: "text", title, payload: `opt-${i + 1}` })) }
            : {}),
        },
      };
      return post(JSON.stringify(body), true);
    });
  };
}
