import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { startTerminalChat } from "../../src/main/index.js";
import { testDatabase } from "../helpers/database.js";
import { ANONYMOUS_INTAKE, TICKET } from "../helpers/pipeline.js";

async function chatSession(dbDir: string, databaseUrl: string, lines: string[]): Promise<string> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, ATTACHMENTS_DIR: join(dbDir, "files") }, join(dbDir, "none.env"));
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const chat = await startTerminalChat(config, { chatId: "terminal:test", input, output });
  for (const line of lines) input.write(line + "\n");
  input.end();
  await chat.finished;
  await chat.close();
  return printed;
}

describe("npm run chat (terminal channel)", () => {
  it("runs the same conversation in the terminal and resumes it in the next session", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-chat-"));
    const database = await testDatabase(dir, "chat.db");
    try {
      const first = await chatSession(dir, database.url, ["halo", ...ANONYMOUS_INTAKE.slice(0, 3)]);
      expect(first).toContain("Kanal Aduan");
      expect(first).toMatch(/Bot: .*1\. Buat aduan baru/s);
      expect(first).toMatch(/Pilihan: 1\. Perilaku Pegawai \| 2\. Pelayanan/);
      // A second run with the same chat id continues at the complaint text.
      const second = await chatSession(dir, database.url, ANONYMOUS_INTAKE.slice(3));
      expect(second).toMatch(TICKET);
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
