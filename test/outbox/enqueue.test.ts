import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchWrites, openDatabase, type Database } from "../../src/db/index.js";
import { batchOutbox, parseOutboxPayload, prismaOutbox, type OutboxPayload, type OutboxTarget } from "../../src/outbox/index.js";
import { INTERRUPTED, outboxStore } from "../../src/outbox/store.js";
import type { OutboxRow } from "../../src/outbox/index.js";
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

  it("a claim hands the worker the row as Prisma reads it: times as Dates, the payload opened", async () => {
    const target: OutboxTarget = { channel: "whatsapp", chatId: "6281234567890", conversationId: null, complaintId: null, kind: "reply" };
    const writes = new BatchWrites();
    batchOutbox(writes, NOW).enqueue(target, payload);
    await writes.flush(db.sql);
    const { id } = await db.prisma.outboxMessage.findFirstOrThrow({ where: { chatId: target.chatId } });
    const store = outboxStore(db);
    const later = new Date(NOW.getTime() + 1000);

    const claimed = await store.claim(id, later, 15_000);
    expect(claimed?.token).toEqual(new Date(later.getTime() + 15_000));
    const asPrismaReadsIt = async (): Promise<OutboxRow> => {
      const row = await db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });
      const { deliveryStatus: _status, deliveryStatusAt: _at, kind: _kind, ...rest } = row;
      return Object.fromEntries(Object.entries(rest)) as unknown as OutboxRow;
    };
    expect(claimed?.row).toEqual(await asPrismaReadsIt());
    expect(claimed?.row).toMatchObject({ status: "sending", attempts: 0, lockedUntil: claimed?.token, nextAttemptAt: NOW });
    expect(parseOutboxPayload(claimed!.row.payload).ok).toBe(true);

    // Claimed already: nobody else takes it while the lease runs.
    expect(await store.claim(id, later, 15_000)).toBeUndefined();
    // Its lease run out (the worker was killed mid-send): taken over, counted as an attempt.
    const takenOver = await store.claim(id, new Date(later.getTime() + 16_000), 15_000);
    expect(takenOver?.row).toMatchObject({ status: "sending", attempts: 1, lastError: INTERRUPTED });
    expect(takenOver?.row).toEqual(await asPrismaReadsIt());
  });
});
