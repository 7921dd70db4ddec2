import { simpleParser, type Attachment, type ParsedMail } from "mailparser";
import { KanalError, type AttachmentKind, type InboundAttachment, type Locale } from "../../src/core/index.js";
import { addressOf } from "./address.js";
import { authenticatedBy, type AuthMethod } from "./authentication.js";
import { automaticReason } from "./loop-safety.js";
import { ownText } from "./quote.js";

/** What the adapter needs of one parsed e-mail. */
export interface MailView {
  /** With angle brackets, as in the header; undefined when the mail has none. */
  messageId?: string;
  /** Answers go here only: a Reply-To is ignored (anyone can name any address there). */
  from: { address: string; name?: string };
  /** Set when the office's mail server proved the From domain (Authentication-Results, see authentication.ts). */
  authenticated?: AuthMethod;
  subject: string;
  inReplyTo?: string;
  references: string[];
  /** True for a reply (In-Reply-To, References or a "Re:" subject): quoted history was stripped. */
  reply: boolean;
  /** The citizen's own words. */
  text: string;
  attachments: InboundAttachment[];
  date?: Date;
  /** Set for auto-replies, bounces, lists and our own mail: never answered. */
  automatic?: string;
  localeHint?: Locale;
}

export type ReadResult = { ok: true; mail: MailView; parsed: ParsedMail } | { ok: false; reason: string; from?: string; subject?: string };

export interface ReadOptions {
  maxAttachmentBytes: number;
  ownAddresses: ReadonlySet<string>;
  /** EMAIL_TRUSTED_AUTHSERV_ID: whose Authentication-Results are believed; none when undefined. */
  trustedAuthservId?: string;
}

/**
 * Inline images this small in a `multipart/related` body are logos and icons of a signature or a
 * newsletter template, not evidence; a photo pasted into the mail is larger and is kept.
 */
const INLINE_DECORATION_BYTES = 10 * 1024;

const REPLY_SUBJECT = /^\s*(?:re|aw|sv|bls|balas|jwb)\s*(?:\[\d+\])?\s*:/i;

function kindOf(mime: string): AttachmentKind {
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("audio/")) return "audio";
  if (mime.startsWith("video/")) return "video";
  return "document";
}

function attachmentOf(a: Attachment, maxBytes: number): InboundAttachment {
  const mime = a.contentType.toLowerCase();
  const size = a.size ?? a.content.byteLength;
  return {
    kind: kindOf(mime),
    mime,
    size,
    ...(a.filename ? { filename: a.filename } : {}),
    // The bytes are already here (the whole mail was fetched); the declared size lets the pipeline
    // decline an oversized file before asking for them, and asking anyway is refused the same way.
    async fetch() {
      if (size > maxBytes) {
        throw new KanalError("KA_TOO_LARGE", `the file is larger than the ${maxBytes}-byte limit for attachments (ATTACHMENT_MAX_BYTES)`);
      }
      return new Uint8Array(a.content.buffer, a.content.byteOffset, a.content.byteLength);
    },
  };
}

function messageIds(value: string | string[] | undefined): string[] {
  const all = Array.isArray(value) ? value : value ? [value] : [];
  return all.flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);
}

const ID_WORDS = new Set([
  "yang",
  "dan",
  "di",
  "tidak",
  "saya",
  "dengan",
  "untuk",
  "ini",
  "itu",
  "ke",
  "dari",
  "ada",
  "sudah",
  "karena",
  "kami",
  "bapak",
  "ibu",
  "mohon",
  "sangat",
  "belum",
]);
const EN_WORDS = new Set([
  "the",
  "and",
  "is",
  "to",
  "of",
  "my",
  "was",
  "for",
  "with",
  "this",
  "that",
  "not",
  "have",
  "it",
  "are",
  "please",
  "been",
  "very",
  "your",
  "i",
]);

/** English only when English words clearly outnumber Indonesian ones; otherwise the office's default. */
export function guessLocale(text: string): Locale | undefined {
  let id = 0;
  let en = 0;
  for (const word of text.toLowerCase().split(/[^a-z]+/)) {
    if (ID_WORDS.has(word)) id++;
    if (EN_WORDS.has(word)) en++;
  }
  return en >= 3 && en > id * 2 ? "en" : undefined;
}

/**
 * Parses a raw message with mailparser (every charset and transfer encoding; HTML converted to
 * text when there is no text part) into what the adapter needs. Never throws: a message that
 * cannot be parsed, or has no sender address, comes back as `ok: false` with the reason.
 */
export async function readMail(source: Buffer, options: ReadOptions): Promise<ReadResult> {
  let parsed: ParsedMail;
  try {
    // skipImageLinks: no data: URLs built into the HTML (we never show it); checksums unused.
    parsed = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true, checksumAlgo: false });
  } catch (error) {
    return { ok: false, reason: `mailparser could not read it: ${(error as Error).message}` };
  }
  const sender = parsed.from?.value.find((a) => a.address && addressOf(a.address));
  const address = addressOf(sender?.address);
  const subject = (parsed.subject ?? "").replace(/\s+/g, " ").trim();
  if (!address) return { ok: false, reason: "it has no sender address (From)", subject };
  const name = sender?.name?.trim();
  const references = messageIds(parsed.references);
  const inReplyTo = messageIds(parsed.inReplyTo)[0];
  const reply = inReplyTo !== undefined || references.length > 0 || REPLY_SUBJECT.test(subject);
  const authenticated = authenticatedBy(parsed.headerLines, address, options.trustedAuthservId);
  const text = ownText(parsed.text ?? "", reply);
  const attachments = parsed.attachments
    .filter((a) => !(a.related && a.contentType.startsWith("image/") && (a.size ?? a.content.byteLength) < INLINE_DECORATION_BYTES))
    .map((a) => attachmentOf(a, options.maxAttachmentBytes));
  const automatic = automaticReason(parsed, address, options.ownAddresses);
  const localeHint = guessLocale(text);
  const mail: MailView = {
    ...(parsed.messageId ? { messageId: messageIds(parsed.messageId)[0] ?? parsed.messageId } : {}),
    from: { address, ...(name && !name.includes("@") ? { name } : {}) },
    ...(authenticated ? { authenticated } : {}),
    subject,
    ...(inReplyTo ? { inReplyTo } : {}),
    references,
    reply,
    text,
    attachments,
    ...(parsed.date && !Number.isNaN(parsed.date.getTime()) ? { date: parsed.date } : {}),
    ...(automatic ? { automatic } : {}),
    ...(localeHint ? { localeHint } : {}),
  };
  return { ok: true, mail, parsed };
}
