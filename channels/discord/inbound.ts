import { attachmentTooLarge, downloadLimited as sharedDownload } from "../shared/index.js";
import { type AttachmentKind, type InboundAttachment, type InboundMessage } from "../../src/core/index.js";

/**
 * The fields of a discord.js Message the adapter reads, as plain data: discord.js's classes stop at
 * adapter.ts, and this is also what is kept as `raw`.
 */
export interface DiscordMessageView {
  id: string;
  channelId: string;
  guildId: string | null;
  /** discord.js ChannelType: 1 DM, 3 group DM; undefined when the channel is not known. */
  channelType: number | undefined;
  /** MessageType: 0 default, 19 reply; the others are system messages (pins, joins, calls…). */
  type: number;
  system: boolean;
  author: { id: string; username: string; globalName: string | null; bot: boolean };
  content: string;
  createdTimestamp: number;
  attachments: { id: string; url: string; name: string; size: number; contentType: string | null }[];
  stickers: number;
}

/** Messages a citizen writes: the default type and replies (https://discord.com/developers/docs/resources/message#message-object-message-types). */
const CONVERSATION_TYPES = new Set([0, 19]);
const DM = 1;

/** Why a message is not a citizen's, or undefined when it is. */
export function ignoreReason(message: DiscordMessageView, botUserId: string | undefined): string | undefined {
  if (message.author.id === botUserId) return "own message";
  if (message.author.bot) return "another bot";
  if (message.guildId !== null) return "guild message";
  if (message.channelType !== DM) return "not a direct message";
  if (message.system || !CONVERSATION_TYPES.has(message.type)) return "system message";
  return undefined;
}

export const tooLarge = attachmentTooLarge;

/** A Discord attachment; the CDN URLs are signed and expire (about a day), so a 403/404 is KA_NOT_FOUND. */
export const downloadLimited = (url: string, limit: number, timeoutMs?: number) =>
  sharedDownload(url, limit, { provider: "discord", timeoutMs, gone: { statuses: [403, 404, 410], from: "Discord" } });

function kindOf(mime: string): AttachmentKind {
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("video/")) return "video";
  if (mime.startsWith("audio/")) return "audio";
  return "document";
}

/**
 * A citizen's direct message. `chatId` is the DM channel (where replies go); Discord proves no phone
 * or e-mail. A message with only a sticker has no text and no file: text "" makes the flow ask again.
 */
export function toInbound(message: DiscordMessageView, maxBytes: number): InboundMessage {
  const attachments: InboundAttachment[] = message.attachments.map((a) => {
    const mime = a.contentType ?? "application/octet-stream";
    return {
      kind: kindOf(mime),
      mime,
      size: a.size,
      filename: a.name,
      async fetch() {
        if (a.size > maxBytes) throw tooLarge(maxBytes);
        return downloadLimited(a.url, maxBytes);
      },
    };
  });
  const text = message.content === "" && attachments.length > 0 ? undefined : message.content;
  const displayName = message.author.globalName ?? message.author.username;
  return {
    channel: "discord",
    providerMessageId: message.id,
    chatId: message.channelId,
    sender: { id: message.author.id, ...(displayName ? { displayName } : {}) },
    ...(text !== undefined ? { text } : {}),
    attachments,
    receivedAt: new Date(message.createdTimestamp),
    raw: message,
  };
}
