import type { OutboundMessage } from "../../src/core/index.js";

/**
 * Our light markup in a mail. The text part keeps `*bold*` as it is: the plain-text convention for
 * emphasis, which many clients render bold themselves, and it reads fine where they do not. The
 * HTML part shows it as <b>. Options (the buttons of chat channels) become lines the citizen can
 * reply with, after the text.
 */

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** As in the Telegram channel: bold hugs its text and never spans a line, so "5 * 3 * 2" keeps its stars. */
const bold = (escaped: string) => escaped.replace(/\*(?=\S)([^*\n]*?\S)\*/g, "<b>$1</b>");

const optionsOf = (message: OutboundMessage) => (message.options ?? []).map((o) => o.trim()).filter((o) => o !== "");

export function textPart(message: OutboundMessage, signature: string): string {
  const options = optionsOf(message);
  const list = options.length > 0 ? `\n\n${options.map((o) => `  ${o}`).join("\n")}` : "";
  // "-- " is the signature separator (RFC 3676): the citizen's client leaves it out of a reply.
  return `${message.text.trimEnd()}${list}\n\n-- \n${signature}\n`;
}

export function htmlPart(message: OutboundMessage, signature: string): string {
  const paragraphs = message.text
    .trimEnd()
    .split(/\n{2,}/)
    .map((p) => `<p>${bold(escapeHtml(p)).replace(/\n/g, "<br>\n")}</p>`)
    .join("\n");
  const options = optionsOf(message);
  const list = options.length > 0 ? `\n<ul>\n${options.map((o) => `<li>${bold(escapeHtml(o))}</li>`).join("\n")}\n</ul>` : "";
  return [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; line-height: 1.5; color: #222;">',
    paragraphs + list,
    `<p style="color: #666; font-size: 12px;">-- <br>\n${escapeHtml(signature)}</p>`,
    "</body></html>",
    "",
  ].join("\n");
}

/** `Re: [ADU-2026-00001] Antrean KTP lambat`: one "Re:", the ticket once, the thread's own subject. */
export function replySubject(base: string, ticket: string | undefined, fallback: string): string {
  const tag = ticket ? `[${ticket}] ` : "";
  return `Re: ${tag}${base || fallback}`;
}
