/**
 * The inbox's text search opens the sealed complaint texts in memory, newest first and at most a
 * limit of them (src/console/queries.ts). Past that limit the older complaints are not searched,
 * and the page must say so instead of answering "no match" as if they had been.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSopPreset } from "../../src/complaints/index.js";
import { inboxPage, type InboxFilter } from "../../src/console/queries.js";
import { repoRoot } from "../../src/db/paths.js";
import { copyComplaint } from "../helpers/copies.js";
import { createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";

const sop = loadSopPreset(join(repoRoot, "templates"), "generic");
const admin = { role: "admin" };
const filter = (q: string): InboxFilter => ({ status: "all", overdue: false, mine: false, q, page: 1 });

let t: TestPipeline;
const tickets: string[] = [];

/** Files one anonymous complaint with this text on `t`; returns its ticket. */
async function file(text: string, on: TestPipeline = t): Promise<string> {
  const { chatId } = await on.pipeline.open("webchat", "id");
  let last = "";
  for (const step of ["1", "anonim", "2", text, "lewati", "ya"]) {
    const result = await on.pipeline.receive(textMessage(chatId, step));
    last = result.replies.map((r) => r.text).join("\n");
  }
  const ticket = TICKET.exec(last)?.[0];
  if (!ticket) throw new Error(`no ticket in ${last}`);
  return ticket;
}

beforeAll(async () => {
  t = await createTestPipeline();
  // Oldest first: the jembatan complaint is the one a scan of the two newest does not reach.
  tickets.push(await file("Jembatan di dusun kami retak dan berbahaya"));
  tickets.push(await file("Lampu jalan mati sejak minggu lalu"));
  tickets.push(await file("Petugas loket meminta biaya tambahan"));
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe("the inbox's text search over sealed texts", () => {
  it("finds a match among the newest it opens and says nothing of a limit when it opened them all", async () => {
    const page = await inboxPage(t.db, sop, filter("LAMPU"), admin, new Date(), 3);
    expect(page.rows.map((r) => r.ticket)).toEqual([tickets[1]]);
    expect(page.searchedNewest).toBeUndefined();
    const older = await inboxPage(t.db, sop, filter("jembatan"), admin, new Date(), 3);
    expect(older.rows.map((r) => r.ticket)).toEqual([tickets[0]]);
    expect(older.searchedNewest).toBeUndefined();
  });

  it("past its limit, leaves the older complaints out and says how many newest it searched", async () => {
    const missed = await inboxPage(t.db, sop, filter("jembatan"), admin, new Date(), 2);
    expect(missed.rows).toEqual([]);
    expect(missed.total).toBe(0);
    expect(missed.searchedNewest).toBe(2);
    // Within the limit a match is still found, and the page still says older ones were not searched.
    const found = await inboxPage(t.db, sop, filter("petugas loket"), admin, new Date(), 2);
    expect(found.rows.map((r) => r.ticket)).toEqual([tickets[2]]);
    expect(found.searchedNewest).toBe(2);
  });

  it("a ticket is matched by the database, whatever the limit", async () => {
    const page = await inboxPage(t.db, sop, filter(tickets[0]!.toLowerCase()), admin, new Date(), 1);
    expect(page.rows.map((r) => r.ticket)).toEqual([tickets[0]]);
    expect(page.searchedNewest).toBeUndefined();
  });
});

describe("a text search that matches more complaints than a statement takes parameters", () => {
  let big: TestPipeline;
  const copies = 20_001;

  beforeAll(async () => {
    big = await createTestPipeline();
    const ticket = await file("Jembatan gantung di dusun kami putus", big);
    const { id } = await big.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    await copyComplaint(big.db, id, copies);
  }, 120_000);

  afterAll(async () => {
    await big?.close();
  });

  it("pages through its matches in the inbox's order, and says the oldest were not searched", async () => {
    const first = await inboxPage(big.db, sop, filter("jembatan"), admin, new Date());
    // All 20 001 match; the newest 20 000 were opened (the copies share a time: newest = highest ticket).
    expect(first.total).toBe(20_000);
    expect(first.searchedNewest).toBe(20_000);
    expect(first.rows.map((r) => r.ticket)).toEqual(Array.from({ length: 25 }, (_, i) => `ADU-2026-${copies - i}`));
    const last = await inboxPage(big.db, sop, { ...filter("jembatan"), page: 800 }, admin, new Date());
    expect(last.rows.map((r) => r.ticket)).toEqual(Array.from({ length: 25 }, (_, i) => `ADU-2026-${String(26 - i).padStart(5, "0")}`));
  }, 60_000);
});
