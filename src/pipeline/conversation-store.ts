import { cleanText, type ChannelName, type Locale } from "../core/index.js";
import { rethrowUnavailable, type Database } from "../db/index.js";

export interface HistoryMessage {
  id: string;
  from: "citizen" | "bot" | "staff";
  text: string;
  options?: string[];
  at: string;
  /** The files a citizen's message carried, or staff sent with theirs (their type is the one the bytes showed). */
  files?: HistoryFile[];
}

export interface HistoryFile {
  id: string;
  mime: string;
  name?: string;
}

/** Where a conversation's stored file is, for a client allowed to see it (the web page's thumbnails). */
export interface ConversationFile {
  mime: string;
  storagePath: string;
  filename?: string;
  /** Staff sent it with a reply (the citizen downloads it), rather than the citizen with a message. */
  fromOffice: boolean;
}

/** The history a pull client reads back (the web page polls it for staff replies). */
export interface ConversationStore {
  exists(channel: ChannelName, chatId: string): Promise<{ locale: Locale } | undefined>;
  history(channel: ChannelName, chatId: string, after: number | undefined, limit?: number): Promise<ConversationHistory>;
  /** A file of this conversation, by id; undefined for a file of any other conversation. */
  file(channel: ChannelName, chatId: string, fileId: string): Promise<ConversationFile | undefined>;
}

export interface ConversationHistory {
  messages: HistoryMessage[];
  cursor: string;
  /**
   * The conversation's language now: a client that shows its own texts (the web page) follows it,
   * whether the citizen switched with its button or by typing the keyword. Absent for an unknown chat.
   */
  locale?: Locale;
}

/**
 * Reads answer 503 (KA_DATABASE) while the database is away, like the pipeline's writes. A history
 * read that hands the client office replies also records them delivered (the console shows it).
 */
export function createConversationStore(db: Database, clock: () => Date = () => new Date()): ConversationStore {
  const store = readsFrom(db);
  return {
    // A chat id from outside (a web-chat session id in a URL) is cleaned as the pipeline cleans it.
    exists: (channel, chatId) => store.exists(channel, cleanText(chatId)).catch(rethrowUnavailable),
    async history(channel, chatId, after, limit) {
      const read = await store.history(channel, cleanText(chatId), after, limit).catch(rethrowUnavailable);
      const officeReplies = read.messages.filter((m) => m.from === "staff").map((m) => Number(m.id));
      await recordFetched(db, officeReplies, clock()).catch(rethrowUnavailable);
      return read;
    },
    file: (channel, chatId, fileId) => store.file(channel, cleanText(chatId), cleanText(fileId)).catch(rethrowUnavailable),
  };
}

function readsFrom(db: Database): ConversationStore {
  return {
    async exists(channel, chatId) {
      // The web page's history poll and every upload ask this first: one raw statement, no Prisma query layer.
      const [row] = await db.sql.query<{ locale: string }>(`SELECT "locale" FROM "Conversation" WHERE "channel" = ? AND "chatId" = ?`, [
        channel,
        chatId,
      ]);
      return row ? { locale: row.locale === "en" ? "en" : "id" } : undefined;
    },
    async history(channel, chatId, after, limit = 200) {
      const conversation = await db.prisma.conversation.findUnique({
        where: { channel_chatId: { channel, chatId } },
        select: { id: true, locale: true },
      });
      if (!conversation) return { messages: [], cursor: String(after ?? 0) };
      const locale: Locale = conversation.locale === "en" ? "en" : "id";
      const rows = await db.prisma.message.findMany({
        where: { conversationId: conversation.id, ...(after !== undefined ? { id: { gt: after } } : {}) },
        orderBy: { id: "asc" },
        take: limit,
        select: { id: true, direction: true, author: true, text: true, options: true, createdAt: true },
      });
      const filesOf = await filesByMessage(
        db,
        conversation.id,
        rows.filter((r) => r.direction === "in" || r.author === "staff").map((r) => r.id),
      );
      const messages = rows.map((row): HistoryMessage => {
        const from = row.direction === "in" ? "citizen" : row.author === "staff" ? "staff" : "bot";
        const base = { id: String(row.id), from, text: row.text, at: row.createdAt.toISOString() } as HistoryMessage;
        const files = filesOf.get(row.id);
        return { ...base, ...(row.options ? { options: JSON.parse(row.options) as string[] } : {}), ...(files ? { files } : {}) };
      });
      const cursor = rows.length > 0 ? String(rows[rows.length - 1]!.id) : String(after ?? 0);
      return { messages, cursor, locale };
    },
    async file(channel, chatId, fileId) {
      const conversation = await db.prisma.conversation.findUnique({
        where: { channel_chatId: { channel, chatId } },
        select: { id: true },
      });
      if (!conversation) return undefined;
      const row = await db.prisma.attachment.findFirst({
        where: { id: fileId, conversationId: conversation.id },
        select: { mime: true, storagePath: true, filename: true, messageId: true },
      });
      if (!row) return undefined;
      const fromOffice =
        row.messageId !== null &&
        (await db.prisma.message.count({ where: { id: row.messageId, conversationId: conversation.id, direction: "out" } })) > 0;
      return { mime: row.mime, storagePath: row.storagePath, fromOffice, ...(row.filename ? { filename: row.filename } : {}) };
    },
  };
}

/**
 * The web page fetched these messages of the office: they reached the citizen's device, which the
 * console shows as "delivered" (as WhatsApp says when the phone has a message). Whether anyone
 * looked is unknown, so never "read". Only a first fetch counts: a page reloaded fetches the whole
 * history again and changes nothing. Asked only when a fetch holds office replies (polls mostly
 * hold nothing new).
 */
async function recordFetched(db: Database, messageIds: number[], at: Date): Promise<void> {
  if (messageIds.length === 0) return;
  await db.prisma.message.updateMany({ where: { id: { in: messageIds }, fetchedAt: null }, data: { fetchedAt: at } });
}

/** The files of these messages (the citizen's, and staff replies'), by message id: one query, only when there are such messages. */
async function filesByMessage(db: Database, conversationId: string, messageIds: number[]): Promise<Map<number, HistoryFile[]>> {
  const byMessage = new Map<number, HistoryFile[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db.prisma.attachment.findMany({
    where: { conversationId, messageId: { in: messageIds } },
    orderBy: { createdAt: "asc" },
    select: { id: true, mime: true, filename: true, messageId: true },
  });
  for (const row of rows) {
    if (row.messageId === null) continue;
    const file: HistoryFile = { id: row.id, mime: row.mime, ...(row.filename ? { name: row.filename } : {}) };
    byMessage.set(row.messageId, [...(byMessage.get(row.messageId) ?? []), file]);
  }
  return byMessage;
}
