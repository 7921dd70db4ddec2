/** Tickets: `<PREFIX>-<year>-<sequence of at least 5 digits>`, e.g. ADU-2026-00042. */

export function formatTicket(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(5, "0")}`;
}

const TICKET_PATTERN = /\b([A-Z][A-Z0-9]{0,9})-(\d{4})-(\d{5,})\b/i;

/** Finds a ticket in free text ("status adu-2026-00042 please") and normalises its case. */
export function findTicket(text: string): string | undefined {
  const match = TICKET_PATTERN.exec(text);
  return match ? `${match[1]!.toUpperCase()}-${match[2]}-${match[3]}` : undefined;
}

export function ticketCounterKey(prefix: string, year: number): string {
  return `${prefix}:${year}`;
}
