import type { InboundMessage } from "./message.js";
import type { StaffMessage } from "./staff.js";

/**
 * What text is, decided once for everything that comes from outside (a citizen, a provider, staff):
 * a string of Unicode scalar values without NUL. PostgreSQL refuses both a NUL (U+0000) and a lone
 * UTF-16 surrogate (half of an emoji, as a client or a JSON `\ud83d` escape can send), where SQLite
 * stores them; cleaned here, the two databases store the same thing and neither answers 500.
 * NUL is dropped (it carries no meaning in a message); a lone surrogate becomes U+FFFD, the
 * replacement character, as a UTF-8 decoder would show it. Everything else, including other
 * control characters, newlines and whole emoji, is kept as sent.
 */
export function cleanText(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text.replace(NUL, "").replace(LONE_SURROGATE, "\uFFFD");
}

/** The same for a value that may be absent. */
export function cleanOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : cleanText(text);
}

// Without the u flag these see UTF-16 code units, which is what a lone surrogate is. Matching NUL
// is their purpose, hence the lint exceptions.
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * An inbound message with every outside string cleaned: ids (the dedupe key, the chat, the sender),
 * the text, the sender's name and contact, the files' names and declared types. `raw` stays as it
 * came: it is kept for audit and never written to the database.
 */
export function cleanInbound(message: InboundMessage): InboundMessage {
  // Almost every message is clean already: then it goes on as it came, without a copy.
  if (!needsCleaning(message)) return message;
  return {
    ...message,
    providerMessageId: cleanText(message.providerMessageId),
    chatId: cleanText(message.chatId),
    sender: {
      ...message.sender,
      id: cleanText(message.sender.id),
      displayName: cleanOptional(message.sender.displayName),
      phone: cleanOptional(message.sender.phone),
      email: cleanOptional(message.sender.email),
    },
    text: cleanOptional(message.text),
    attachments: message.attachments.map((attachment) => ({
      ...attachment,
      mime: cleanText(attachment.mime),
      filename: cleanOptional(attachment.filename),
    })),
  };
}

const suspect = (text: string | undefined): boolean => text !== undefined && SUSPECT.test(text);

function needsCleaning(message: InboundMessage): boolean {
  const { sender } = message;
  return (
    suspect(message.providerMessageId) ||
    suspect(message.chatId) ||
    suspect(sender.id) ||
    suspect(sender.displayName) ||
    suspect(sender.phone) ||
    suspect(sender.email) ||
    suspect(message.text) ||
    message.attachments.some((attachment) => suspect(attachment.mime) || suspect(attachment.filename))
  );
}

/** A staff front end's message (Telegram today, a web console later), cleaned the same way. */
export function cleanStaffMessage(message: StaffMessage): StaffMessage {
  return {
    ...message,
    updateId: cleanText(message.updateId),
    from: {
      ...message.from,
      id: cleanText(message.from.id),
      name: cleanOptional(message.from.name),
      username: cleanOptional(message.from.username),
    },
    chatId: cleanText(message.chatId),
    messageId: cleanOptional(message.messageId),
    text: cleanText(message.text),
    replyToMessageId: cleanOptional(message.replyToMessageId),
    attachments: message.attachments.map((attachment) => ({
      ...attachment,
      mime: cleanText(attachment.mime),
      filename: cleanOptional(attachment.filename),
    })),
    callbackData: cleanOptional(message.callbackData),
  };
}
