import { createHash } from "node:crypto";
import { findTicket, type ChannelStateStore } from "../../src/core/index.js";
import { addressOf } from "./address.js";
import type { MailView } from "./inbound.js";

/**
 * A conversation over e-mail is a mail thread. What answering in it needs is kept in the channel
 * state store (durable, across restarts), as JSON per chat:
 * - `email:thread:<chatId>` → Thread;
 * - `email:sent:<Message-ID>` → chatId, for every mail the bot sent in the thread (random ids,
 *   recorded before sending): naming one of them in In-Reply-To/References is what proves a reply;
 * - `email:msg:<Message-ID>` → chatId, for the citizen's mails of the thread;
 * - `email:ticket:<ticket>` → chatId, once an answer in the thread named the ticket.
 */
export interface Thread {
  /**
   * The address that started the thread (From of its first mail): only mail from it continues the
   * thread, and every answer goes to it alone — never to a Reply-To, which anyone can set. (Threads
   * stored before this rule may still hold a `to`: it is ignored, and dropped when next stored.)
   */
  from: string;
  name?: string;
  /** The thread's subject without "Re:" and ticket tags. */
  subject: string;
  ticket?: string;
  /** The citizen's latest Message-ID: our next answer's In-Reply-To. */
  lastInbound?: string;
  /** The chain for References: the first and the latest message ids. */
  refs: string[];
}

/** RFC 5322 §3.6.4 lets References be trimmed: the first id and the latest ones are what clients thread by. */
const MAX_REFS = 20;

export function trimRefs(refs: string[]): string[] {
  const unique = [...new Set(refs)];
  return unique.length <= MAX_REFS ? unique : [unique[0]!, ...unique.slice(unique.length - (MAX_REFS - 1))];
}

const SUBJECT_PREFIX = /^\s*(?:re|aw|sv|fw|fwd|tr|wg|bls|balas|jwb|trs|terusan)\s*(?:\[\d+\])?\s*:\s*/i;
const TICKET_TAG = /\[\s*[A-Z][A-Z0-9]{0,9}-\d{4}-\d{5,}\s*\]\s*/gi;

/** "Re: RE: [ADU-2026-00001] Loket lambat" → "Loket lambat". */
export function baseSubject(subject: string): string {
  let s = subject.replace(TICKET_TAG, "");
  for (let i = 0; i < 10 && SUBJECT_PREFIX.test(s); i++) s = s.replace(SUBJECT_PREFIX, "").replace(TICKET_TAG, "");
  return s.replace(/\s+/g, " ").trim();
}

const hash = (value: string) => createHash("sha256").update(value).digest("base64url").slice(0, 16);

/**
 * The bot's Message-IDs before they were recorded apart (`email:sent:`): `<random UUID v4@EMAIL_FROM
 * domain>`, kept with the citizen's ids under `email:msg:`. Just as unguessable, so a reply naming
 * one still joins the threads that were open when the bot was upgraded.
 */
const LEGACY_SENT_ID = /^<[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@([^<>@\s]+)>$/;

export class ThreadStore {
  /** @param ownDomain EMAIL_FROM's domain: where the bot's legacy Message-IDs live. */
  constructor(
    private readonly state: ChannelStateStore,
    private readonly ownDomain?: string,
  ) {}

  async get(chatId: string): Promise<Thread | undefined> {
    const raw = await this.state.get(`email:thread:${chatId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as Thread);
  }

  async put(chatId: string, thread: Thread): Promise<void> {
    // A thread stored before answers went to From alone may hold a Reply-To address as `to`: dropped.
    const { to: _legacyTo, ...clean } = thread as Thread & { to?: string };
    await this.state.set(`email:thread:${chatId}`, JSON.stringify({ ...clean, refs: trimRefs(clean.refs) }));
  }

  async linkMessage(messageId: string, chatId: string): Promise<void> {
    await this.state.set(`email:msg:${messageId}`, chatId);
  }

  async linkSent(messageId: string, chatId: string): Promise<void> {
    await this.state.set(`email:sent:${messageId}`, chatId);
  }

  async linkTicket(ticket: string, chatId: string): Promise<void> {
    await this.state.set(`email:ticket:${ticket}`, chatId);
  }

  /**
   * The chat an inbound mail belongs to. A From header proves nothing (anyone can write any
   * address there), nor does a ticket number in the subject. A mail joins a thread when:
   * - its In-Reply-To/References name a Message-ID the bot sent in that thread (random and
   *   unguessable: only someone who received our mail knows it), and it comes from the thread's
   *   address; or
   * - the office's mail server proved its From domain (`mail.authenticated`) and it comes from the
   *   thread's address, naming one of the thread's messages or the thread's ticket in its subject.
   * Otherwise it is a new conversation, keyed by the mail's own id so that a redelivered mail
   * lands in the same chat.
   */
  async chatFor(mail: MailView, providerMessageId: string): Promise<{ chatId: string; thread?: Thread }> {
    const ids = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()];
    const keys = ids.map((id) => `email:sent:${id}`);
    const domain = this.ownDomain?.toLowerCase();
    keys.push(...ids.filter((id) => domain && LEGACY_SENT_ID.exec(id)?.[1]?.toLowerCase() === domain).map((id) => `email:msg:${id}`));
    if (mail.authenticated) {
      keys.push(...ids.map((id) => `email:msg:${id}`));
      const ticket = findTicket(mail.subject);
      if (ticket) keys.push(`email:ticket:${ticket}`);
    }
    for (const key of keys) {
      const chatId = await this.state.get(key);
      const thread = chatId ? await this.get(chatId) : undefined;
      if (chatId && thread?.from === mail.from.address) return { chatId, thread };
    }
    return { chatId: `${mail.from.address}#${hash(providerMessageId)}` };
  }

  /** Records an inbound mail in its thread (before the pipeline sees it: its answers need the thread). */
  async recordInbound(chatId: string, existing: Thread | undefined, mail: MailView): Promise<Thread> {
    const own = mail.messageId ? [mail.messageId] : [];
    const thread: Thread = existing
      ? {
          ...existing,
          ...(mail.from.name ? { name: mail.from.name } : {}),
          ...(mail.messageId ? { lastInbound: mail.messageId } : {}),
          refs: trimRefs([...existing.refs, ...own]),
        }
      : {
          from: mail.from.address,
          ...(mail.from.name ? { name: mail.from.name } : {}),
          subject: baseSubject(mail.subject),
          ...(mail.messageId ? { lastInbound: mail.messageId } : {}),
          // A new conversation may itself answer some other thread: keep its chain, so the
          // citizen's client threads our answer with it.
          refs: trimRefs([...mail.references, ...own]),
        };
    await this.put(chatId, thread);
    if (mail.messageId) await this.linkMessage(mail.messageId, chatId);
    return thread;
  }

  /**
   * A thread the store does not know (its state was lost): answer the address the chat id starts
   * with, in a new thread. Undefined when the chat id is not one of ours.
   */
  fallback(chatId: string): Thread | undefined {
    const address = addressOf(chatId.split("#")[0]);
    return address ? { from: address, subject: "", refs: [] } : undefined;
  }
}
