import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchWrites, openDatabase, type Database } from "../../src/db/index.js";
import { batchOutbox, parseOutboxPayload, prismaOutbox, type OutboxPayload, type OutboxTarget } from "../../src/outbox/index.js";
import { dropTestDatabases, testDatabaseUrl, TEST_DB } from "../helpers/database.js";

const NOW = new Date("2026-12-03T04:05:06.789Z");

const payload: OutboxPayload = {
  text: "Aduan *ADU-2026-00001* diterima.\nTerima kasih, Bapak/Ibu 🙏",
  options: ["Ya", "Tidak"],
  ticket: "ADU-2026-00001",
  lastInboundAt: "2026-12-03T04:00:00.000Z",
  buttons: [[{ label: "Selesai", data: "close:ADU-2026-00001" }]],
  attachments: [{ kind: "image", mime: "image/png", filename: "foto.png", path: "/data/a/b.png" }],
  threadOf: "complaint-1",
};

const columns = (row: Record<string, unknown>) => {
  const { id: _id, ...rest } = row;
  // Column values only: rows read through the identity extension (src/db/identity-extension.ts) also carry symbol-keyed bookkeeping.
  return Object.fromEntries(Object.entries(rest));
};

describe(`enqueue: the one writer of OutboxMessage rows (${TEST_DB})`, () => {
  let dir = "";
  let db: Database;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanal-enqueue-"));
    db = await openDatabase(await testDatabaseUrl(dir));
  });

  afterAll(async () => {
    await db?.close();
    await dropTestDatabases();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a pending row, due at once, whose payload the worker reads back as it was given", async () => {
    const target: OutboxTarget = { channel: "telegram", chatId: "-100", complaintId: null, kind: "staff" };
    await prismaOutbox(db.prisma, () => NOW).enqueue(target, payload);
    const row = await db.prisma.outboxMessage.findFirstOrThrow({ where: { chatId: "-100" } });
    expect(row).toMatchObject({
      channel: "telegram",
      chatId: "-100",
      conversationId: null,
      complaintId: null,
      kind: "staff",
      status: "pending",
      attempts: 0,
      lastError: null,
      providerMessageId: null,
    });
    expect(row.nextAttemptAt).toEqual(NOW);
    expect(row.createdAt).toEqual(NOW);
    const parsed = parseOutboxPayload(row.payload);
    expect(parsed).toEqual({ ok: true, message: { ...payload, threadOf: undefined }, threadOf: "complaint-1" });
  });

  it("writes the same row through the step batch as through Prisma", async () => {
    const target: OutboxTarget = { channel: "discord", chatId: "42", conversationId: null, complaintId: null, kind: "reply" };
    const writes = new BatchWrites();
    batchOutbox(writes, NOW).enqueue(target, payload);
    expect(writes.count("outbox")).toBe(1);
    await writes.flush(db.sql);
    await prismaOutbox(db.prisma, () => NOW).enqueue({ ...target, chatId: "43" }, payload);

    const [viaBatch, viaPrisma] = await Promise.all(
      ["42", "43"].map((chatId) => db.prisma.outboxMessage.findFirstOrThrow({ where: { chatId } })),
    );
    expect(columns(viaBatch!)).toEqual({ ...columns(viaPrisma!), chatId: "42" });
    // Ids sort in creation order: the worker sends a chat's rows oldest first.
    expect(viaBatch!.id < viaPrisma!.id).toBe(true);
  });

  it("commits or rolls back with the transaction it was written in", async () => {
    const target: OutboxTarget = { channel: "telegram", chatId: "rolled-back", kind: "staff" };
    await expect(
      db.prisma.$transaction(async (tx) => {
        await prismaOutbox(tx).enqueue(target, { text: "tidak terkirim" });
        throw new Error("the step failed");
      }),
    ).rejects.toThrow("the step failed");
    expect(await db.prisma.outboxMessage.count({ where: { chatId: "rolled-back" } })).toBe(0);
  });
});
