import type { ParsedMail } from "mailparser";
import { localPartOf } from "./address.js";

/** A header's value, unfolded, from the raw header lines (the first occurrence); undefined when absent. */
export function headerValue(mail: Pick<ParsedMail, "headerLines">, name: string): string | undefined {
  const key = name.toLowerCase();
  const line = mail.headerLines.find((h) => h.key === key)?.line;
  if (line === undefined) return undefined;
  return line
    .slice(line.indexOf(":") + 1)
    .replace(/\r?\n[ \t]+/g, " ")
    .trim();
}

/** Senders that are machines: bounces (RFC 3464), postmasters, no-reply robots. */
const ROBOT_LOCAL_PART = /^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)(?:[+._-].*)?$/i;

/**
 * Why this mail must never be answered, or undefined for a person's mail. Answering an
 * auto-reply, a bounce or a list is how mail loops and spam complaints start:
 * - `Auto-Submitted` other than "no" (RFC 3834: auto-replied, auto-generated, auto-notified);
 * - `Precedence: bulk | list | junk` (the de-facto marker of vacation replies and mass mail);
 * - `X-Autoreply`, `X-Autorespond`, `X-Autoresponder` (older responders);
 * - `List-Id` or `List-Unsubscribe` (RFC 2919 / 2369: mailing lists, newsletters);
 * - a delivery report (`Content-Type: multipart/report`, RFC 6522) or an empty `Return-Path: <>`;
 * - a robot sender (mailer-daemon@, postmaster@, noreply@ …) or our own address.
 */
export function automaticReason(
  mail: Pick<ParsedMail, "headerLines">,
  from: string | undefined,
  ownAddresses: ReadonlySet<string>,
): string | undefined {
  const autoSubmitted = headerValue(mail, "auto-submitted");
  if (autoSubmitted !== undefined && autoSubmitted.split(";")[0]!.trim().toLowerCase() !== "no") return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = headerValue(mail, "precedence");
  if (precedence !== undefined && /^(?:bulk|list|junk)$/i.test(precedence)) return `Precedence: ${precedence}`;
  for (const name of ["x-autoreply", "x-autorespond", "x-autoresponder", "list-id", "list-unsubscribe"]) {
    if (headerValue(mail, name) !== undefined) return `${name} header`;
  }
  const contentType = headerValue(mail, "content-type");
  if (contentType !== undefined && /^multipart\/report\b/i.test(contentType)) return "a delivery report (multipart/report)";
  const returnPath = headerValue(mail, "return-path");
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath)) return "empty Return-Path (a bounce)";
  if (from !== undefined) {
    if (ownAddresses.has(from)) return "sent from our own address";
    if (ROBOT_LOCAL_PART.test(localPartOf(from))) return `robot sender ${from}`;
  }
  return undefined;
}
