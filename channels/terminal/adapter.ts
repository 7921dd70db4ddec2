import { createInterface, type Interface } from "node:readline";
import { randomUUID } from "node:crypto";
import type { ChannelAdapter, InboundMessage, OutboundMessage } from "../../src/core/index.js";

export interface TerminalTexts {
  banner: string;
  you: string;
  bot: string;
  staff: string;
  options: string;
  bye: string;
}

export interface TerminalOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The conversation to continue: the same id resumes where the last session stopped. */
  chatId: string;
  texts: TerminalTexts;
  /** Later messages for this chat (staff replies), read from the history. */
  poll?: () => Promise<{ from: "citizen" | "bot" | "staff"; text: string }[]>;
  pollIntervalMs?: number;
  onClose?: () => void;
}

/**
 * The citizen's conversation in a terminal, for trying the bot without a browser or credentials.
 * A pull channel like the web chat: replies come back from the pipeline and are printed.
 */
export function createTerminalAdapter(options: TerminalOptions): ChannelAdapter {
  let rl: Interface | undefined;
  let timer: NodeJS.Timeout | undefined;
  const write = (line: string) => options.output.write(line + "\n");

  const print = (who: string, message: OutboundMessage) => {
    write(`${who}: ${message.text.replace(/\n/g, `\n${" ".repeat(who.length + 2)}`)}`);
    if (message.options && message.options.length > 0) write(`  ${options.texts.options}: ${message.options.join(" | ")}`);
  };

  return {
    name: "terminal",
    limits: { maxTextLength: 4000, media: false, buttons: false, delivery: "pull", canReachLater: true },
    status: () => ({ state: rl ? "running" : "stopped" }),
    async start(sink) {
      write(options.texts.banner);
      rl = createInterface({ input: options.input, output: options.output, terminal: false });
      // Lines are handled one at a time, in order, like a chat: the next waits for the answer.
      let chain = Promise.resolve();
      rl.on("line", (line) => {
        chain = chain
          .then(async () => {
            const text = line.trim();
            if (text === "") return;
            const inbound: InboundMessage = {
              channel: "terminal",
              providerMessageId: randomUUID(),
              chatId: options.chatId,
              sender: { id: options.chatId },
              text,
              attachments: [],
              receivedAt: new Date(),
              raw: { line },
            };
            const result = (await sink(inbound)) as { replies?: OutboundMessage[] } | undefined;
            for (const reply of result?.replies ?? []) print(options.texts.bot, reply);
          })
          .catch((error: Error) => {
            write(`! ${error.message}`);
          });
      });
      rl.on("close", () => {
        void chain.then(() => {
          write(options.texts.bye);
          options.onClose?.();
        });
      });
      if (options.poll) {
        const poll = options.poll;
        timer = setInterval(() => {
          void poll()
            .then((messages) => messages.filter((m) => m.from === "staff").forEach((m) => print(options.texts.staff, { text: m.text })))
            .catch(() => undefined);
        }, options.pollIntervalMs ?? 2000);
        timer.unref();
      }
    },
    async send() {
      return { ok: true, providerMessageId: "terminal:history" };
    },
    async stop() {
      if (timer) clearInterval(timer);
      rl?.close();
    },
  };
}
