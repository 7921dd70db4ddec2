/**
 * The console's pure pieces: a form becomes the same intent the group's commands parse to, the
 * charts escape their labels, and the time state colours a complaint as the SOP's warnings do.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSopPreset } from "../../src/complaints/index.js";
import { intentOf } from "../../src/console/complaint-page.js";
import { barChart } from "../../src/console/reports-page.js";
import { timeState } from "../../src/console/view.js";
import { LiveFeed, type LiveUpdate } from "../../src/console/live.js";
import { repoRoot, type Database } from "../../src/db/index.js";

const base = { _csrf: "x", once: "6f1c1d2e-0000-4000-8000-000000000000" };
const T = "ADU-2026-00001";

describe("a console form as a staff command's intent", () => {
  it.each([
    [
      { action: "reply", text: " Terima kasih " },
      { kind: "reply", ticket: T, text: "Terima kasih" },
    ],
    [
      { action: "note", text: "cek loket" },
      { kind: "note", ticket: T, text: "cek loket" },
    ],
    [{ action: "close" }, { kind: "close", ticket: T }],
    [
      { action: "advance", text: "" },
      { kind: "advance", ticket: T, text: "" },
    ],
    [
      { action: "advance", branch: "forward", text: "ke dinas" },
      { kind: "advance", ticket: T, text: "forward ke dinas" },
    ],
    [
      { action: "decide", decision: "reject", text: "bukan wewenang" },
      { kind: "decide", ticket: T, decision: "reject", text: "bukan wewenang" },
    ],
    [
      { action: "decide", text: "" },
      { kind: "decide", ticket: T, text: "" },
    ],
    [
      { action: "assign", target: " kasi " },
      { kind: "assign", ticket: T, target: "kasi" },
    ],
    [
      { action: "forward", agency: "Dinas PU" },
      { kind: "forward", ticket: T, agency: "Dinas PU" },
    ],
    [{ action: "archive" }, { kind: "archive", ticket: T, text: "" }],
  ] as const)("%o", (form, intent) => {
    expect(intentOf(T, { ...base, ...form })).toEqual(intent);
  });
});

describe("the reports' bar charts", () => {
  it("escape labels and draw bars in proportion", () => {
    const chart = barChart('Per <kanal> & "jenis"', [
      { label: "<script>alert(1)</script>", value: 4 },
      { label: "e-mail", value: 2 },
      { label: "kosong", value: 0 },
    ]).value;
    expect(chart).not.toContain("<script>");
    expect(chart).toContain("&#60;script&#62;alert(1)&#60;/script");
    expect(chart).toContain('aria-label="Per &#60;kanal&#62; &#38; &#34;jenis&#34;"');
    const widths = [...chart.matchAll(/<rect [^>]*width="(\d+)"/g)].map((m) => Number(m[1]));
    expect(widths[0]).toBe(2 * widths[1]!);
    expect(widths[2]).toBe(0);
  });
});

describe("a complaint's time state", () => {
  const sop = loadSopPreset(join(repoRoot, "templates"), "generic", { timeZone: "Asia/Jakarta" });
  const started = new Date("2026-12-01T02:00:00Z");
  const due = new Date("2026-12-03T02:00:00Z");
  const open = { status: "open", sopStep: "register", stepStartedAt: started, stepDueAt: due };

  it("is on time, then warned, then late, and nothing once closed", () => {
    expect(timeState(sop, open, new Date("2026-12-01T03:00:00Z"))).toBe("ok");
    expect(timeState(sop, open, new Date("2026-12-03T01:59:00Z"))).toBe("warned");
    expect(timeState(sop, open, due)).toBe("late");
    expect(timeState(sop, { ...open, status: "closed" }, new Date("2026-12-09T00:00:00Z"))).toBe("none");
    expect(timeState(sop, { ...open, stepDueAt: null }, new Date("2026-12-09T00:00:00Z"))).toBe("none");
  });
});

describe("the live feed", () => {
  it("tells each new complaint and message once, also one whose transaction committed late", async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 11, 4, 9, 0, s));
    let rows: { id: string; type: string; createdAt: Date; complaint: { ticket: string } }[] = [];
    // Only the one query the feed makes; the where is checked by what the rows' stamps allow.
    const db = { prisma: { complaintEvent: { findMany: () => Promise.resolve(rows) } } } as unknown as Database;
    const feed = new LiveFeed(
      db,
      () => at(0),
      60_000,
      () => undefined,
    );
    const heard: LiveUpdate[] = [];
    const stop = feed.subscribe((u) => heard.push(u));
    rows = [{ id: "a", type: "received", createdAt: at(5), complaint: { ticket: "ADU-2026-00001" } }];
    await feed.tick();
    // "b" was stamped before "a" but committed after the last tick: still news, once.
    rows = [{ id: "b", type: "citizen.followup", createdAt: at(4), complaint: { ticket: "ADU-2026-00002" } }, ...rows];
    await feed.tick();
    await feed.tick();
    expect(heard).toEqual([
      { complaints: 1, messages: 0, tickets: ["ADU-2026-00001"] },
      { complaints: 0, messages: 1, tickets: ["ADU-2026-00002"] },
    ]);
    stop();
    expect(feed.size).toBe(0);
  });
});
