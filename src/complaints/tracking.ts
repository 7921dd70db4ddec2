import { countRateHit, readRateHits, type SqlRunner } from "../db/index.js";
import { newTrackedCode, verifyTrackingCode } from "./tracking-code.js";

/**
 * Wrong tracking codes allowed before a query is refused for the rest of the window. Counted per
 * ticket (an attacker spreading guesses over many clients) and per client (one client trying many
 * tickets), in the RateLimit table every instance shares. A ticket that does not exist is counted
 * like one that does, so that the refusal reveals nothing either.
 */
export const TRACKING_ATTEMPTS = {
  perTicket: { max: 10, windowMs: 60 * 60_000 },
  perClient: { max: 20, windowMs: 60 * 60_000 },
} as const;

export type CodeCheck = { outcome: "ok"; complaintId: string } | { outcome: "unknown" } | { outcome: "tooMany"; retryAfterSeconds: number };

/**
 * Checks a ticket's tracking code for a client ("webchat:<session>", "ip:<address>"). A ticket
 * that does not exist, one without a code (filed before codes existed) and a wrong code all answer
 * "unknown", and all count as a failed attempt.
 */
export async function checkTrackingCode(
  sql: SqlRunner,
  attempt: { ticket: string; code: string; client: string },
  now: Date,
): Promise<CodeCheck> {
  const ticketKey = `track:ticket:${attempt.ticket.toUpperCase()}`;
  const clientKey = `track:client:${attempt.client}`;
  const nowMs = now.getTime();
  const running = await readRateHits(sql, [ticketKey, clientKey], nowMs);
  const over = [
    [ticketKey, TRACKING_ATTEMPTS.perTicket.max],
    [clientKey, TRACKING_ATTEMPTS.perClient.max],
  ].flatMap(([key, max]) => {
    const window = running.get(key as string);
    return window && window.hits >= (max as number) ? [window.resetAtMs] : [];
  });
  if (over.length > 0) return { outcome: "tooMany", retryAfterSeconds: Math.max(1, Math.ceil((Math.max(...over) - nowMs) / 1000)) };

  const rows = await sql.query<{ id: string; trackingHash: string | null }>(
    `SELECT "id", "trackingHash" FROM "Complaint" WHERE "ticket" = ?`,
    [attempt.ticket.toUpperCase()],
  );
  const row = rows[0];
  // An unknown ticket costs the same opening as a known one: the answer's timing tells nothing either.
  const matches = await verifyTrackingCode(attempt.ticket, attempt.code, row?.trackingHash ?? newTrackedCode("-").hash);
  if (row && row.trackingHash && matches) return { outcome: "ok", complaintId: row.id };
  await countRateHit(sql, ticketKey, TRACKING_ATTEMPTS.perTicket.windowMs, nowMs);
  await countRateHit(sql, clientKey, TRACKING_ATTEMPTS.perClient.windowMs, nowMs);
  return { outcome: "unknown" };
}

/**
 * Channels whose sender id anyone can forge: an e-mail's From. There only the conversation (a
 * thread joined by the Message-ID the bot sent) shows who filed a complaint; elsewhere the channel
 * vouches for the account (a Telegram user id, a WhatsApp number, a web-chat session).
 */
const FORGEABLE_SENDERS: ReadonlySet<string> = new Set(["email"]);

export const senderIsProven = (channel: string): boolean => !FORGEABLE_SENDERS.has(channel);

/**
 * The tracking page with the ticket filled in (never the code: a link gets forwarded, printed and
 * logged), for receipts and printed forms: `<PUBLIC_BASE_URL>/lacak?ticket=ADU-2026-00042`.
 */
export function trackingLink(publicBaseUrl: string, ticket: string): string {
  const url = new URL("lacak", publicBaseUrl.endsWith("/") ? publicBaseUrl : `${publicBaseUrl}/`);
  url.searchParams.set("ticket", ticket);
  return url.toString();
}
