import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import type { OutboundMessage, SendResult } from "../../src/core/index.js";
import { createPartSender, isNetworkErrorCode, splitText, withOptionsListed } from "../shared/index.js";
import { DISCORD_TEXT_LIMIT, toDiscordMarkdown } from "./text.js";

export type SendFailure = Extract<SendResult, { ok: false }>;

/** The slice of @discordjs/rest's REST the sender uses (client.rest). */
export interface RestLike {
  post(route: `/${string}`, options: { body?: unknown; files?: { name: string; data: Buffer; contentType?: string }[] }): Promise<unknown>;
}

/** At most 10 files in one message (https://discord.com/developers/docs/resources/message#create-message). */
const MAX_FILES_PER_MESSAGE = 10;

/**
 * JSON error codes that will fail the same way again
 * (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes):
 * 50007 cannot send messages to this user (DMs closed, no shared server, blocked), 10003 unknown
 * channel, 10013 unknown user, 50001 missing access, 50013 missing permissions, 50035 invalid form
 * body, 40005 request entity too large, 50006 empty message.
 */
const PERMANENT_CODES = new Set([50007, 10003, 10013, 50001, 50013, 50035, 40005, 50006]);

/**
 * Discord's refusal as data. A 429 comes as discord.js's RateLimitError because the client is built
 * with `rejectOnRateLimit` for message routes: the outbox waits `retryAfterMs` (Retry-After, exact:
 * the REST offset is 0), instead of discord.js holding the send, and every send queued behind it,
 * in memory. 5xx (discord.js already retried once), timeouts and network failures are retried with
 * the outbox's backoff; 4xx are permanent — 403/50007 is a citizen who closed DMs or left the server.
 */
export function classifyDiscordError(error: unknown): SendFailure {
  if (error instanceof RateLimitError) {
    const scope = error.global ? "global" : error.scope;
    return {
      ok: false,
      retryable: true,
      retryAfterMs: Math.max(0, Math.ceil(error.retryAfter)),
      reason: `429 rate limited (${scope}) on ${error.route}`,
    };
  }
  if (error instanceof DiscordAPIError) {
    const reason = `${error.status} ${error.code} ${error.message}`;
    if (error.status === 429 || error.status >= 500) return { ok: false, retryable: true, reason };
    if (error.status === 401) return { ok: false, retryable: false, reason: `${reason} (DISCORD_BOT_TOKEN was refused)` };
    // Any other 4xx will be refused again; the known codes get a word for the operator.
    const known = typeof error.code === "number" && PERMANENT_CODES.has(error.code);
    return {
      ok: false,
      retryable: false,
      reason: known && error.code === 50007 ? `${reason} (the citizen closed DMs or shares no server with the bot)` : reason,
    };
  }
  if (error instanceof HTTPError) {
    const reason = `${error.status} ${error.message}`;
    return { ok: false, retryable: error.status >= 500 || error.status === 408, reason };
  }
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  if (e?.name === "AbortError" || e?.name === "TimeoutError" || isNetworkErrorCode(code) || e?.message === "fetch failed") {
    return { ok: false, retryable: true, reason: `network: ${code ?? e?.name ?? "error"}` };
  }
  // A local file that vanished, a bug: the same on every attempt.
  return { ok: false, retryable: false, reason: `${e?.name ?? "Error"}: ${e?.message ?? String(error)}` };
}

type Step = { content: string; files: NonNullable<OutboundMessage["attachments"]> };

/**
 * Text parts of ≤ 2000 characters; the files go with the last part (10 per message; more files
 * follow in messages of their own).
 */
export function plan(message: OutboundMessage): Step[] {
  const text = toDiscordMarkdown(withOptionsListed(message.text, message.options ?? []));
  const files = message.attachments ?? [];
  const steps: Step[] = text.trim() === "" ? [] : splitText(text, DISCORD_TEXT_LIMIT).map((content) => ({ content, files: [] }));
  for (let i = 0; i < files.length; i += MAX_FILES_PER_MESSAGE) {
    const group = files.slice(i, i + MAX_FILES_PER_MESSAGE);
    const last = steps.at(-1);
    if (i === 0 && last) last.files = group;
    else steps.push({ content: "", files: group });
  }
  return steps;
}

/**
 * Posts one OutboundMessage to a DM channel as one or more messages. Never throws. A retry of the
 * same message after a partial failure (the outbox again) skips the parts that already arrived.
 */
export function createSender(rest: RestLike) {
  const sendParts = createPartSender();

  async function post(chatId: string, step: Step, replyTo: string | undefined): Promise<string> {
    const files = await Promise.all(
      step.files.map(async (file) => ({
        name: file.filename ?? basename(file.path),
        data: await readFile(file.path),
        contentType: file.mime,
      })),
    );
    const body = {
      ...(step.content !== "" ? { content: step.content } : {}),
      // Nobody is pinged by a relayed text ("@everyone" in a staff reply stays text).
      allowed_mentions: { parse: [] },
      ...(replyTo ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } } : {}),
      ...(files.length > 0 ? { attachments: files.map((f, id) => ({ id, filename: f.name })) } : {}),
    };
    const sent = (await rest.post(`/channels/${chatId}/messages`, { body, ...(files.length > 0 ? { files } : {}) })) as { id?: unknown };
    return String(sent.id);
  }

  return async function send(chatId: string, message: OutboundMessage): Promise<SendResult> {
    if (!/^\d{1,20}$/.test(chatId)) return { ok: false, retryable: false, reason: `not a Discord channel id: ${chatId.slice(0, 40)}` };
    const steps = plan(message);
    if (steps.length === 0) return { ok: false, retryable: false, reason: "nothing to send: empty text and no attachments" };
    return sendParts(chatId, message, steps, async (step, i) => {
      try {
        return { ok: true, id: await post(chatId, step, i === 0 ? message.replyTo : undefined) };
      } catch (error) {
        return classifyDiscordError(error);
      }
    });
  };
}
