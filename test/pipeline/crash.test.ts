import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/index.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { ANONYMOUS_INTAKE, TICKET } from "../helpers/pipeline.js";
import { freePort, startBotProcess, type BotProcess } from "../helpers/process.js";

let bot: BotProcess | undefined;
let dir: string | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
    bot.child.kill("SIGKILL");
    await bot.exited;
  }
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  bot = dir = database = undefined;
});

async function boot(env: Record<string, string>) {
  // Sixty citizens from one address: a load the per-client limits would refuse (they have their own tests).
  bot = await startBotProcess({ RATE_LIMIT: "off", ...env, PORT: String(await freePort()) });
  return bot.url;
}

async function post(url: string, path: string, body: unknown) {
  const response = await fetch(url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as { sessionId?: string; replies?: { text: string }[] } };
}

async function kill9(): Promise<void> {
  bot!.child.kill("SIGKILL");
  expect(await bot!.exited).toBe("SIGKILL");
}

describe("a process killed with SIGKILL", () => {
  it("resumes a conversation at the same step after restart", async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-crash-"));
    database = await testDatabase(dir, "bot.db");
    const env = { DATABASE_URL: database.url, ATTACHMENTS_DIR: join(dir, "files") };
    let url = await boot(env);
    const { json } = await post(url, "/api/webchat/sessions", {});
    const session = json.sessionId!;
    for (const text of ANONYMOUS_INTAKE.slice(0, 3)) await post(url, `/api/webchat/sessions/${session}/messages`, { text }); // 1, anonim, 2
    await kill9();

    url = await boot(env);
    // The category was answered before the crash: the next question is the complaint text.
    const next = await post(url, `/api/webchat/sessions/${session}/messages`, { text: ANONYMOUS_INTAKE[3] });
    expect(next.status).toBe(200);
    expect(next.json.replies!.map((r) => r.text).join(" ")).toMatch(/bukti/i);
    let last = next;
    for (const text of ANONYMOUS_INTAKE.slice(4)) last = await post(url, `/api/webchat/sessions/${session}/messages`, { text });
    expect(last.json.replies!.map((r) => r.text).join(" ")).toMatch(TICKET);
  }, 90_000);

  it("neither loses nor duplicates a confirmed complaint when killed in the middle of confirmations", async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-crash-"));
    database = await testDatabase(dir, "bot.db");
    const env = { DATABASE_URL: database.url, ATTACHMENTS_DIR: join(dir, "files") };
    let url = await boot(env);
    const sessions: string[] = [];
    for (let i = 0; i < 60; i++) {
      const { json } = await post(url, "/api/webchat/sessions", {});
      sessions.push(json.sessionId!);
    }
    await Promise.all(
      sessions.map(async (s) => {
        for (const text of ANONYMOUS_INTAKE.slice(0, -1))
          await post(url, `/api/webchat/sessions/${s}/messages`, { text, clientMessageId: `${s}-${text}` });
      }),
    );
    // Fire every confirmation at once and kill the process as soon as the first one is answered.
    const confirmations = sessions.map((s) =>
      post(url, `/api/webchat/sessions/${s}/messages`, { text: "ya", clientMessageId: `${s}-confirm` }).then(
        (r) => r,
        () => undefined,
      ),
    );
    await Promise.race(confirmations);
    await kill9();
    const before = await Promise.all(confirmations);
    const answeredBeforeCrash = new Map<string, string>();
    before.forEach((r, i) => {
      const ticket = r?.json.replies
        ?.map((x) => x.text)
        .join(" ")
        .match(TICKET)?.[0];
      if (ticket) answeredBeforeCrash.set(sessions[i]!, ticket);
    });
    expect(answeredBeforeCrash.size).toBeGreaterThan(0);

    // The clients retry what got no answer, and also what did (a lost response looks the same to them).
    url = await boot(env);
    const after = await Promise.all(
      sessions.map((s) => post(url, `/api/webchat/sessions/${s}/messages`, { text: "ya", clientMessageId: `${s}-confirm` })),
    );
    const tickets = after.map(
      (r) =>
        r.json
          .replies!.map((x) => x.text)
          .join(" ")
          .match(TICKET)?.[0],
    );
    expect(tickets.every(Boolean)).toBe(true);
    expect(new Set(tickets).size).toBe(sessions.length);
    // A confirmation answered before the crash keeps its ticket after it.
    for (const [session, ticket] of answeredBeforeCrash) expect(tickets[sessions.indexOf(session)]).toBe(ticket);

    bot!.child.kill("SIGTERM");
    expect(await bot!.exited).toBe(0);
    const db = await openDatabase(env.DATABASE_URL, { migrate: false });
    try {
      expect(await db.prisma.complaint.count()).toBe(sessions.length);
    } finally {
      await db.close();
    }
  }, 120_000);
});

describe("SIGTERM", () => {
  it("finishes the messages in flight, answers them, and exits 0", async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-term-"));
    database = await testDatabase(dir, "bot.db");
    const env = { DATABASE_URL: database.url, ATTACHMENTS_DIR: join(dir, "files") };
    const url = await boot(env);
    const sessions: string[] = [];
    for (let i = 0; i < 30; i++) sessions.push((await post(url, "/api/webchat/sessions", {})).json.sessionId!);
    const inFlight = sessions.map((s) => post(url, `/api/webchat/sessions/${s}/messages`, { text: "1" }).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 5));
    bot!.child.kill("SIGTERM");
    const answers = await Promise.all(inFlight);
    expect(await bot!.exited).toBe(0);
    // Every request either completed normally or was refused at the door; none failed half-way.
    const answered = answers.filter((a) => a !== undefined);
    expect(answered.every((a) => a.status === 200 || a.status === 503)).toBe(true);
    const db = await openDatabase(env.DATABASE_URL, { migrate: false });
    try {
      const stored = await db.prisma.message.count({ where: { direction: "in" } });
      expect(stored).toBe(answered.filter((a) => a.status === 200).length);
    } finally {
      await db.close();
    }
  }, 60_000);
});
