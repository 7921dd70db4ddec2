import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ERASED_EVENT } from "../../src/privacy/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { dropTestDatabases, testDatabaseUrl } from "../helpers/database.js";
import { createTestPipeline } from "../helpers/pipeline.js";
import { attachFile, close, fileComplaint, monthsBefore, restoreTestKey, SITI } from "./helpers.js";

let app: TestApp | undefined;
const dir = mkdtempSync(join(tmpdir(), "kanal-retention-duty-"));
afterAll(async () => {
  await app?.close();
  restoreTestKey();
  await dropTestDatabases();
  rmSync(dir, { recursive: true, force: true });
});

describe("RETENTION_MONTHS in the running bot", () => {
  it("is a leader duty: the elected instance erases a complaint closed longer ago, as system:retention", async () => {
    const url = await testDatabaseUrl(dir);
    const t = await createTestPipeline({ databaseUrl: url, dir });
    const { id } = await fileComplaint(t, "duty-1", SITI, "Pungutan liar di loket pembuatan KTP elektronik");
    const file = await attachFile(t, id, "a photo of the receipt");
    await close(t, id, monthsBefore(new Date(), 3), { score: 3, comment: "Lambat sekali" });
    await t.close();

    app = await startApp({ dir, env: { DATABASE_URL: url, RETENTION_MONTHS: "2" } });
    const deadline = Date.now() + 20_000;
    let erased = 0;
    while (Date.now() < deadline && erased === 0) {
      erased = await app.db.prisma.complaintEvent.count({ where: { complaintId: id, type: ERASED_EVENT, actor: "system:retention" } });
      if (erased === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(erased).toBe(1);
    const row = await app.db.prisma.complaint.findUniqueOrThrow({ where: { id }, include: { complainant: true } });
    expect(row).toMatchObject({ text: "", ratingComment: null, rating: 3, status: "closed" });
    expect(row.complainant.name).toBeNull();
    // Files go just after the erasure commits (a rolled-back one must not lose evidence).
    while (Date.now() < deadline && existsSync(file)) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(file)).toBe(false);
  });
});
