/**
 * The audit page filtered by person or front end (src/console/audit.ts): the events' data is sealed,
 * so the newest are opened and matched in memory, and only the page shown is read again. All the
 * matches as one `id IN (…)` failed past Prisma's limit on a statement's parameters (999 on SQLite),
 * so an office with a thousand staff actions on the web could not filter its audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEntries } from "../../src/console/audit.js";
import { numbers, paddedNumber } from "../helpers/copies.js";
import { createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

let t: TestPipeline;
const copies = 1200;

beforeAll(async () => {
  t = await createTestPipeline();
  const { chatId } = await t.pipeline.open("webchat", "id");
  let last = "";
  for (const step of ["1", "anonim", "2", "Antrean di loket terlalu lama", "lewati", "ya"]) {
    last = (await t.pipeline.receive(textMessage(chatId, step))).replies.map((r) => r.text).join("\n");
  }
  const ticket = TICKET.exec(last)![0];
  const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
  const at = new Date("2026-12-01T03:00:00Z");
  // One note through Prisma (its data sealed on the way in), one by Telegram, then copies of the
  // web one made by the database: a thousand notes through the staff commands would take a while.
  await t.db.prisma.complaintEvent.create({
    data: {
      id: "note-web",
      complaintId: complaint.id,
      type: "staff.note",
      actor: "staff:web:1",
      data: JSON.stringify({ by: "Ani Kasi", via: "web", text: "dicek" }),
      createdAt: at,
    },
  });
  await t.db.prisma.complaintEvent.create({
    data: {
      id: "note-tg",
      complaintId: complaint.id,
      type: "staff.note",
      actor: "staff:777",
      data: JSON.stringify({ by: "Budi Staf", via: "telegram", text: "ok" }),
      createdAt: at,
    },
  });
  await t.db.sql.execute(
    `${numbers(1, copies)}
     INSERT INTO "ComplaintEvent" ("id", "complaintId", "type", "actor", "data", "createdAt")
     SELECT 'note-web-' || ${paddedNumber(t.db, 4)}, e."complaintId", e."type", e."actor", e."data", e."createdAt"
     FROM n, "ComplaintEvent" e WHERE e."id" = 'note-web'`,
  );
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe("the audit trail filtered by front end or person, past a thousand entries", () => {
  it("pages through the web's entries newest first (ties by id), and counts them all", async () => {
    const first = await auditEntries(t.db, { via: "web", page: 1 });
    expect(first.total).toBe(copies + 1);
    // All at one time: the id decides, highest first ("note-web-1200" … then "note-web" itself last).
    expect(first.rows.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => `note-web-${String(copies - i).padStart(4, "0")}`));
    const last = await auditEntries(t.db, { via: "web", page: 25 });
    expect(last.rows.map((r) => r.id)).toEqual(["note-web"]);
    expect(last.rows[0]!.complaint?.ticket).toMatch(TICKET);
  });

  it("a person's prefix, any case, and the other front end", async () => {
    expect((await auditEntries(t.db, { who: "ani", page: 1 })).total).toBe(copies + 1);
    const telegram = await auditEntries(t.db, { via: "telegram", page: 1 });
    expect(telegram.rows.map((r) => r.id)).toEqual(["note-tg"]);
    expect((await auditEntries(t.db, { who: "budi", via: "web", page: 1 })).total).toBe(0);
  });

  it("stops at its scan, newest first, and says so (the page tells the head of office)", async () => {
    const scanned = await auditEntries(t.db, { via: "web", page: 1 }, 100);
    expect(scanned.total).toBe(100);
    expect(scanned.searchedNewest).toBe(100);
    expect(scanned.rows[0]!.id).toBe(`note-web-${copies}`);
    // Every entry read (the staff events are copies + 2): nothing left unsearched, nothing said.
    expect((await auditEntries(t.db, { via: "web", page: 1 }, copies + 2)).searchedNewest).toBeUndefined();
    // One fewer than them all: the oldest was not looked at.
    expect((await auditEntries(t.db, { via: "web", page: 1 }, copies + 1)).searchedNewest).toBe(copies + 1);
    // Without a person or front end nothing is opened in memory: the count is the database's own.
    expect((await auditEntries(t.db, { kind: "note", page: 1 }, 100)).searchedNewest).toBeUndefined();
  });
});
