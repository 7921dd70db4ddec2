import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import { startServer, type RunningServer } from "../../src/main.js";

export interface TestApp extends RunningServer {
  dir: string;
}

/** The whole bot on 127.0.0.1 (a free port) with a fresh SQLite database in a temp dir. */
export async function startApp(options: { env?: Record<string, string>; dir?: string } = {}): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "kanal-aduan-"));
  const config = loadConfig(
    {
      DATABASE_URL: `file:${join(dir, "test.db")}`,
      ATTACHMENTS_DIR: join(dir, "attachments"),
      HOST: "127.0.0.1",
      PORT: "0",
      ...options.env,
    },
    join(dir, "no.env"),
  );
  const server = await startServer(config, () => undefined);
  return {
    ...server,
    dir,
    async close() {
      await server.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
