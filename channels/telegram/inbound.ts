import type { Animation, Audio, Chat, Document, Location, Message, PhotoSize, User, Venue, Video, VideoNote, Voice } from "telegraf/types";
import { KanalError, type AttachmentKind, type InboundAttachment, type InboundMessage } from "../../src/core/index.js";

/**
 * One view over the Bot API's Message union (https://core.telegram.org/bots/api#message): every field
 * this adapter reads, all optional, so a message is inspected with plain checks instead of narrowing
 * through ~50 variants.
 */
export interface MessageView {
  message_id: number;
  date: number;
  chat: Chat;
  from?: User;
  text?: string;
  caption?: string;
  photo?: PhotoSize[];
  document?: Document;
  animation?: Animation;
  video?: Video;
  video_note?: VideoNote;
  voice?: Voice;
  audio?: Audio;
  location?: Location;
  venue?: Venue;
  reply_to_message?: { message_id: number; forum_topic_created?: unknown };
  migrate_to_chat_id?: number;
}

export const viewOf = (message: Message): MessageView => message;

/**
 * Bot API fields that mark a service message (someone joined, a title changed, a pin…): not
 * something a person said, so never a citizen message nor a staff one.
 */
const SERVICE_FIELDS = [
  "new_chat_members",
  "left_chat_member",
  "new_chat_title",
  "new_chat_photo",
  "delete_chat_photo",
  "group_chat_created",
  "supergroup_chat_created",
  "channel_chat_created",
  "message_auto_delete_timer_changed",
  "migrate_to_chat_id",
  "migrate_from_chat_id",
  "pinned_message",
  "write_access_allowed",
  "forum_topic_created",
  "forum_topic_edited",
  "forum_topic_closed",
  "forum_topic_reopened",
  "general_forum_topic_hidden",
  "general_forum_topic_unhidden",
  "video_chat_scheduled",
  "video_chat_started",
  "video_chat_ended",
  "video_chat_participants_invited",
  "proximity_alert_triggered",
  "boost_added",
  "chat_background_set",
  "connected_website",
  "users_shared",
  "chat_shared",
  "giveaway_created",
  "giveaway_completed",
];

export function isServiceMessage(message: Message): boolean {
  return SERVICE_FIELDS.some((field) => field in message);
}

export const displayNameOf = (user: User) => [user.first_name, user.last_name].filter(Boolean).join(" ");

/**
 * `/cmd@ThisBot args` → `/cmd args` (the form Telegram clients produce in groups). `forOtherBot` is
 * set for `/cmd@SomeOtherBot`: that command is not ours to answer.
 */
export function reduceCommand(text: string, botUsername: string | undefined): { text: string; forOtherBot: boolean } {
  const match = /^\/([A-Za-z0-9_]+)@([A-Za-z0-9_]+)(?=\s|$)/.exec(text);
  if (!match) return { text, forOtherBot: false };
  if (botUsername && match[2]!.toLowerCase() !== botUsername.toLowerCase()) return { text, forOtherBot: true };
  return { text: `/${match[1]}${text.slice(match[0].length)}`, forOtherBot: false };
}

export interface FileAccess {
  /** The download URL of a file (getFile, then `<root>/file/bot<token>/<file_path>`). */
  link(fileId: string): Promise<URL>;
  download(url: URL, limit: number): Promise<Uint8Array>;
  maxBytes: number;
}

/** The Bot API lets a bot download files up to 20 MB (https://core.telegram.org/bots/api#getfile). */
const BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

function fileAttachment(
  files: FileAccess,
  file: { file_id: string; file_size?: number },
  meta: { kind: AttachmentKind; mime: string; filename?: string },
): InboundAttachment {
  const size = file.file_size ?? 0;
  return {
    ...meta,
    size,
    // Lazy: a declined file is never downloaded; a declared size over the limit is refused unread.
    async fetch() {
      const limit = Math.min(files.maxBytes, BOT_API_DOWNLOAD_LIMIT);
      if (size > limit) {
        throw new KanalError("KA_TOO_LARGE", `the file is larger than the ${limit}-byte limit for attachments (ATTACHMENT_MAX_BYTES)`);
      }
      return files.download(await files.link(file.file_id), limit);
    },
  };
}

/**
 * Telegram offers each photo in several sizes: take the largest that fits the limit (so a big photo
 * is still accepted, slightly smaller), or the largest of all when none declares a size that fits.
 */
function pickPhoto(sizes: PhotoSize[], maxBytes: number): PhotoSize | undefined {
  const area = (p: PhotoSize) => p.width * p.height;
  const sorted = [...sizes].sort((a, b) => area(b) - area(a));
  return sorted.find((p) => (p.file_size ?? 0) <= maxBytes) ?? sorted[0];
}

function locationAttachment(location: Location, venue: Venue | undefined): InboundAttachment {
  // GeoJSON (RFC 7946): coordinates are [longitude, latitude].
  const feature = {
    type: "Feature",
    geometry: { type: "Point", coordinates: [location.longitude, location.latitude] },
    properties: {
      ...(location.horizontal_accuracy !== undefined ? { accuracyMeters: location.horizontal_accuracy } : {}),
      ...(venue ? { title: venue.title, address: venue.address } : {}),
    },
  };
  const bytes = new Uint8Array(Buffer.from(JSON.stringify(feature), "utf8"));
  return {
    kind: "location",
    mime: "application/geo+json",
    size: bytes.byteLength,
    filename: "location.geojson",
    fetch: async () => bytes,
  };
}

/** The files (and a shared location) of a message, each fetched only when asked. */
export function attachmentsOf(message: MessageView, files: FileAccess): InboundAttachment[] {
  const m = message;
  if (m.photo && m.photo.length > 0) {
    const photo = pickPhoto(m.photo, files.maxBytes)!;
    return [fileAttachment(files, photo, { kind: "image", mime: "image/jpeg", filename: `photo-${photo.file_unique_id}.jpg` })];
  }
  // An animation (GIF) also carries a `document` field describing the same file: one attachment.
  if (m.animation) {
    const a = m.animation;
    return [fileAttachment(files, a, { kind: "video", mime: a.mime_type ?? "video/mp4", filename: a.file_name })];
  }
  if (m.document) {
    const d = m.document;
    const mime = d.mime_type ?? "application/octet-stream";
    return [fileAttachment(files, d, { kind: mime.startsWith("image/") ? "image" : "document", mime, filename: d.file_name })];
  }
  if (m.video) {
    const v = m.video;
    return [fileAttachment(files, v, { kind: "video", mime: v.mime_type ?? "video/mp4", filename: v.file_name })];
  }
  if (m.video_note) {
    return [
      fileAttachment(files, m.video_note, { kind: "video", mime: "video/mp4", filename: `video-${m.video_note.file_unique_id}.mp4` }),
    ];
  }
  if (m.voice) {
    const v = m.voice;
    return [fileAttachment(files, v, { kind: "audio", mime: v.mime_type ?? "audio/ogg", filename: `voice-${v.file_unique_id}.ogg` })];
  }
  if (m.audio) {
    const a = m.audio;
    return [fileAttachment(files, a, { kind: "audio", mime: a.mime_type ?? "audio/mpeg", filename: a.file_name })];
  }
  if (m.location) return [locationAttachment(m.location, m.venue)];
  return [];
}

/**
 * A citizen's private message. The id joins chat and message id (message ids are per chat), so a
 * redelivered update gives the same id and the pipeline handles it once. A sticker, poll, dice or
 * contact has no text and no attachment: the flow asks its question again.
 */
export function toInbound(message: MessageView, raw: unknown, files: FileAccess, botUsername?: string): InboundMessage {
  const from = message.from;
  const text = message.text ?? message.caption;
  return {
    channel: "telegram",
    providerMessageId: `${message.chat.id}:${message.message_id}`,
    chatId: String(message.chat.id),
    sender: from ? { id: String(from.id), displayName: displayNameOf(from) } : { id: String(message.chat.id) },
    text: text === undefined ? (hasContent(message) ? undefined : "") : reduceCommand(text, botUsername).text,
    attachments: attachmentsOf(message, files),
    receivedAt: new Date(message.date * 1000),
    raw,
  };
}

/** True when the message has text, a caption or something attachmentsOf() understands. */
function hasContent(m: MessageView): boolean {
  return Boolean(m.photo || m.animation || m.document || m.video || m.video_note || m.voice || m.audio || m.location);
}
