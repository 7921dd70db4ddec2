import { createHash } from "node:crypto";

/**
 * A web-chat session id is a bearer secret: whoever holds it reads the conversation, in clear,
 * through the API. The database therefore keeps only its SHA-256 (the id's 18 random bytes make the
 * hash as unguessable as the id itself, so no key is needed and none can be lost), behind the id's
 * time prefix (13 characters, src/db/ordered-id.ts), so that a new session's rows still sort beside
 * the other recent ones. A stolen backup names no live session; the server maps the id it is sent
 * to the stored form at the web chat's routes, the only place a session id arrives.
 */
const TIME_PREFIX = /^[0-9a-z]{13}/;

/**
 * The conversation key (Conversation.chatId) stored for a web-chat session id. An id without the
 * time prefix (one made before ids had it: random from its first character) keeps nothing in clear.
 */
export function webchatChatId(sessionId: string): string {
  const prefix = TIME_PREFIX.exec(sessionId)?.[0] ?? "";
  return `${prefix}.${createHash("sha256").update(sessionId).digest("base64url")}`;
}

/** Whether a stored web-chat chat id is already the hashed form (ids themselves never hold a "."). */
export function isWebchatChatId(chatId: string): boolean {
  return chatId.includes(".");
}
