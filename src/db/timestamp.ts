/**
 * `Date.prototype.toISOString`, several times faster: a batch writes about five timestamps a step
 * (a message's, a conversation's three, an outbox row's), and V8's own formatting costs ≈ 0.55 µs
 * each — 2 % of a step's CPU in the in-process benchmark. The date part is formatted once a day by
 * V8 itself; the time of day is arithmetic. `zone` is what ends the text: "Z" as toISOString
 * writes it, "+00:00" as the SQLite driver adapter stores timestamps (Prisma reads them back).
 * An invalid date throws the RangeError toISOString throws.
 */
export function isoTimestamp(date: Date, zone: "Z" | "+00:00" = "Z"): string {
  const time = date.getTime();
  const day = Math.floor(time / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    const iso = date.toISOString();
    // A year before 0 or after 9999 is written with a sign and six digits: not worth a cache.
    if (iso.length !== 24) return zone === "Z" ? iso : `${iso.slice(0, -1)}${zone}`;
    if (dayPrefixes.size >= 64) dayPrefixes.clear();
    dayPrefixes.set(day, (prefix = iso.slice(0, 11)));
  }
  let rest = time - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  rest -= seconds * 1000;
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest]}${zone}`;
}

const DAY_MS = 86_400_000;
/** "YYYY-MM-DDT" by days since 1970 (a batch's timestamps fall on a day or two). */
const dayPrefixes = new Map<number, string>();
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
