export interface RunFigures {
  conversations: number;
  messages: number;
  seconds: number;
  conversationsPerSecond: number;
  messagesPerSecond: number;
  p50ms: number;
  p99ms: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The middle value (the mean of the two middle ones for an even count): what one slow minute moves least. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(conversations: number, messages: number, seconds: number, latencies: number[]): RunFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    conversations,
    messages,
    seconds,
    conversationsPerSecond: conversations / seconds,
    messagesPerSecond: messages / seconds,
    p50ms: percentile(sorted, 50),
    p99ms: percentile(sorted, 99),
  };
}
