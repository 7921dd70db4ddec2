/**
 * The entry point (`npm start`, `npm run chat`): wiring only. config → database, texts and SOP
 * (base.ts) → channels (channels.ts) → pipeline, staff console, outbox (core.ts) → channels started
 * in the background (channel-runner.ts) and the leader's duties (duties.ts) → HTTP server (server.ts).
 * src/main/ is the only part of src/ that imports channels/ (test/architecture/imports.test.ts).
 */
import { pathToFileURL } from "node:url";
import { loadConfig, type Config } from "../config/index.js";
import { describeError, KanalError } from "../core/index.js";
import { jsonLog } from "./log.js";
import { startServer } from "./server.js";
import { startTerminalChat } from "./terminal.js";

export { jsonLog } from "./log.js";
export { startServer, type RunningServer } from "./server.js";
export { startTerminalChat } from "./terminal.js";

async function main(argv: string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof KanalError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  if (argv.includes("--chat")) {
    const chat = await startTerminalChat(config, { fresh: argv.includes("--new") });
    await chat.finished;
    await chat.close();
    return;
  }
  const server = await startServer(config);
  jsonLog("Kanal Aduan is running", { url: server.url, office: config.OFFICE_NAME, database: config.DATABASE_URL.split(":")[0] });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    jsonLog("shutting down", { signal });
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        jsonLog("shutdown failed", { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // `npm start` execs this process, so a process manager's SIGTERM to npm reaches it. Should the
  // process that started it die without passing a signal on (npm killed, a shell in between), this
  // process is orphaned: it stops the same way instead of holding the port and the database.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop("parent exited");
  }, 1000).unref();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`Kanal Aduan could not start: ${describeError(error)}\n`);
    process.exit(1);
  });
}
