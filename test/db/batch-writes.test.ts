import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchWrites, openDatabase, type BatchRow, type Database } from "../../src/db/index.js";
import { dropTestDatabases, testDatabaseUrl, TEST_DB } from "../helpers/database.js";

const at = (iso: string) => new Date(iso);

function complainant(id: string): BatchRow<"complainant"> {
  return {
    id,
    name: null,
    anonymous: true,
    email: null,
    phone: null,
    address: null,
    createdAt: at("2026-12-01T01:00:00.000Z"),
    updatedAt: at("2026-12-01T01:00:00.000Z"),
  };
}

function complaint(id: string, complainantId: string): BatchRow<"complaint"> {
  const now = at("2026-12-01T02:03:04.567Z");
  return {
    id,
    ticket: "ADU-2026-00007",
    year: 2026,
    seq: 7,
    kind: "complaint",
    category: null,
    text: `Jalan "rusak" di RT 03; 'kutip' \\ garis miring, emoji 🚧 dan \u0000 tidak pernah`.replace("\u0000", "NUL"),
    channel: "webchat",
    status: "open",
    sopStep: "register",
    stepStartedAt: now,
    stepDueAt: null,
    complainantId,
    conversationId: "conv-1",
    trackingHash: null,
    receivedAt: at("2026-12-01T02:03:00.000Z"),
    createdAt: now,
    updatedAt: now,
  };
}

describe(`BatchWrites: one INSERT … SELECT over a JSON parameter per table (${TEST_DB})`, () => {
  let dir = "";
  let db: Database;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanal-batch-"));
    db = await openDatabase(await testDatabaseUrl(dir));
  });

  afterAll(async () => {
    await db?.close();
    await dropTestDatabases();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes named rows into the right columns, with nulls, booleans, timestamps and awkward text intact", async () => {
    const writes = new BatchWrites();
    // Added out of foreign-key order: the flush orders the tables itself.
    writes.add("complaint", complaint("c-1", "p-1"));
    writes.add("complainant", complainant("p-1"));
    writes.add("event", {
      id: "e-1",
      complaintId: "c-1",
      type: "received",
      actor: "citizen",
      data: "{}",
      createdAt: at("2026-12-01T02:03:04.567Z"),
    });
    writes.add("conversation", {
      id: "conv-1",
      channel: "webchat",
      chatId: "chat-1",
      senderId: null,
      locale: "id",
      step: "menu",
      state: '{"step":"menu"}',
      complaintId: null,
      lastInboundAt: null,
      createdAt: at("2026-12-01T00:00:00.000Z"),
      updatedAt: at("2026-12-01T00:00:00.000Z"),
    });
    expect(writes.count("complaint")).toBe(1);
    expect(writes.count("outbox")).toBe(0);
    await db.prisma.$transaction(async (tx) => writes.flush(db.sql.within(tx)));

    const row = await db.prisma.complaint.findUniqueOrThrow({ where: { id: "c-1" } });
    const expected = complaint("c-1", "p-1");
    for (const [column, value] of Object.entries(expected)) expect(row[column as keyof typeof row], column).toEqual(value);
    expect(await db.prisma.complainant.findUniqueOrThrow({ where: { id: "p-1" } })).toMatchObject({ anonymous: true, name: null });
    expect(await db.prisma.conversation.findUniqueOrThrow({ where: { id: "conv-1" } })).toMatchObject({
      senderId: null,
      lastInboundAt: null,
      step: "menu",
    });
  });

  it("upserts a conversation on (channel, chatId): a later batch moves its state on", async () => {
    const writes = new BatchWrites();
    writes.add("conversation", {
      id: "ignored-new-id",
      channel: "webchat",
      chatId: "chat-1",
      senderId: "s-1",
      locale: "en",
      step: "askName",
      state: '{"step":"askName"}',
      complaintId: "c-1",
      lastInboundAt: at("2026-12-02T00:00:00.000Z"),
      createdAt: at("2026-12-02T00:00:00.000Z"),
      updatedAt: at("2026-12-02T00:00:00.000Z"),
    });
    await writes.flush(db.sql);
    const rows = await db.prisma.conversation.findMany({ where: { chatId: "chat-1" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: "conv-1", senderId: "s-1", locale: "en", step: "askName", complaintId: "c-1" });
    expect(rows[0]!.lastInboundAt).toEqual(at("2026-12-02T00:00:00.000Z"));
  });

  it("writes many rows of a table with one statement", async () => {
    const writes = new BatchWrites();
    for (let i = 0; i < 300; i++) {
      writes.add("message", {
        conversationId: "conv-1",
        channel: "webchat",
        providerMessageId: `m-${i}`,
        direction: "in",
        author: "citizen",
        text: `pesan ${i}`,
        options: i % 2 === 0 ? null : JSON.stringify(["Ya", "Tidak"]),
        complaintId: null,
        replyToProviderId: null,
        createdAt: at("2026-12-01T03:00:00.000Z"),
      });
    }
    const statements: string[] = [];
    const counting = {
      ...db.sql,
      execute: (sql: string, params?: readonly unknown[]) => (statements.push(sql), db.sql.execute(sql, params)),
    };
    await writes.flush(counting);
    expect(statements).toHaveLength(1);
    expect(await db.prisma.message.count({ where: { conversationId: "conv-1" } })).toBe(300);
    expect(await db.prisma.message.findFirstOrThrow({ where: { providerMessageId: "m-1" } })).toMatchObject({ options: '["Ya","Tidak"]' });
  });

  it("names every column: a missing, an extra or a mistyped one does not compile (npm run typecheck fails on an unused @ts-expect-error)", () => {
    const writes = new BatchWrites();
    const { seq: _seq, ...withoutSeq } = complaint("x", "y");
    const wrongRows = [
      // @ts-expect-error -- "seq" is missing
      () => writes.add("complaint", withoutSeq),
      // @ts-expect-error -- "priority" is no column of the batch's Complaint rows
      () => writes.add("complaint", { ...complaint("x", "y"), priority: 1 }),
      // @ts-expect-error -- "year" is an int column
      () => writes.add("complaint", { ...complaint("x", "y"), year: "2026" }),
      // @ts-expect-error -- "text" may not be null in the schema
      () => writes.add("complaint", { ...complaint("x", "y"), text: null }),
      // @ts-expect-error -- a row of one table is no row of another
      () => writes.add("event", complaint("x", "y")),
    ];
    // None of them runs: they exist for the compiler.
    expect(wrongRows).toHaveLength(5);
    expect(writes.count("complaint") + writes.count("event")).toBe(0);
  });
});
