import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { StaffMessage } from "../../src/core/index.js";
import { repoRoot } from "../../src/db/index.js";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

/**
 * One staff action, one transaction (issue 13, item 10): a staff console process is killed in the
 * middle of an action and after it, and Telegram delivers the update again each time. The citizen
 * hears the staff's words exactly once.
 */

const OPS = "-100200300";
const CITIZEN = "tg-citizen-7";

let t: TestPipeline | undefined;
let dir: string | undefined;
let database: TestDatabase | undefined;
const children: { kill(signal: NodeJS.Signals): void; exitCode: number | null; signalCode: NodeJS.Signals | null }[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  t = dir = database = undefined;
});

/** Runs the staff console child on one update; resolves at the `until` line (then kills it) or at its exit. */
async function staffChild(
  update: StaffMessage,
  hang: "none" | "spoken" | "acted",
): Promise<{ events: string[]; answer?: string[]; exit: number | string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "test/helpers/staff-child.ts"), database!.url, dir!, JSON.stringify(update), hang],
    { cwd: repoRoot, env: process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let out = "";
  let err = "";
  const events: string[] = [];
  let answer: string[] | undefined;
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the staff child did not reach "${hang}" in time:\n${out}\n${err}`)), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split("\n");
      out = lines.pop()!;
      for (const line of lines) {
        const parsed = JSON.parse(line) as { event: string; answer?: string[] };
        events.push(parsed.event);
        if (parsed.answer) answer = parsed.answer;
        if (hang !== "none" && parsed.event === hang) {
          // Dead at once, mid-action or before the answer went out: no shutdown, no cleanup.
          child.kill("SIGKILL");
          clearTimeout(timer);
          resolve();
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (hang === "none" && code === 0) resolve();
      else if (hang === "none" || !events.includes(hang)) reject(new Error(`the staff child exited (${code}):\n${out}\n${err}`));
    });
  });
  return { events, answer, exit: await exited };
}

async function fileComplaint(): Promise<string> {
  let last: ReceiveResult | undefined;
  const extra = { channel: "telegram" as const, sender: { id: "7007" } };
  for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t!.pipeline.receive(textMessage(CITIZEN, text, extra));
  return TICKET.exec(last!.replies.map((r) => r.text).join(" "))![0];
}

function update(id: string, text: string): StaffMessage {
  return {
    updateId: id,
    from: { id: "111", name: "Wayan" },
    chatKind: "ops",
    chatId: OPS,
    messageId: id,
    text,
    attachments: [],
    receivedAt: new Date(),
  };
}

/** The outbox rows to the citizen whose text contains `words`. */
async function toCitizen(words: RegExp): Promise<number> {
  const rows = await t!.db.prisma.outboxMessage.findMany({ where: { chatId: CITIZEN } });
  return rows.filter((r) => words.test((JSON.parse(r.payload) as { text: string }).text)).length;
}

describe("a staff action killed half-way and delivered again", () => {
  it.each([
    {
      name: "a reply",
      command: (ticket: string) => `/balas ${ticket} Satu kali saja, Bapak/Ibu.`,
      event: "staff.reply",
      words: /Satu kali saja/,
    },
    { name: "a close", command: (ticket: string) => `/selesai ${ticket}`, event: "staff.close", words: /1.*5/s },
  ])(
    "$name reaches the citizen exactly once",
    async ({ command, event, words }) => {
      dir = mkdtempSync(join(tmpdir(), "kanal-staff-crash-"));
      database = await testDatabase(dir, "bot.db");
      t = await createTestPipeline({
        databaseUrl: database.url,
        dir,
        overrides: { staffFeed: { channel: "telegram", chatId: OPS, locale: "id", replyMode: "reply" } },
      });
      const ticket = await fileComplaint();
      const before = await toCitizen(words);
      const staffUpdate = update("900100", command(ticket));

      // Killed inside the action, after the citizen's message was written: none of it stays.
      const first = await staffChild(staffUpdate, "spoken");
      expect(first.exit).toBe("SIGKILL");
      expect(await toCitizen(words)).toBe(before);
      expect(await t.db.prisma.complaintEvent.count({ where: { type: event } })).toBe(0);
      expect(await t.db.prisma.processedUpdate.count({ where: { key: "staff:900100" } })).toBe(0);

      // Delivered again and killed after it committed, before its answer reached the group.
      const second = await staffChild(staffUpdate, "acted");
      expect(second.events).toEqual(["ready", "spoken", "acted"]);
      expect(await toCitizen(words)).toBe(before + 1);
      expect(await t.db.prisma.complaintEvent.count({ where: { type: event } })).toBe(1);

      // Delivered once more (Telegram never heard back): answered by nothing, done by nothing.
      const third = await staffChild(staffUpdate, "none");
      expect(third.events).toEqual(["ready", "acted"]);
      expect(third.answer).toEqual([]);
      expect(await toCitizen(words)).toBe(before + 1);
      expect(await t.db.prisma.complaintEvent.count({ where: { type: event } })).toBe(1);
      // What the citizen is told carries the update it came from, not a random id.
      const spoken = await t.db.prisma.message.findMany({ where: { replyToProviderId: { startsWith: "staff:" } } });
      const bySystem = await t.db.prisma.message.findMany({
        where: { replyToProviderId: { in: ["staff:staff:900100", "bot:staff:900100"] } },
      });
      expect(bySystem.length).toBeGreaterThan(0);
      expect(spoken.every((m) => m.replyToProviderId === "staff:staff:900100")).toBe(true);
    },
    240_000,
  );
});
