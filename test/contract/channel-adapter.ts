/**
 * The contract every push channel honours (docs/ARCHITECTURE.md, rule 7), driven through a fake
 * of its provider; it has no Telegram in it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { KanalError, type ChannelAdapter, type InboundMessage } from "../../src/core/index.js";

export interface ContractRemote {
  /** A citizen writes this text to the bot. */
  deliverText(text: string): Promise<void>;
  /** The chat the adapter answers that citizen in. */
  chatId: string;
  /** The next send is refused: a rate limit (with retry-after), or for good. */
  refuseNextSend(kind: "rateLimit", retryAfterSeconds: number): void;
  refuseNextSend(kind: "permanent"): void;
  /** What the citizen sees, in order (text as displayed). */
  sentTexts(): string[];
  close(): Promise<void>;
}

export interface ContractSubject {
  adapter: ChannelAdapter;
  remote: ContractRemote;
}

/** Resolves when `probe` returns something truthy. */
async function eventually<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function describeChannelAdapter(name: string, make: () => Promise<ContractSubject>): void {
  describe(`${name} honours ChannelAdapter`, () => {
    let subject: ContractSubject | undefined;
    const open = async () => (subject = await make());
    afterEach(async () => {
      await subject?.adapter.stop();
      await subject?.remote.close();
      subject = undefined;
    });

    it("normalises a text message", async () => {
      const { adapter, remote } = await open();
      const received: InboundMessage[] = [];
      await adapter.start(async (m) => void received.push(m));
      await remote.deliverText("Halo, saya mau mengadu");
      const [message] = await eventually(() => received.length > 0 && received, "the message");
      expect(message).toMatchObject({ channel: adapter.name, chatId: remote.chatId, text: "Halo, saya mau mengadu", attachments: [] });
      expect(message!.providerMessageId).not.toBe("");
      expect(message!.sender.id).not.toBe("");
      expect(message!.receivedAt).toBeInstanceOf(Date);
    });

    it("keeps providerMessageId stable on redelivery", async () => {
      const { adapter, remote } = await open();
      const ids: string[] = [];
      // The first attempt fails as the pipeline fails when the database is away (KA_DATABASE):
      // the provider must deliver it again. (A failure caused by the message's own content may be
      // recorded as failed instead, and not redelivered: see the Meta webhook.)
      await adapter.start(async (m) => {
        ids.push(m.providerMessageId);
        if (ids.length === 1) throw new KanalError("KA_DATABASE", "simulated outage before the message was recorded");
      });
      await remote.deliverText("tolong dicek");
      await eventually(() => ids.length >= 2, "the redelivery");
      expect(ids[1]).toBe(ids[0]);
    });

    it("reports a transient refusal as retryable, with retry-after", async () => {
      const { adapter, remote } = await open();
      await adapter.start(async () => undefined);
      remote.refuseNextSend("rateLimit", 7);
      const result = await adapter.send(remote.chatId, { text: "Aduan Anda kami terima." });
      expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7000 });
    });

    it("reports a permanent refusal as not retryable", async () => {
      const { adapter, remote } = await open();
      await adapter.start(async () => undefined);
      remote.refuseNextSend("permanent");
      const result = await adapter.send(remote.chatId, { text: "Aduan Anda kami terima." });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.retryable).toBe(false);
        expect(result.reason).not.toBe("");
      }
    });

    it("splits or refuses text over its limit instead of failing", async () => {
      const { adapter, remote } = await open();
      await adapter.start(async () => undefined);
      const limit = adapter.limits.maxTextLength;
      const paragraph = "Pelayanan di loket tiga sangat lambat dan petugas tidak ada di tempat. ";
      const text = paragraph.repeat(Math.ceil((limit * 2.5) / paragraph.length)).trim();
      const result = await adapter.send(remote.chatId, { text });
      if (result.ok) {
        const parts = remote.sentTexts();
        expect(parts.length).toBeGreaterThan(1);
        for (const part of parts) expect(part.length).toBeLessThanOrEqual(limit);
        expect(parts.join(" ").replace(/\s+/g, " ")).toBe(text.replace(/\s+/g, " "));
      } else {
        expect(result.retryable).toBe(false);
      }
    });
  });
}
