/**
 * At most `max` answers per recipient in any hour: two robots answering each other, or a flood of
 * mail from one address, cannot make the office's mailbox send without end. Memory only: after a
 * restart the window starts empty, which errs on the side of answering.
 */
export class HourlyLimit {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly now: () => number,
    private readonly windowMs = 60 * 60 * 1000,
  ) {}

  /** Milliseconds until the recipient may get another answer; undefined when it may now. */
  waitFor(key: string): number | undefined {
    const times = this.recent(key);
    if (times.length < this.max) return undefined;
    return Math.max(1, times[times.length - this.max]! + this.windowMs - this.now());
  }

  record(key: string): void {
    this.sent.set(key, [...this.recent(key), this.now()]);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.sent.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) this.sent.delete(key);
    else this.sent.set(key, times);
    return times;
  }
}
