import type { ChannelStateStore } from "../../src/core/index.js";

/**
 * At most `max` answers per recipient in any hour: two robots answering each other, or a flood of
 * mail from one address, cannot make the office's mailbox send without end. The send times live in
 * the channel's state store (the database), so every instance counts the same answers and a restart
 * forgets nothing. Two instances answering one address at the same instant may both pass: the limit
 * is a brake on loops, not a quota.
 */
export class HourlyLimit {
  constructor(
    private readonly max: number,
    private readonly state: ChannelStateStore,
    private readonly now: () => number,
    private readonly windowMs = 60 * 60 * 1000,
  ) {}

  /** Milliseconds until the recipient may get another answer; undefined when it may now. */
  async waitFor(address: string): Promise<number | undefined> {
    const times = await this.recent(address);
    if (times.length < this.max) return undefined;
    return Math.max(1, times[times.length - this.max]! + this.windowMs - this.now());
  }

  async record(address: string): Promise<void> {
    const times = [...(await this.recent(address)), this.now()].slice(-this.max);
    await this.state.set(this.key(address), JSON.stringify(times));
  }

  private key(address: string): string {
    return `email:answers:${address.toLowerCase()}`;
  }

  private async recent(address: string): Promise<number[]> {
    const since = this.now() - this.windowMs;
    const raw = await this.state.get(this.key(address));
    const times = raw ? (JSON.parse(raw) as unknown) : [];
    return Array.isArray(times) ? times.filter((t): t is number => typeof t === "number" && t > since) : [];
  }
}
