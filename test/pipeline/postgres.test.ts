import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReceiveResult } from "../../src/pipeline/index.js";
import { createPostgresDatabase } from "../helpers/postgres.js";
import { ANONYMOUS_INTAKE, createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

const database = await createPostgresDatabase();
const skip = "skip" in database ? database.skip : undefined;

describe.skipIf(Boolean(skip))(`the pipeline on PostgreSQL${skip ? ` — skipped: ${skip}` : ""}`, () => {
  let t: TestPipeline;
  beforeAll(async () => {
    if ("url" in database) t = await createTestPipeline({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await t?.close();
    if ("drop" in database) await database.drop();
  });

  it("applies the PostgreSQL migrations and files a complaint", async () => {
    let last: ReceiveResult | undefined;
    for (const text of ["halo", ...ANONYMOUS_INTAKE]) last = await t.pipeline.receive(textMessage("pg-1", text));
    const ticket = TICKET.exec(last!.replies.map((r) => r.text).join(" "))?.[0];
    expect(ticket).toBeDefined();
    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket: ticket! } });
    expect(complaint).toMatchObject({ category: "Pelayanan", kind: "complaint", status: "open" });
  });

  it("dedupes a redelivered message and keeps tickets unique under concurrent confirmations", async () => {
    const first = await t.pipeline.receive(textMessage("pg-2", "halo", { providerMessageId: "pg-same" }));
    const again = await t.pipeline.receive(textMessage("pg-2", "halo", { providerMessageId: "pg-same" }));
    expect(again).toMatchObject({ status: "duplicate", replies: first.replies });

    const chats = Array.from({ length: 40 }, (_, i) => `pg-race-${i}`);
    await Promise.all(
      chats.map(async (chat) => {
        for (const text of ["halo", ...ANONYMOUS_INTAKE.slice(0, -1)]) await t.pipeline.receive(textMessage(chat, text));
      }),
    );
    const receipts = await Promise.all(chats.map((chat) => t.pipeline.receive(textMessage(chat, "ya"))));
    const tickets = receipts.map((r) => TICKET.exec(r.replies.map((x) => x.text).join(" "))?.[0]);
    expect(new Set(tickets).size).toBe(40);
    expect(await t.db.prisma.complaint.count()).toBe(41);
  });
});
