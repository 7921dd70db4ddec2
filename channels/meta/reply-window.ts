/** Hours since an ISO time; undefined when absent or unreadable (then no window applies). */
export function hoursSince(iso: string | undefined, now: Date): number | undefined {
  if (iso === undefined) return undefined;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : (now.getTime() - at) / 3_600_000;
}
