/**
 * A stored JSON object (an event's data, an outbox payload) read back leniently: anything that is
 * not a JSON object — a broken or empty text, an array, a scalar — reads as `{}`, so one bad row
 * shows as a row without details instead of failing a page or a report.
 */
export function jsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
