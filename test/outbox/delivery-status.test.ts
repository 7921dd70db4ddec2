import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/index.js";
import { recordDeliveryStatus } from "../../src/outbox/index.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";

let db: Database | undefined;
let dir: string | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await db?.close();
  await database?.drop();
  database = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  db = dir = undefined;
});

async function sentRow() {
  dir = mkdtempSync(join(tmpdir(), "kanal-status-"));
  database = await testDatabase(dir, "t.db");
  db = await openDatabase(database.url);
  const now = new Date();
  await db.prisma.outboxMessage.create({
    data: {
      id: "o1",
      channel: "whatsapp-cloud",
      chatId: "628123",
      payload: "{}",
      status: "sent",
      providerMessageId: "wamid.ABC",
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
      sentAt: now,
    },
  });
  return db;
}

describe("recordDeliveryStatus", () => {
  it("moves sent → delivered → read and never back", async () => {
    const d = await sentRow();
    const at = new Date();
    await recordDeliveryStatus(d, "whatsapp-cloud", { providerMessageId: "wamid.ABC", status: "read", at });
    await recordDeliveryStatus(d, "whatsapp-cloud", { providerMessageId: "wamid.ABC", status: "delivered", at });
    expect(await d.prisma.outboxMessage.findUniqueOrThrow({ where: { id: "o1" } })).toMatchObject({
      deliveryStatus: "read",
      status: "sent",
    });
  });

  it("turns a failure reported after sending into a failed row and returns it for staff", async () => {
    const d = await sentRow();
    const failed = await recordDeliveryStatus(d, "whatsapp-cloud", {
      providerMessageId: "wamid.ABC",
      status: "failed",
      error: "131026 Message undeliverable",
      at: new Date(),
    });
    expect(failed).toMatchObject({ id: "o1", status: "failed", lastError: "131026 Message undeliverable" });
    expect(
      await recordDeliveryStatus(d, "whatsapp-cloud", { providerMessageId: "wamid.unknown", status: "read", at: new Date() }),
    ).toBeUndefined();
  });
});
