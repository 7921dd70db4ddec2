import { createInterface, type Interface } from "node:readline";
import { randomUUID } from "node:crypto";
import type { ChannelAdapter, InboundMessage, Locale } from "../../src/core/index.js";
import { fileAttachment, parseLine } from "./files.js";
import type { TerminalTexts } from "./texts.js";

export type { TerminalTexts } from "./texts.js";

export interface TerminalHistoryMessage {
  from: "citizen" | "bot" | "staff";
  text: string;
  options?: string[];
}

/** The conversation's stored history after a cursor (the same read the web page polls). */
export type TerminalHistory = (
  after: number | undefined,
) => Promise<{ messages: TerminalHistoryMessage[]; cursor: string; locale?: Locale }>;

export interface TerminalOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The conversation to continue: the same id resumes where the last session stopped. */
  chatId: string;
  /** Texts per locale: the conversation's language decides, and the citizen may switch it. */
  texts: Record<Locale, TerminalTexts>;
  defaultLocale: Locale;
  /**
   * Everything the bot and staff said is read back from the history, so replies to the citizen's
   * lines, staff replies and a rating question after a close all print the same way.
   */
  history: TerminalHistory;
  pollIntervalMs?: number;
  /** `*bold*` as ANSI bold (a real terminal) or as plain words (a pipe, a log); default: when the output is a TTY. */
  ansi?: boolean;
  onClose?: () => void;
}

const BOLD = /\*([^*\n]+)\*/g;

/** The channels' `*bold*` markup, shown as the terminal can. */
export function terminalMarkup(text: string, ansi: boolean): string {
  return text.replace(BOLD, (_, inner: string) => (ansi ? `\u001b[1m${inner}\u001b[22m` : inner));
}

/** The messages after the citizen's last line: what the bot is waiting for an answer to. */
export function pendingQuestion(messages: readonly TerminalHistoryMessage[]): TerminalHistoryMessage[] {
  const lastCitizen = messages.map((m) => m.from).lastIndexOf("citizen");
  return messages.slice(lastCitizen + 1);
}

/**
 * The citizen's conversation in a terminal, for trying the bot without a browser or credentials.
 * A pull channel like the web chat: what the bot says is read back from the conversation's history.
 */
export function createTerminalAdapter(options: TerminalOptions): ChannelAdapter {
  let rl: Interface | undefined;
  let timer: NodeJS.Timeout | undefined;
  let cursor: number | undefined;
  let locale: Locale = options.defaultLocale;
  const ansi = options.ansi ?? (options.output as NodeJS.WriteStream).isTTY === true;
  const texts = () => options.texts[locale];
  const write = (line: string) => options.output.write(line + "\n");
  const prompt = (): void => {
    options.output.write("> ");
  };

  const print = (message: TerminalHistoryMessage) => {
    const who = message.from === "staff" ? texts().staff : texts().bot;
    write(`${who}: ${terminalMarkup(message.text, ansi).replace(/\n/g, `\n${" ".repeat(who.length + 2)}`)}`);
    if (message.options && message.options.length > 0) write(`  ${texts().options}: ${message.options.join(" | ")}`);
  };

  /** Reads the history after the cursor; every page, so a long conversation resumes at its end. */
  const readNew = async (): Promise<TerminalHistoryMessage[]> => {
    const all: TerminalHistoryMessage[] = [];
    for (;;) {
      const page = await options.history(cursor);
      if (page.locale) locale = page.locale;
      cursor = Number(page.cursor);
      if (page.messages.length === 0) return all;
      all.push(...page.messages);
    }
  };

  /** Prints what the bot and staff said since the last read; the citizen's own lines are on screen already. */
  const showNew = async (): Promise<number> => {
    const fresh = (await readNew()).filter((m) => m.from !== "citizen");
    fresh.forEach(print);
    return fresh.length;
  };

  const inbound = (text: string, attachments: InboundMessage["attachments"], line: string): InboundMessage => ({
    channel: "terminal",
    providerMessageId: randomUUID(),
    chatId: options.chatId,
    sender: { id: options.chatId },
    ...(text ? { text } : {}),
    attachments,
    receivedAt: new Date(),
    raw: { line },
    localeHint: locale,
  });

  return {
    name: "terminal",
    limits: { maxTextLength: 4000, media: false, buttons: false, delivery: "pull", canReachLater: true },
    status: () => ({ state: rl ? "running" : "stopped" }),
    async start(sink) {
      const earlier = await readNew();
      write(terminalMarkup(texts().banner, ansi));
      if (earlier.length > 0) {
        // Resuming: show what the bot last asked, so the citizen knows what to answer.
        write(texts().resumed);
        pendingQuestion(earlier).forEach(print);
      }
      prompt();
      rl = createInterface({ input: options.input, output: options.output, terminal: false });
      // Lines (and polls) are handled one at a time, in order, like a chat: the next waits for the answer.
      let chain = Promise.resolve();
      const queue = (job: () => Promise<void>) => {
        chain = chain.then(job).catch((error: Error) => {
          write(`! ${error.message}`);
        });
      };
      rl.on("line", (line) =>
        queue(async () => {
          const parsed = await parseLine(line);
          if (parsed.kind === "text" && parsed.text === "") return prompt();
          if (parsed.kind === "file") {
            const file = await fileAttachment(parsed.path);
            if (!file) {
              write(`! ${texts().fileMissing.replace("{path}", parsed.path)}`);
              return prompt();
            }
            await sink(inbound("", [file], line));
          } else {
            await sink(inbound(parsed.text, [], line));
          }
          await showNew();
          prompt();
        }),
      );
      rl.on("close", () => {
        void chain.then(() => {
          write("");
          write(texts().bye);
          options.onClose?.();
        });
      });
      timer = setInterval(() => {
        queue(async () => {
          // Staff replies and a close's rating question arrive without a line from the citizen.
          if ((await showNew()) > 0) prompt();
        });
      }, options.pollIntervalMs ?? 2000);
      timer.unref();
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
