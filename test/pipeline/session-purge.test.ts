/**
 * Idle web-chat sessions that never became a complaint are purged with what they held; filed ones,
 * recent ones and other channels' conversations are kept. On SQLite and (test:pg) PostgreSQL.
 */
import { SAMPLES } from "../helpers/sample-files.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { webchatChatId } from "../../src/db/index.js";
import { periodicDuty } from "../../src/cluster/index.js";
import { purgeIdleWebchatSessions } from "../../src/pipeline/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { dropTestDatabases, testDatabaseUrl } from "../helpers/database.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

const DAY = 86_400_000;
let t: TestPipeline | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Moves a conversation's last activity back in time, as if nobody had written for `days`. */
async function age(t: TestPipeline, channel: string, chatId: string, days: number) {
  await t.db.prisma.conversation.update({
    where: { channel_chatId: { channel, chatId } },
    data: { updatedAt: new Date(Date.now() - days * DAY) },
  });
}

describe("purgeIdleWebchatSessions", () => {
  it("deletes idle sessions that never became a complaint, with their messages and file records, and keeps the rest", async () => {
    t = await createTestPipeline();
    const { pipeline, db } = t;
    // An abandoned intake at the evidence step: its texts name the complainant, and a file was kept.
    const abandoned = (await pipeline.open("webchat", "id")).chatId;
    for (const text of ["1", "anonim", "2", "Budi Santoso dari Banjar Tegal: petugas meminta biaya tambahan"])
      await pipeline.receive(textMessage(abandoned, text));
    const png = SAMPLES.png;
    await pipeline.receive(
      textMessage(abandoned, "", {
        attachments: [{ kind: "image", mime: "image/png", size: png.byteLength, filename: "ktp.png", fetch: async () => png }],
      }),
    );
    // A session opened and never used.
    const untouched = (await pipeline.open("webchat", "en")).chatId;
    // A filed complaint, just as old: kept (retention is another matter).
    const filed = (await pipeline.open("webchat", "id")).chatId;
    let last = "";
    for (const text of ANONYMOUS_INTAKE) last = (await pipeline.receive(textMessage(filed, text))).replies.map((r) => r.text).join(" ");
    expect(last).toMatch(TICKET);
    // A recent session and another channel's old conversation: kept.
    const recent = (await pipeline.open("webchat", "id")).chatId;
    await pipeline.receive(textMessage("tg-1", "halo", { channel: "telegram" }));

    for (const chatId of [abandoned, untouched, filed]) await age(t, "webchat", chatId, 31);
    await age(t, "webchat", recent, 29);
    await age(t, "telegram", "tg-1", 400);
    const abandonedId = (
      await db.prisma.conversation.findUniqueOrThrow({ where: { channel_chatId: { channel: "webchat", chatId: abandoned } } })
    ).id;
    expect(await db.prisma.attachment.count({ where: { conversationId: abandonedId } })).toBe(1);

    const purged = await purgeIdleWebchatSessions(db, { idleDays: 30, batchSize: 2 });
    expect(purged.conversations).toBe(2);
    expect(purged.messages).toBeGreaterThan(4);
    expect(purged.attachments).toBe(1);
    const left = await db.prisma.conversation.findMany({ select: { channel: true, chatId: true } });
    expect(left.map((c) => c.chatId).sort()).toEqual([filed, recent, "tg-1"].sort());
    expect(await db.prisma.message.count({ where: { conversationId: abandonedId } })).toBe(0);
    expect(await db.prisma.attachment.count({ where: { conversationId: abandonedId } })).toBe(0);
    // Nothing of the abandoned draft is left anywhere.
    const everything = JSON.stringify([await db.prisma.conversation.findMany(), await db.prisma.message.findMany()]);
    expect(everything).not.toContain("Budi Santoso");
    // The next round finds nothing more.
    expect(await purgeIdleWebchatSessions(db, { idleDays: 30 })).toEqual({ conversations: 0, messages: 0, attachments: 0 });
  });

  it("keeps a session whose citizen came back before the round", async () => {
    t = await createTestPipeline();
    const chatId = (await t.pipeline.open("webchat", "id")).chatId;
    await age(t, "webchat", chatId, 40);
    await t.pipeline.receive(textMessage(chatId, "menu"));
    expect((await purgeIdleWebchatSessions(t.db, { idleDays: 30 })).conversations).toBe(0);
  });
});

describe("the leader's housekeeping duty", () => {
  it("runs a round when elected and then on its interval, never two at once, and stop() waits for the round", async () => {
    let rounds = 0;
    let inRound = 0;
    let overlapped = false;
    let release!: () => void;
    const duty = periodicDuty(
      "test",
      10,
      async () => {
        rounds++;
        inRound++;
        if (inRound > 1) overlapped = true;
        if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
        inRound--;
      },
      () => undefined,
    );
    await duty.start();
    expect(rounds).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rounds).toBe(1); // the first round still runs: no second one started beside it
    release();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(rounds).toBeGreaterThan(1);
    await duty.stop();
    const after = rounds;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(rounds).toBe(after);
    expect(overlapped).toBe(false);
  });

  it("purges an idle session when an instance is elected: the page then finds no session", async () => {
    // One database for two instances in turn (the first's close must not drop it).
    const dir = mkdtempSync(join(tmpdir(), "kanal-purge-"));
    const databaseUrl = await testDatabaseUrl(dir);
    let app: TestApp | undefined = await startApp({ env: { DATABASE_URL: databaseUrl, WEBCHAT_SESSION_IDLE_DAYS: "7" }, dir });
    try {
      const res = await fetch(`${app.url}/api/webchat/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      const { sessionId } = (await res.json()) as { sessionId: string };
      await app.db.prisma.conversation.update({
        where: { channel_chatId: { channel: "webchat", chatId: webchatChatId(sessionId) } },
        data: { updatedAt: new Date(Date.now() - 8 * DAY) },
      });
      await app.close();
      app = await startApp({ env: { DATABASE_URL: databaseUrl, WEBCHAT_SESSION_IDLE_DAYS: "7" }, dir });
      const current = app;
      await expect
        .poll(async () => (await fetch(`${current.url}/api/webchat/sessions/${sessionId}/messages`)).status, { timeout: 10_000 })
        .toBe(404);
    } finally {
      await app?.close();
      await dropTestDatabases();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
