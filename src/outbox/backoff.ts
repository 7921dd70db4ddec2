export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before the next attempt after a retryable failure: exponential backoff with full jitter
 * (uniform in [0, min(max, base · 2^failuresBefore)], see
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), but never shorter
 * than the provider's retry-after: a rate limit is waited out, even past `maxDelayMs`.
 */
export function retryDelayMs(
  failuresBefore: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions,
  random: () => number,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, failuresBefore));
  const share = Math.min(1, Math.max(0, random()));
  const jittered = Math.floor(share * ceiling);
  const floor = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? Math.ceil(retryAfterMs) : 0;
  return Math.max(jittered, floor);
}
