import { attachmentTooLarge } from "../shared/index.js";
import { madeUpNameExtension, KanalError, type AttachmentKind, type InboundAttachment, type InboundMessage } from "../../src/core/index.js";
import type { WaMessageLike } from "./client.js";

/**
 * Message types that are no conversation: encryption and group notices, call logs, deleted
 * messages, reactions, protocol traffic (whatsapp-web.js src/util/Constants.js MessageTypes).
 */
const NOT_CONVERSATION = new Set([
  "e2e_notification",
  "notification",
  "notification_template",
  "gp2",
  "group_notification",
  "broadcast_notification",
  "call_log",
  "protocol",
  "revoked",
  "ciphertext",
  "debug",
  "reaction",
  "pinned_message",
  "keep_in_chat",
]);

/** Why a message is not a citizen's, or undefined when it is. */
export function ignoreReason(message: WaMessageLike): string | undefined {
  if (message.fromMe) return "own message";
  if (message.isStatus || message.from === "status@broadcast") return "status broadcast";
  if (message.from.endsWith("@g.us")) return "group message";
  if (message.from.endsWith("@newsletter")) return "channel post";
  if (message.from.endsWith("@broadcast")) return "broadcast";
  if (NOT_CONVERSATION.has(message.type)) return `not conversation (${message.type})`;
  return undefined;
}

/** "6281234567890@c.us" → "+6281234567890"; privacy ids (…@lid) carry no number. */
export function phoneOf(waId: string | undefined): string | undefined {
  const digits = /^(\d{6,15})@c\.us$/.exec(waId ?? "")?.[1];
  return digits ? `+${digits}` : undefined;
}

/** What WhatsApp sends when the raw model names no mimetype. */
const DEFAULT_MIME: Record<string, string> = {
  image: "image/jpeg",
  video: "video/mp4",
  ptt: "audio/ogg",
  audio: "audio/mpeg",
  document: "application/octet-stream",
};

const MEDIA_TYPES: Record<string, { kind: AttachmentKind; prefix: string }> = {
  image: { kind: "image", prefix: "photo" },
  video: { kind: "video", prefix: "video" },
  ptt: { kind: "audio", prefix: "voice" },
  audio: { kind: "audio", prefix: "audio" },
  document: { kind: "document", prefix: "document" },
};

export const tooLarge = attachmentTooLarge;

/** Bytes a base64 string decodes to, without decoding it. */
function decodedLength(base64: string): number {
  const clean = base64.replace(/\s+/g, "");
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - padding;
}

/**
 * A media file, downloaded only when fetched. whatsapp-web.js hands over the whole file as base64
 * from the browser, so the limit is checked before asking (the declared size in the message), then
 * on the answer's size, then on the decoded length before decoding.
 */
function mediaAttachment(message: WaMessageLike, maxBytes: number): InboundAttachment | undefined {
  const media = MEDIA_TYPES[message.type];
  if (!media || !message.hasMedia) return undefined;
  const mime = message._data?.mimetype ?? DEFAULT_MIME[message.type]!;
  const declared = message._data?.size;
  const kind: AttachmentKind = media.kind === "document" && mime.startsWith("image/") ? "image" : media.kind;
  const shortId = message.id._serialized.split("_").at(-1) ?? "file";
  return {
    kind,
    mime,
    size: typeof declared === "number" && declared > 0 ? declared : 0,
    filename: message._data?.filename || `${media.prefix}-${shortId}.${madeUpNameExtension(mime)}`,
    async fetch() {
      if (typeof declared === "number" && declared > maxBytes) throw tooLarge(maxBytes);
      const downloaded = await message.downloadMedia();
      if (!downloaded) {
        throw new KanalError("KA_NOT_FOUND", "the file is no longer available on WhatsApp (expired or deleted on the phone)");
      }
      if (typeof downloaded.filesize === "number" && downloaded.filesize > maxBytes) throw tooLarge(maxBytes);
      if (decodedLength(downloaded.data) > maxBytes) throw tooLarge(maxBytes);
      const bytes = Buffer.from(downloaded.data, "base64");
      if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
}

/** A shared location as a GeoJSON Feature with a Point (RFC 7946: [longitude, latitude]), as the other channels store it. */
function locationAttachment(location: NonNullable<WaMessageLike["location"]>): InboundAttachment | undefined {
  const latitude = Number(location.latitude);
  const longitude = Number(location.longitude);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  // whatsapp-web.js ≤ 1.2x gave only `description` ("name\naddress").
  const [first, second] = (location.description ?? "").split("\n");
  const title = location.name ?? (first || undefined);
  const address = location.address ?? (second || undefined);
  const feature = {
    type: "Feature",
    geometry: { type: "Point", coordinates: [longitude, latitude] },
    properties: { ...(title !== undefined ? { title } : {}), ...(address !== undefined ? { address } : {}) },
  };
  const bytes = new Uint8Array(Buffer.from(JSON.stringify(feature), "utf8"));
  return { kind: "location", mime: "application/geo+json", size: bytes.byteLength, filename: "location.geojson", fetch: async () => bytes };
}

/** The serialisable part of the message, kept as `raw` (the live object holds the whole client). */
function rawOf(message: WaMessageLike): Record<string, unknown> {
  const { id, from, to, body, type, timestamp, hasMedia, fromMe, author, location, _data } = message;
  return {
    id: id._serialized,
    from,
    to,
    // A location's body is a JPEG thumbnail: not worth keeping.
    body: type === "location" ? undefined : body,
    type,
    timestamp,
    hasMedia,
    fromMe,
    author,
    location,
    notifyName: _data?.notifyName,
    mimetype: _data?.mimetype,
    filename: _data?.filename,
    size: _data?.size,
  };
}

/**
 * A citizen's message. `chatId` is where replies go (the sender's id as WhatsApp gave it: a number
 * `…@c.us` or a privacy id `…@lid`); `phone` is proven by WhatsApp itself, so the flow does not ask
 * for it — from the id, or `resolvedPhoneId` when a privacy id was mapped to its number. A sticker,
 * contact card or poll has no text and no attachment: text "" makes the flow ask its question again.
 */
export function toInbound(message: WaMessageLike, maxBytes: number, resolvedPhoneId?: string): InboundMessage {
  const attachments: InboundAttachment[] = [];
  let text: string | undefined;
  if (message.type === "location" && message.location) {
    const location = locationAttachment(message.location);
    if (location) attachments.push(location);
  } else {
    const media = mediaAttachment(message, maxBytes);
    if (media) attachments.push(media);
    const body = message.type === "chat" || media ? message.body : "";
    if (body !== "") text = body;
  }
  if (text === undefined && attachments.length === 0) text = "";
  const phone = phoneOf(message.from) ?? phoneOf(resolvedPhoneId);
  const displayName = message._data?.notifyName?.trim() || undefined;
  return {
    channel: "whatsapp-web",
    providerMessageId: message.id._serialized,
    chatId: message.from,
    sender: { id: message.from, ...(displayName ? { displayName } : {}), ...(phone ? { phone } : {}) },
    ...(text !== undefined ? { text } : {}),
    attachments,
    receivedAt: new Date(message.timestamp * 1000),
    raw: rawOf(message),
  };
}
