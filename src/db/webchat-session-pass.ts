import { isWebchatChatId, webchatChatId } from "./webchat-session.js";
import type { SqlRunner } from "./sql.js";

const PAGE = 200;

/**
 * Web-chat conversations from before session ids were stored hashed (src/db/webchat-session.ts)
 * get the hashed key, and their messages' ids lose the session id they began with
 * (`<session id>:<client's id>`, `open:<session id>`), so a backup no longer names a live session
 * and the sessions still open keep working. Each conversation's messages go first and its key
 * last: a pass cut off halfway finds the conversation still unconverted next time and finishes it
 * (a message already converted no longer starts with the old id). Returns how many conversations
 * it converted.
 */
export async function hashWebchatSessionIds(sql: SqlRunner): Promise<number> {
  let converted = 0;
  let after = "";
  for (;;) {
    const rows = await sql.query<{ id: string; chatId: string }>(
      `SELECT "id", "chatId" FROM "Conversation" WHERE "channel" = 'webchat' AND "id" > ? ORDER BY "id" LIMIT ${PAGE}`,
      [after],
    );
    for (const row of rows) {
      if (isWebchatChatId(row.chatId)) continue;
      const key = webchatChatId(row.chatId);
      const renamed = (id: string | null): string | null => {
        if (id === null) return null;
        if (id.startsWith(`${row.chatId}:`)) return `${key}${id.slice(row.chatId.length)}`;
        if (id === `open:${row.chatId}`) return `open:${key}`;
        return id;
      };
      const messages = await sql.query<{ id: number | bigint; providerMessageId: string | null; replyToProviderId: string | null }>(
        `SELECT "id", "providerMessageId", "replyToProviderId" FROM "Message" WHERE "conversationId" = ?`,
        [row.id],
      );
      for (const m of messages) {
        const providerMessageId = renamed(m.providerMessageId);
        const replyToProviderId = renamed(m.replyToProviderId);
        if (providerMessageId === m.providerMessageId && replyToProviderId === m.replyToProviderId) continue;
        await sql.execute(`UPDATE "Message" SET "providerMessageId" = ?, "replyToProviderId" = ? WHERE "id" = ?`, [
          providerMessageId,
          replyToProviderId,
          Number(m.id),
        ]);
      }
      await sql.execute(
        `UPDATE "Conversation" SET "chatId" = ?, "senderId" = CASE WHEN "senderId" = ? THEN ? ELSE "senderId" END WHERE "id" = ?`,
        [key, row.chatId, key, row.id],
      );
      converted++;
    }
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.id;
  }
  return converted;
}
