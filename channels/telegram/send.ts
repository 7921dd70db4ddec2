import { Input, type Telegram } from "telegraf";
import type { ReplyParameters } from "telegraf/types";
import type { OutboundMessage, SendResult } from "../../src/core/index.js";
import { toSendFailure } from "./errors.js";
import {
  CAPTION_LIMIT,
  TEXT_LIMIT,
  oversizedCallbackData,
  replyMarkupFor,
  splitText,
  telegramMessageId,
  toTelegramHtml,
  type ReplyMarkup,
} from "./format.js";

type Step = { kind: "text"; text: string } | { kind: "photo" | "document"; path: string; filename?: string; caption?: string };

/** Telegram shows these as photos; other images (HEIC, GIF, …) go as documents, which never fail on format. */
const PHOTO_MIMES = new Set(["image/jpeg", "image/png", "image/webp"]);

/** How many parts of a split message went out before a failure, so a retry of the same message resumes there. */
interface Progress {
  done: number;
  firstId?: string;
}

const MAX_PROGRESS_ENTRIES = 500;

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
  const progress = new Map<string, Progress>();

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

    // The same message sent again after a partial failure (the outbox retrying) skips the parts
    // that already arrived: the citizen does not read the first half twice. Memory only, bounded.
    const key = `${chatId}\u0000${JSON.stringify(message)}`;
    const state = progress.get(key) ?? { done: 0 };
    for (let i = state.done; i < steps.length; i++) {
      try {
        const id = await sendStep(chatId, steps[i]!, i === 0 ? replyTo : undefined, i === steps.length - 1 ? markup : undefined);
        state.firstId ??= String(id);
        state.done = i + 1;
      } catch (error) {
        if (state.done > 0) {
          progress.delete(key);
          progress.set(key, state);
          if (progress.size > MAX_PROGRESS_ENTRIES) progress.delete(progress.keys().next().value!);
        }
        return toSendFailure(error);
      }
    }
    progress.delete(key);
    return { ok: true, providerMessageId: state.firstId! };
  };
}
