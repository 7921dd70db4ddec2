import { madeUpNameExtension, type InboundAttachment, type InboundMessage } from "../../src/core/index.js";
import { locationAttachment, mimeFromUrl, urlMedia, whatsappMedia, type MediaAccess } from "./media.js";
import {
  envelopeSchema,
  messagingItemSchema,
  pageEntrySchema,
  waChangeSchema,
  waContactSchema,
  waEntrySchema,
  waMessageSchema,
  waStatusSchema,
  waValueSchema,
  type MessagingItem,
  type WaMessage,
  type WaStatus,
} from "./schemas.js";

/** A WhatsApp delivery receipt for a message we sent (its id is our send's providerMessageId). */
export interface StatusUpdate {
  providerMessageId: string;
  status: "sent" | "delivered" | "read" | "failed";
  /** For "failed": "<code> <title>: <details>", e.g. "131047 Re-engagement message: …". */
  error?: string;
  at: Date;
}

export type MetaChannelName = "whatsapp-cloud" | "messenger" | "instagram";

export type MetaEvent =
  { kind: "message"; message: InboundMessage & { channel: MetaChannelName } } | { kind: "status"; update: StatusUpdate };

/** What a webhook body held: the events to pass on, and what was left out (for the log). */
export interface ParsedBatch {
  events: MetaEvent[];
  /** Things acknowledged and not passed on (echoes, reads, unknown objects…), counted by kind. */
  ignored: Record<string, number>;
  /** The part of `ignored` that is not routine (unknown objects and shapes, unconfigured products): worth a log line. */
  unexpected: Record<string, number>;
  /** Items that did not match Meta's shapes, with where they were; skipped, the rest goes on. */
  invalid: { at: string; issue: string }[];
}

/** What the parser knows of the configured products; a product without credentials is ignored. */
export interface ParseContext {
  whatsapp?: { phoneNumberId: string; media: MediaAccess };
  messenger: boolean;
  instagram: boolean;
  maxAttachmentBytes: number;
}

const OBJECTS: Record<string, MetaChannelName> = {
  whatsapp_business_account: "whatsapp-cloud",
  page: "messenger",
  instagram: "instagram",
};

const STATUSES = new Set(["sent", "delivered", "read", "failed"]);

/** Counts something left out; `routine` (echoes, receipts) is not worth a log line. */
type Ignore = (kind: string, routine?: boolean) => void;

function issueOf(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const first = error.issues[0];
  return first ? `${first.path.map(String).join(".") || "(root)"}: ${first.message}` : "invalid";
}

/** Turns one verified webhook body (already JSON) into events. Never throws. */
export function parseWebhookBody(body: unknown, context: ParseContext): ParsedBatch {
  const batch: ParsedBatch = { events: [], ignored: {}, unexpected: {}, invalid: [] };
  const ignore: Ignore = (kind, routine = false) => {
    batch.ignored[kind] = (batch.ignored[kind] ?? 0) + 1;
    if (!routine) batch.unexpected[kind] = (batch.unexpected[kind] ?? 0) + 1;
  };
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) {
    ignore("unknown shape");
    return batch;
  }
  const channel = OBJECTS[envelope.data.object];
  if (!channel) {
    ignore(`object ${envelope.data.object.slice(0, 60)}`);
    return batch;
  }
  const configured = channel === "whatsapp-cloud" ? context.whatsapp !== undefined : context[channel];
  if (!configured) {
    // Meta still sends them (the app is subscribed); answering them needs the product's token.
    ignore(`${channel} not configured`);
    return batch;
  }
  envelope.data.entry.forEach((entry, e) => {
    if (channel === "whatsapp-cloud") whatsappEntry(entry, `entry[${e}]`, context.whatsapp!, batch, ignore);
    else pageEntry(channel, entry, `entry[${e}]`, context.maxAttachmentBytes, batch, ignore);
  });
  return batch;
}

// ---------------------------------------------------------------------------------------------
// WhatsApp Cloud API

function whatsappEntry(entry: unknown, at: string, wa: NonNullable<ParseContext["whatsapp"]>, batch: ParsedBatch, ignore: Ignore): void {
  const parsedEntry = waEntrySchema.safeParse(entry);
  if (!parsedEntry.success) return void batch.invalid.push({ at, issue: issueOf(parsedEntry.error) });
  parsedEntry.data.changes.forEach((change, c) => {
    const where = `${at}.changes[${c}]`;
    const parsedChange = waChangeSchema.safeParse(change);
    if (!parsedChange.success) return void batch.invalid.push({ at: where, issue: issueOf(parsedChange.error) });
    // Template status, quality, account updates and the rest are for the business manager, not us.
    if (parsedChange.data.field !== "messages") return ignore(`field ${parsedChange.data.field.slice(0, 60)}`);
    const value = waValueSchema.safeParse(parsedChange.data.value);
    if (!value.success) return void batch.invalid.push({ at: `${where}.value`, issue: issueOf(value.error) });
    const { metadata, contacts = [], messages = [], statuses = [] } = value.data;
    // One app may serve several numbers: replies would go out from ours, so others' traffic is not ours.
    if (metadata.phone_number_id !== wa.phoneNumberId) {
      ignore(`phone number id ${metadata.phone_number_id} (not WHATSAPP_PHONE_NUMBER_ID)`);
      return;
    }
    const names = new Map<string, string | undefined>();
    for (const contact of contacts) {
      const parsed = waContactSchema.safeParse(contact);
      if (parsed.success) names.set(parsed.data.wa_id, parsed.data.profile?.name);
    }
    messages.forEach((raw, m) => {
      const parsed = waMessageSchema.safeParse(raw);
      if (!parsed.success) return void batch.invalid.push({ at: `${where}.value.messages[${m}]`, issue: issueOf(parsed.error) });
      // With one contact the name is that contact's even when `from` is written differently (some
      // countries' numbers are normalised: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components).
      const name = names.get(parsed.data.from) ?? (names.size === 1 ? [...names.values()][0] : undefined);
      const message = whatsappMessage(parsed.data, raw, { metadata, name }, wa.media);
      if (message) batch.events.push({ kind: "message", message });
      else ignore(`whatsapp ${parsed.data.type}`, true);
    });
    statuses.forEach((raw, s) => {
      const parsed = waStatusSchema.safeParse(raw);
      if (!parsed.success) return void batch.invalid.push({ at: `${where}.value.statuses[${s}]`, issue: issueOf(parsed.error) });
      const update = statusUpdate(parsed.data);
      if (update) batch.events.push({ kind: "status", update });
      else ignore(`status ${parsed.data.status.slice(0, 30)}`);
    });
  });
}

function statusUpdate(status: WaStatus): StatusUpdate | undefined {
  if (!STATUSES.has(status.status)) return undefined;
  const error = status.errors?.[0];
  const details = error?.error_data?.details;
  return {
    providerMessageId: status.id,
    status: status.status as StatusUpdate["status"],
    ...(error ? { error: [`${error.code} ${error.title ?? error.message ?? ""}`.trim(), details].filter(Boolean).join(": ") } : {}),
    at: status.timestamp,
  };
}

/**
 * One citizen message. What we cannot use (sticker, reaction, contacts, an order, an unsupported
 * type) still comes through with empty text and no attachment, so the flow answers politely;
 * `system` notices (a number changed) and removed reactions are nobody speaking and return undefined.
 */
export function whatsappMessage(
  m: WaMessage,
  raw: unknown,
  context: { metadata: unknown; name?: string },
  media: MediaAccess,
): (InboundMessage & { channel: "whatsapp-cloud" }) | undefined {
  let text = "";
  let attachments: InboundAttachment[] = [];
  const file = (
    kind: InboundAttachment["kind"],
    fallbackMime: string,
    item: NonNullable<WaMessage["image"]>,
    name: (ext: string) => string,
  ) => {
    const mime = item.mime_type ?? fallbackMime;
    attachments = [whatsappMedia(media, item.id, { kind, mime, filename: item.filename ?? name(madeUpNameExtension(mime)) })];
    text = item.caption ?? "";
  };
  switch (m.type) {
    case "text":
      text = m.text?.body ?? "";
      break;
    case "interactive":
      // Our buttons and list rows carry the option labels as titles: the title is the answer.
      text = m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? "";
      break;
    case "button":
      text = m.button?.text ?? "";
      break;
    case "image":
      if (m.image) file("image", "image/jpeg", m.image, (ext) => `image-${m.image!.id}.${ext}`);
      break;
    case "document":
      if (m.document) {
        const mime = m.document.mime_type ?? "application/octet-stream";
        file(mime.startsWith("image/") ? "image" : "document", mime, m.document, (ext) => `document-${m.document!.id}.${ext}`);
      }
      break;
    case "audio":
      if (m.audio) file("audio", "audio/ogg", m.audio, (ext) => `${m.audio!.voice ? "voice" : "audio"}-${m.audio!.id}.${ext}`);
      break;
    case "video":
      if (m.video) file("video", "video/mp4", m.video, (ext) => `video-${m.video!.id}.${ext}`);
      break;
    case "location":
      if (m.location) attachments = [locationAttachment(m.location)];
      break;
    case "reaction":
      // An emptied emoji is a reaction taken back: nothing was said.
      if (!m.reaction?.emoji) return undefined;
      break;
    case "system":
      return undefined;
    default:
      // sticker, contacts, order, unsupported, unknown: empty text, the flow explains what it takes.
      break;
  }
  return {
    channel: "whatsapp-cloud",
    providerMessageId: m.id,
    chatId: m.from,
    // wa_id is the number WhatsApp itself verified: the flow does not ask for a phone again.
    sender: { id: m.from, ...(context.name ? { displayName: context.name } : {}), phone: `+${m.from}` },
    text,
    attachments,
    receivedAt: m.timestamp,
    raw: {
      message: raw,
      metadata: context.metadata,
      ...(context.name !== undefined ? { contact: { wa_id: m.from, name: context.name } } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Messenger and Instagram

const MESSAGING_KINDS = [
  "read",
  "delivery",
  "reaction",
  "optin",
  "referral",
  "account_linking",
  "policy_enforcement",
  "game_play",
  "pass_thread_control",
  "take_thread_control",
  "message_edit",
];

function pageEntry(
  channel: "messenger" | "instagram",
  entry: unknown,
  at: string,
  maxBytes: number,
  batch: ParsedBatch,
  ignore: Ignore,
): void {
  const parsedEntry = pageEntrySchema.safeParse(entry);
  if (!parsedEntry.success) return void batch.invalid.push({ at, issue: issueOf(parsedEntry.error) });
  const { messaging } = parsedEntry.data;
  if (!messaging) return ignore(`${channel} entry without messaging`);
  messaging.forEach((raw, i) => {
    // Reads, deliveries, reactions…: receipts, not messages, whatever else they carry.
    if (typeof raw === "object" && raw !== null && !("message" in raw) && !("postback" in raw)) {
      const kind = MESSAGING_KINDS.find((k) => k in raw);
      return ignore(`${channel} ${kind ?? "event without a message"}`, kind !== undefined);
    }
    const parsed = messagingItemSchema.safeParse(raw);
    if (!parsed.success) return void batch.invalid.push({ at: `${at}.messaging[${i}]`, issue: issueOf(parsed.error) });
    const message = messagingMessage(channel, parsed.data, raw, maxBytes);
    if (typeof message === "string") ignore(`${channel} ${message}`, true);
    else batch.events.push({ kind: "message", message });
  });
}

/** Messenger sends these attachment types with a downloadable URL; the rest (fallback, share, story_mention, template) are links or cards. */
const ATTACHMENT_KINDS: Record<string, { kind: InboundAttachment["kind"]; mime: string }> = {
  image: { kind: "image", mime: "image/jpeg" },
  video: { kind: "video", mime: "video/mp4" },
  audio: { kind: "audio", mime: "audio/mp4" },
  file: { kind: "document", mime: "application/octet-stream" },
};

/**
 * One messaging item as a citizen message, or why it is not one. Echoes are the page's own sends
 * (ours, or staff typing in the Page inbox); reads, deliveries and reactions are receipts.
 */
export function messagingMessage(
  channel: "messenger" | "instagram",
  item: MessagingItem,
  raw: unknown,
  maxBytes: number,
): (InboundMessage & { channel: "messenger" | "instagram" }) | string {
  const base = {
    channel,
    chatId: item.sender.id,
    sender: { id: item.sender.id },
    receivedAt: new Date(item.timestamp),
    raw,
  };
  const message = item.message;
  if (message) {
    if (message.is_echo) return "echo";
    if (message.is_deleted) return "deleted message";
    const attachments: InboundAttachment[] = [];
    for (const [i, attachment] of (message.attachments ?? []).entries()) {
      const known = ATTACHMENT_KINDS[attachment.type];
      const url = attachment.payload?.url;
      // A sticker (the thumbs-up too) arrives as an image with a sticker_id: not evidence.
      if (!known || !url || attachment.payload?.sticker_id !== undefined) continue;
      const mime = mimeFromUrl(url) ?? known.mime;
      attachments.push(
        urlMedia(url, maxBytes, {
          kind: known.kind,
          mime,
          filename: `${attachment.type}-${message.mid.slice(-12)}-${i + 1}.${madeUpNameExtension(mime)}`,
        }),
      );
    }
    // A quick reply's text is its title: the option label, as the flow expects.
    return { ...base, providerMessageId: message.mid, text: message.text ?? "", attachments };
  }
  if (item.postback) {
    const postback = item.postback;
    // A postback has a mid on recent API versions; before that, sender and time identify it.
    return {
      ...base,
      providerMessageId: postback.mid ?? `postback:${item.sender.id}:${item.timestamp}`,
      text: postback.title ?? postback.payload ?? "",
      attachments: [],
    };
  }
  return "event without a message";
}
