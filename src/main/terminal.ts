import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { createTerminalAdapter, type TerminalTexts } from "../../channels/terminal/adapter.js";
import type { Config } from "../config/index.js";
import type { Locale } from "../core/index.js";
import { createConversationStore } from "../pipeline/index.js";
import { openBase, TEMPLATES_DIR } from "./base.js";
import { startCore } from "./core.js";

/** `npm run chat`: the same pipeline on the same database, with the terminal as the channel. */
export async function startTerminalChat(
  config: Config,
  options: { chatId?: string; input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
) {
  const locale: Locale = config.DEFAULT_LOCALE;
  const texts = JSON.parse(readFileSync(join(TEMPLATES_DIR, locale, "terminal.json"), "utf8")) as TerminalTexts;
  const chatId = options.chatId ?? `terminal:${userInfo().username}`;
  let cursor: number | undefined;
  // `core` is set below, before the adapter starts polling.
  const conversations = () => createConversationStore(core.db);
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const adapter = createTerminalAdapter({
    input: options.input ?? process.stdin,
    output: options.output ?? process.stdout,
    chatId,
    texts,
    poll: async () => {
      const { messages, cursor: next } = await conversations().history("terminal", chatId, cursor);
      const fresh = cursor === undefined ? [] : messages;
      cursor = Number(next);
      return fresh;
    },
    onClose: () => done(),
  });
  // Logs would interleave with the conversation: in the terminal only errors are shown.
  // No outbox worker and no leader duties here: a worker that knows only the terminal would claim
  // other channels' messages, and the terminal's replies are read from the database anyway.
  const core = startCore(config, await openBase(config), { all: [adapter], sendable: new Map([[adapter.name, adapter]]) }, (msg, fields) =>
    process.stderr.write(`${msg} ${JSON.stringify(fields ?? {})}\n`),
  );
  await adapter.start((inbound) => core.pipeline.receive(inbound));
  return {
    finished,
    async close() {
      await adapter.stop().catch(() => undefined);
      await core.close();
    },
  };
}
