import type { OutboundMessage, SendResult } from "../../src/core/index.js";
import { createPartSender, splitText, withOptionsListed, type PartResult } from "../shared/index.js";
import type { WaClientLike } from "./client.js";

export type SendFailure = Extract<SendResult, { ok: false }>;

/**
 * WhatsApp takes about 65,000 characters in a message, but a wall of text is unreadable on a phone;
 * 4096 is what the Cloud API allows, so both WhatsApp channels read the same. Captions: 1024, as there.
 */
export const WA_WEB_TEXT_LIMIT = 4096;
export const WA_WEB_CAPTION_LIMIT = 1024;

/** Images WhatsApp shows as photos; any other file goes as a document (never refused for its format). */
const PHOTO_MIMES = new Set(["image/jpeg", "image/png"]);

/**
 * Errors that will come again for this chat: a malformed id ("invalid wid"), a number that is not on
 * WhatsApp, or one WhatsApp Web has no privacy id for ("No LID for user", whatsapp-web.js 1.34 with
 * an unknown number: https://github.com/wwebjs/whatsapp-web.js/issues/3919), a file that is gone.
 */
const PERMANENT =
  /invalid wid|wid error|no lid for user|lid not provided|not a whatsapp user|not registered|not on whatsapp|ENOENT|EISDIR|no such file/i;

/**
 * The browser or page went away under the call (puppeteer: "Session closed", "Target closed",
 * "Execution context was destroyed", "detached Frame"): the client is restarted and the send retried.
 */
const BROWSER_GONE =
  /session closed|target closed|execution context was destroyed|detached frame|page has been closed|protocol error|browser has disconnected|connection closed/i;

export function isBrowserGone(error: unknown): boolean {
  return BROWSER_GONE.test(messageOf(error));
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : JSON.stringify(error);
}

/**
 * whatsapp-web.js answers no status codes: the error's text is all there is. Anything not known to
 * be permanent is retried (a page that was busy, a media upload that stalled): the outbox gives up
 * after its attempts, and the last reason is on record.
 */
export function classifySendError(error: unknown): SendFailure {
  const reason = `whatsapp-web: ${messageOf(error).split("\n")[0]!.slice(0, 300)}`;
  if (PERMANENT.test(reason)) return { ok: false, retryable: false, reason };
  return { ok: false, retryable: true, reason };
}

type Step = { kind: "text"; text: string } | { kind: "file"; file: NonNullable<OutboundMessage["attachments"]>[number]; caption?: string };

/** Text parts first (or the text as the first file's caption when it fits), then the files. */
export function plan(message: OutboundMessage): Step[] {
  const listed = withOptionsListed(message.text, message.options ?? []);
  const text = listed.trim() === "" ? "" : listed;
  const files = message.attachments ?? [];
  const captioned = files.length > 0 && text !== "" && text.length <= WA_WEB_CAPTION_LIMIT;
  const steps: Step[] = captioned || text === "" ? [] : splitText(text, WA_WEB_TEXT_LIMIT).map((part) => ({ kind: "text", text: part }));
  files.forEach((file, i) => steps.push({ kind: "file", file, ...(i === 0 && captioned ? { caption: text } : {}) }));
  return steps;
}

/**
 * Sends one OutboundMessage as one or more WhatsApp messages. `*bold*` is WhatsApp's own markup and
 * goes as it is. Never throws. A retry of the same message after a partial failure (the outbox
 * again) skips the parts that already arrived, so the citizen does not read them twice.
 */
export function createSender(options: { client: () => WaClientLike | undefined; onBrowserGone: (reason: string) => void }) {
  const sendParts = createPartSender();

  async function sendStep(client: WaClientLike, chatId: string, step: Step, quoted: string | undefined): Promise<string | undefined> {
    const extra = quoted ? { quotedMessageId: quoted } : {};
    if (step.kind === "text") {
      const sent = await client.sendMessage(chatId, step.text, { linkPreview: false, ...extra });
      return sent?.id._serialized;
    }
    const media = await client.createMedia(step.file.path, {
      mime: step.file.mime,
      ...(step.file.filename ? { filename: step.file.filename } : {}),
    });
    const asPhoto = step.file.kind === "image" && PHOTO_MIMES.has(step.file.mime);
    const sent = await client.sendMessage(chatId, media, {
      ...(step.caption !== undefined ? { caption: step.caption } : {}),
      ...(asPhoto ? {} : { sendMediaAsDocument: true }),
      ...extra,
    });
    return sent?.id._serialized;
  }

  return async function send(chatId: string, message: OutboundMessage, notReady: () => SendFailure | undefined): Promise<SendResult> {
    const steps = plan(message);
    if (steps.length === 0) return { ok: false, retryable: false, reason: "nothing to send: empty text and no attachments" };
    return sendParts(chatId, message, steps, async (step, i): Promise<PartResult> => {
      const refusal = notReady();
      if (refusal) return refusal;
      const client = options.client();
      if (!client) return { ok: false, retryable: true, reason: "whatsapp-web: no client" };
      try {
        const id = await sendStep(client, chatId, step, i === 0 ? message.replyTo : undefined);
        // sendMessage resolves undefined when WhatsApp Web finds no chat for the id.
        if (id === undefined) return { ok: false, retryable: false, reason: `whatsapp-web: WhatsApp found no chat for ${chatId}` };
        return { ok: true, id };
      } catch (error) {
        const failure = classifySendError(error);
        if (isBrowserGone(error)) options.onBrowserGone(failure.reason);
        return failure;
      }
    });
  };
}
