import { Input, type Telegram } from "telegraf";
import type { ReplyParameters } from "telegraf/types";
import type { OutboundMessage, SendResult } from "../../src/core/index.js";
import { createPartSender, splitText } from "../shared/index.js";
import { toSendFailure } from "./errors.js";
import {
  CAPTION_LIMIT,
  TEXT_LIMIT,
  oversizedCallbackData,
  replyMarkupFor,
  telegramMessageId,
  toTelegramHtml,
  type ReplyMarkup,
} from "./format.js";

type Step = { kind: "text"; text: string } | { kind: "photo" | "document"; path: string; filename?: string; caption?: string };

/** Telegram shows these as photos; other images (HEIC, GIF, …) go as documents, which never fail on format. */
const PHOTO_MIMES = new Set(["image/jpeg", "image/png", "image/webp"]);

function plan(message: OutboundMessage): Step[] {
  const files = message.attachments ?? [];
  const text = message.text.trim() === "" ? "" : message.text;
  const captioned = files.length > 0 && text.length <= CAPTION_LIMIT;
  const steps: Step[] = captioned || text === "" ? [] : splitText(text, TEXT_LIMIT).map((part) => ({ kind: "text", text: part }));
  files.forEach((file, i) => {
    steps.push({
      kind: file.kind === "image" && PHOTO_MIMES.has(file.mime) ? "photo" : "document",
      path: file.path,
      filename: file.filename,
      caption: i === 0 && captioned && text !== "" ? text : undefined,
    });
  });
  return steps;
}

/**
 * Sends one OutboundMessage as one or more Bot API calls: text over 4096 characters in parts (the
 * markup on the last part, the reply on the first), files with the text as caption when it fits
 * in 1024 characters. Never throws: a refusal comes back as data.
 */
export function createSender(telegram: Telegram) {
  const sendParts = createPartSender();

  async function sendStep(chatId: string, step: Step, replyTo: number | undefined, markup: ReplyMarkup | undefined): Promise<number> {
    const reply: ReplyParameters | undefined =
      replyTo !== undefined ? { message_id: replyTo, allow_sending_without_reply: true } : undefined;
    if (step.kind === "text") {
      const sent = await telegram.sendMessage(chatId, toTelegramHtml(step.text), {
        parse_mode: "HTML",
        ...(reply ? { reply_parameters: reply } : {}),
        ...(markup ? { reply_markup: markup } : {}),
      });
      return sent.message_id;
    }
    const extra = {
      ...(step.caption !== undefined ? { caption: toTelegramHtml(step.caption), parse_mode: "HTML" as const } : {}),
      // telegraf 4.16 uploads files as multipart and silently drops object fields it does not know
      // (reply_parameters among them: lib/core/network/client.js attachFormValue); the Bot API reads
      // JSON-serialised fields from a form, so the object goes as a JSON string.
      ...(reply ? { reply_parameters: JSON.stringify(reply) as unknown as ReplyParameters } : {}),
      ...(markup ? { reply_markup: markup } : {}),
    };
    const file = Input.fromLocalFile(step.path, step.filename);
    const sent = step.kind === "photo" ? await telegram.sendPhoto(chatId, file, extra) : await telegram.sendDocument(chatId, file, extra);
    return sent.message_id;
  }

  return async function send(chatId: string, message: OutboundMessage): Promise<SendResult> {
    const oversized = oversizedCallbackData(message);
    if (oversized !== undefined) {
      return { ok: false, retryable: false, reason: `button data over 64 bytes: ${oversized.slice(0, 80)}` };
    }
    const steps = plan(message);
    if (steps.length === 0) return { ok: false, retryable: false, reason: "nothing to send: empty text and no attachments" };
    const replyTo = message.replyTo ? telegramMessageId(message.replyTo) : undefined;
    const markup = replyMarkupFor(chatId, message);

    // A retry of the same message after a partial failure skips the parts that already arrived.
    return sendParts(chatId, message, steps, async (step, i) => {
      try {
        const id = await sendStep(chatId, step, i === 0 ? replyTo : undefined, i === steps.length - 1 ? markup : undefined);
        return { ok: true, id: String(id) };
      } catch (error) {
        return toSendFailure(error);
      }
    });
  };
}
