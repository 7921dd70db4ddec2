import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import type { Log } from "../../src/core/index.js";
import { startServer, type RunningServer } from "../../src/main/index.js";
import { testDatabase } from "./database.js";

export interface TestApp extends RunningServer {
  dir: string;
  /** The database's URL (a temp SQLite file, or a fresh PostgreSQL database under test:pg). */
  databaseUrl: string;
}

/**
 * The whole bot on 127.0.0.1 (a free port) with a fresh database: SQLite in a temp dir, or a new
 * PostgreSQL database under `npm run test:pg` (dropped on close). env.DATABASE_URL wins over both.
 * Logs go nowhere unless `log` is given. Resolves once every channel's first start is over (running
 * or failed), unless `waitForChannels` is false (the server itself answers before that).
 */
export async function startApp(
  options: { env?: Record<string, string>; dir?: string; log?: Log; waitForChannels?: boolean } = {},
): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "kanal-aduan-"));
  const database = options.env?.DATABASE_URL ? { url: options.env.DATABASE_URL, drop: async () => undefined } : await testDatabase(dir);
  const config = loadConfig(
    {
      DATABASE_URL: database.url,
      ATTACHMENTS_DIR: join(dir, "attachments"),
      HOST: "127.0.0.1",
      PORT: "0",
      // The suite's clients all come from 127.0.0.1: per-client limits are tested on their own
      // (test/http/rate-limits.test.ts turns them on).
      RATE_LIMIT: "off",
      ...options.env,
    },
    join(dir, "no.env"),
  );
  let server: RunningServer;
  try {
    server = await startServer(config, options.log ?? (() => undefined));
  } catch (error) {
    await database.drop();
    throw error;
  }
  if (options.waitForChannels !== false) await server.channelsSettled();
  return {
    ...server,
    dir,
    databaseUrl: database.url,
    async close() {
      await server.close();
      await database.drop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
