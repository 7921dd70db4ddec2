import { userInfo } from "node:os";
import { createTerminalAdapter } from "../../channels/terminal/adapter.js";
import { loadTerminalTexts } from "../../channels/terminal/texts.js";
import type { Config } from "../config/index.js";
import { createConversationStore } from "../pipeline/index.js";
import { openBase, TEMPLATES_DIR, type Base } from "./base.js";
import { startCore } from "./core.js";

/** `npm run chat`: the same pipeline on the same database, with the terminal as the channel. */
export async function startTerminalChat(
  config: Config,
  options: { chatId?: string; fresh?: boolean; input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; ansi?: boolean } = {},
) {
  const base = await openBase(config);
  const chatId = options.chatId ?? (await terminalChatId(base.db, userInfo().username, options.fresh === true));
  const conversations = createConversationStore(base.db);
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const adapter = createTerminalAdapter({
    input: options.input ?? process.stdin,
    output: options.output ?? process.stdout,
    chatId,
    texts: loadTerminalTexts(TEMPLATES_DIR),
    defaultLocale: config.DEFAULT_LOCALE,
    history: (after) => conversations.history("terminal", chatId, after),
    ...(options.ansi !== undefined ? { ansi: options.ansi } : {}),
    onClose: () => done(),
  });
  // Logs would interleave with the conversation: in the terminal only errors are shown.
  // No outbox worker and no leader duties here: a worker that knows only the terminal would claim
  // other channels' messages, and the terminal's replies are read from the database anyway.
  const core = startCore(config, base, { all: [adapter], sendable: new Map([[adapter.name, adapter]]) }, (msg, fields) =>
    process.stderr.write(`${msg} ${JSON.stringify(fields ?? {})}\n`),
  );
  await adapter.start((inbound) => core.pipeline.receive(inbound));
  return {
    chatId,
    finished,
    async close() {
      await adapter.stop().catch(() => undefined);
      await core.close();
    },
  };
}

/**
 * The user's terminal conversation: `--new` starts another one (terminal:<user>:<time>); without
 * it the latest one resumes, so a conversation begun with `--new` is not lost on the next run.
 */
async function terminalChatId(db: Base["db"], user: string, fresh: boolean): Promise<string> {
  const own = `terminal:${user}`;
  if (fresh) return `${own}:${Date.now()}`;
  const latest = await db.prisma.conversation.findFirst({
    where: { channel: "terminal", OR: [{ chatId: own }, { chatId: { startsWith: `${own}:` } }] },
    orderBy: { updatedAt: "desc" },
    select: { chatId: true },
  });
  return latest?.chatId ?? own;
}
