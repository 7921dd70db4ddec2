import type { ChannelLimits } from "../core/index.js";

type Pacing = NonNullable<ChannelLimits["pacing"]>;

/**
 * Keeps a provider's sending limits (Telegram: ~1 message/s per chat, 20/min per group, 30/s
 * overall) so that bursts are spread out instead of answered with 429s. In memory: one process
 * sends for an office (several instances share the load through the database, issue 9).
 */
export class Pacer {
  private readonly lastByChat = new Map<string, number>();
  private readonly groupSends = new Map<string, number[]>();
  private readonly globalSends = new Map<string, number[]>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Resolves when a message to `chatId` on `channel` may go; the slot is taken when it resolves. */
  async wait(channel: string, chatId: string, pacing: Pacing | undefined): Promise<void> {
    if (!pacing) return;
    for (;;) {
      const delay = this.delayFor(channel, chatId, pacing);
      if (delay <= 0) return;
      await this.sleep(delay);
    }
  }

  /** 0 means "go" and records the send; otherwise how long to wait before asking again. */
  private delayFor(channel: string, chatId: string, pacing: Pacing): number {
    const now = this.now();
    const chatKey = `${channel}\u0000${chatId}`;
    const waits: number[] = [];
    if (pacing.perChatMs) waits.push((this.lastByChat.get(chatKey) ?? -Infinity) + pacing.perChatMs - now);
    const isGroup = chatId.startsWith("-");
    const group = isGroup && pacing.groupPerMinute ? recent(this.groupSends, chatKey, now, 60_000) : undefined;
    if (group && pacing.groupPerMinute && group.length >= pacing.groupPerMinute) waits.push(group[0]! + 60_000 - now);
    const global = pacing.globalPerSecond ? recent(this.globalSends, channel, now, 1000) : undefined;
    if (global && pacing.globalPerSecond && global.length >= pacing.globalPerSecond) waits.push(global[0]! + 1000 - now);
    const delay = Math.max(0, ...waits);
    if (delay > 0) return delay;
    // Chats that went quiet are forgotten, so the map does not grow with every citizen ever served.
    if (this.lastByChat.size > 10_000) {
      for (const [key, at] of this.lastByChat) if (at < now - 60_000) this.lastByChat.delete(key);
    }
    this.lastByChat.set(chatKey, now);
    group?.push(now);
    global?.push(now);
    return 0;
  }
}

/** The send times of the last `windowMs` (older ones dropped), kept sorted. */
function recent(store: Map<string, number[]>, key: string, now: number, windowMs: number): number[] {
  const kept = (store.get(key) ?? []).filter((t) => t > now - windowMs);
  store.set(key, kept);
  return kept;
}
