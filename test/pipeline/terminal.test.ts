import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseLine, unquotePath } from "../../channels/terminal/files.js";
import { pendingQuestion, terminalMarkup } from "../../channels/terminal/adapter.js";
import { loadConfig } from "../../src/config/index.js";
import { startTerminalChat } from "../../src/main/index.js";
import { testDatabase } from "../helpers/database.js";
import { ANONYMOUS_INTAKE, TICKET } from "../helpers/pipeline.js";
import { SAMPLES } from "../helpers/sample-files.js";

interface Session {
  chatId?: string;
  fresh?: boolean;
  ansi?: boolean;
}

async function chatSession(dbDir: string, databaseUrl: string, lines: string[], session: Session = { chatId: "terminal:test" }) {
  const config = loadConfig({ DATABASE_URL: databaseUrl, ATTACHMENTS_DIR: join(dbDir, "files") }, join(dbDir, "none.env"));
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const chat = await startTerminalChat(config, { ...session, input, output });
  for (const line of lines) input.write(line + "\n");
  input.end();
  await chat.finished;
  await chat.close();
  return { printed, chatId: chat.chatId };
}

async function withDatabase(run: (dir: string, url: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kanal-chat-"));
  const database = await testDatabase(dir, "chat.db");
  try {
    await run(dir, database.url);
  } finally {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("npm run chat (terminal channel)", () => {
  it("runs the same conversation in the terminal and resumes it in the next session", async () => {
    await withDatabase(async (dir, url) => {
      const first = (await chatSession(dir, url, ["halo", ...ANONYMOUS_INTAKE.slice(0, 3)])).printed;
      expect(first).toContain("Kanal Aduan");
      expect(first).toMatch(/Bot: .*1\. Buat aduan baru/s);
      expect(first).toMatch(/Pilihan: 1\. Perilaku Pegawai \| 2\. Pelayanan/);
      // A second run with the same chat id continues at the complaint text, showing that question.
      const resumed = await chatSession(dir, url, []);
      expect(resumed.printed).toMatch(/Melanjutkan percakapan sebelumnya[^\n]*\nBot: [^\n]*(aduan|uraian|ceritakan)/i);
      expect(resumed.printed).not.toContain("1. Buat aduan baru");
      expect(resumed.printed).toMatch(/\n> /);
      const second = (await chatSession(dir, url, ANONYMOUS_INTAKE.slice(3))).printed;
      expect(second).toMatch(TICKET);
    });
  });

  it("a --new conversation is the one the next run without --new resumes", async () => {
    await withDatabase(async (dir, url) => {
      const old = await chatSession(dir, url, ["halo"], {});
      const fresh = await chatSession(dir, url, ["halo", "1"], { fresh: true });
      expect(fresh.chatId).not.toBe(old.chatId);
      const next = await chatSession(dir, url, [], {});
      expect(next.chatId).toBe(fresh.chatId);
      expect(next.printed).toMatch(/Melanjutkan[^\n]*\nBot: [^\n]*aduan baru[^\n]*\nBot: Siapa nama/);
    });
  });

  it("shows *bold* as bold or plain, never literally, and its own words in the conversation's language", async () => {
    await withDatabase(async (dir, url) => {
      const plain = (await chatSession(dir, url, ["halo"])).printed;
      expect(plain).toContain("Balas dengan angka 1, 2, atau 3");
      expect(plain).not.toMatch(/\*1\*/);
      const english = (await chatSession(dir, url, ["english", "1"], { chatId: "terminal:en" })).printed;
      expect(english).toMatch(/\n {2}Options: Anonymous/);
      expect(english).not.toContain("Pilihan:");
      const bold = (await chatSession(dir, url, ["halo"], { chatId: "terminal:ansi", ansi: true })).printed;
      expect(bold).toContain("\u001b[1m1\u001b[22m");
    });
  });

  it("attaches a file by /lampir or by its dragged-in path, through the same file gate", async () => {
    await withDatabase(async (dir, url) => {
      const photo = join(dir, "foto loket.png");
      writeFileSync(photo, SAMPLES.png);
      const fake = join(dir, "virus.png");
      writeFileSync(fake, Buffer.from("MZ\u0090\u0000 this is not an image at all", "latin1"));
      const lines = ["halo", ...ANONYMOUS_INTAKE.slice(0, 4), `/lampir ${photo}`, `'${fake}'`, "/lampir /tidak/ada.png"];
      const { printed } = await chatSession(dir, url, lines);
      expect(printed).toMatch(/1 berkas/);
      expect(printed).toMatch(/virus\.png/);
      expect(printed).toContain("Berkas tidak ditemukan atau tidak dapat dibaca: /tidak/ada.png");
    });
  });
});

describe("terminal helpers", () => {
  it("reads dragged paths as terminals paste them", async () => {
    expect(unquotePath("'/tmp/foto loket.png'")).toBe("/tmp/foto loket.png");
    expect(unquotePath("/tmp/foto\\ loket.png")).toBe("/tmp/foto loket.png");
    expect(unquotePath("file:///tmp/foto%20loket.png")).toBe("/tmp/foto loket.png");
    expect(await parseLine("/start")).toEqual({ kind: "text", text: "/start" });
    expect(await parseLine("/lampir /x/y.png")).toEqual({ kind: "file", path: "/x/y.png", explicit: true });
    expect(await parseLine("  halo  ")).toEqual({ kind: "text", text: "halo" });
  });

  it("renders markup and finds the pending question", () => {
    expect(terminalMarkup("ketik *batal* atau *menu*", false)).toBe("ketik batal atau menu");
    expect(terminalMarkup("*x*", true)).toBe("\u001b[1mx\u001b[22m");
    const said = [
      { from: "bot" as const, text: "menu" },
      { from: "citizen" as const, text: "1" },
      { from: "bot" as const, text: "start" },
      { from: "bot" as const, text: "nama?" },
    ];
    expect(pendingQuestion(said).map((m) => m.text)).toEqual(["start", "nama?"]);
  });
});
