import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import type { Transporter } from "nodemailer";
import type { OutboundMessage, SendResult } from "../../src/core/index.js";
import { isNetworkErrorCode } from "../shared/index.js";
import { domainOf } from "./address.js";
import { htmlPart, replySubject, textPart } from "./format.js";
import type { HourlyLimit } from "./rate-limit.js";
import type { ThreadStore } from "./threads.js";

export type SendFailure = Extract<SendResult, { ok: false }>;

/** nodemailer's own codes for a connection that failed rather than a message refused (Node's: isNetworkErrorCode). */
const NODEMAILER_CONNECTION_CODES: ReadonlySet<string> = new Set(["ECONNECTION", "ESOCKET", "EDNS", "ETLS", "EPROXY", "EMAXLIMIT"]);

/**
 * An SMTP refusal as data (RFC 5321 §4.2.1): a 4yz reply is transient, a 5yz permanent, with the
 * server's own words kept for the operator. A dropped or refused connection is transient too.
 */
export function toSendFailure(error: unknown): SendFailure {
  const e = error as { code?: string; responseCode?: number; response?: string; message?: string };
  const code = typeof e?.responseCode === "number" ? e.responseCode : undefined;
  // nodemailer's `response` is the server's reply line, code first: "550 5.1.1 Mailbox unavailable".
  const text = (e?.response ?? e?.message ?? String(error))
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^\d{3}[ -]/, "");
  if (code !== undefined && code >= 400 && code < 500) return { ok: false, retryable: true, reason: `SMTP ${code}: ${text}` };
  if (code !== undefined && code >= 500) return { ok: false, retryable: false, reason: `SMTP ${code}: ${text}` };
  if (e?.code && (isNetworkErrorCode(e.code) || NODEMAILER_CONNECTION_CODES.has(e.code)))
    return { ok: false, retryable: true, reason: `SMTP connection: ${e.code} ${text}` };
  // Anything else (an attachment file that vanished, a bad address) fails the same way every time.
  return { ok: false, retryable: false, reason: `${e?.code ?? "Error"}: ${text}` };
}

export interface SenderDeps {
  transport: Transporter;
  /** EMAIL_FROM's address. */
  fromAddress: string;
  officeName: string;
  threads: ThreadStore;
  limit: HourlyLimit;
  maxTextLength: number;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Sends one OutboundMessage as one mail in the citizen's thread: `Re: [ticket] subject`,
 * In-Reply-To the citizen's latest mail, References the thread's chain, a text and an HTML part,
 * the office name as sender name. Our Message-ID is recorded in the thread, so the citizen's reply
 * to this mail finds its conversation. Never throws.
 */
export function createSender(deps: SenderDeps) {
  const { threads } = deps;
  const domain = domainOf(deps.fromAddress);

  return async function send(chatId: string, message: OutboundMessage): Promise<SendResult> {
    try {
      if (message.text.trim() === "" && !message.attachments?.length) {
        return { ok: false, retryable: false, reason: "nothing to send: empty text and no attachments" };
      }
      if (message.text.length > deps.maxTextLength) {
        return {
          ok: false,
          retryable: false,
          reason: `text of ${message.text.length} characters is over the e-mail limit of ${deps.maxTextLength}`,
        };
      }
      const thread = (await threads.get(chatId)) ?? threads.fallback(chatId);
      if (!thread) return { ok: false, retryable: false, reason: `no e-mail thread is known for chat ${chatId}` };
      // The address that filed the complaint, never one a later mail named in Reply-To.
      const to = thread.from;
      const wait = await deps.limit.waitFor(to);
      if (wait !== undefined) {
        return { ok: false, retryable: true, retryAfterMs: wait, reason: `hourly answer limit reached for ${to}` };
      }
      const ticket = message.ticket ?? thread.ticket;
      // 128 random bits: a reply naming this id proves its writer received our mail (threads.ts).
      // Recorded before sending, so a reply can never arrive before its id is known.
      const messageId = `<${randomBytes(16).toString("hex")}@${domain}>`;
      try {
        await threads.linkSent(messageId, chatId);
      } catch (error) {
        return { ok: false, retryable: true, reason: `the thread state could not be saved: ${(error as Error).message}` };
      }
      const info = await deps.transport.sendMail({
        from: { name: deps.officeName, address: deps.fromAddress },
        to: thread.name ? { name: thread.name, address: to } : to,
        subject: replySubject(thread.subject, ticket, deps.officeName),
        messageId,
        ...(thread.lastInbound ? { inReplyTo: thread.lastInbound } : {}),
        ...(thread.refs.length > 0 ? { references: thread.refs } : {}),
        text: textPart(message, deps.officeName),
        html: htmlPart(message, deps.officeName),
        attachments: (message.attachments ?? []).map((a) => ({
          filename: a.filename ?? basename(a.path),
          path: a.path,
          contentType: a.mime,
        })),
        headers: {
          // RFC 3834: vacation responders and auto-repliers must not answer this mail (no loops);
          // Exchange's own header for the same.
          "Auto-Submitted": "auto-replied",
          "X-Auto-Response-Suppress": "All",
        },
      });
      // The mail went out: from here on a failure to record it must not make the outbox send it again.
      try {
        await deps.limit.record(to);
        await threads.put(chatId, { ...thread, ...(ticket ? { ticket } : {}), refs: [...thread.refs, messageId] });
        if (ticket) await threads.linkTicket(ticket, chatId);
      } catch (error) {
        // The mail is sent; only the threading of the citizen's reply to it may suffer.
        deps.log("email: sent, but the thread state could not be saved", { chatId, error: (error as Error).message });
      }
      const sentId = typeof info.messageId === "string" && info.messageId !== "" ? info.messageId : messageId;
      return { ok: true, providerMessageId: sentId };
    } catch (error) {
      return toSendFailure(error);
    }
  };
}
