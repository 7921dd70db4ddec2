/**
 * UU 27/2022 and the SOPs' promise: personal data never leaves through the operator's channels. A
 * named complaint goes through the whole bot (web chat API), then through everything else that
 * touches identity — the key's generation, the start-up pass, export, erase, rotate-key, the
 * retention duty — and every log line, CLI line and /metrics scrape is searched for the person.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { main as privacyCli } from "../../src/cli/privacy.js";
import { openDatabase } from "../../src/db/index.js";
import { retentionDutyRound } from "../../src/privacy/index.js";
import { dropTestDatabases, testDatabaseUrl } from "../helpers/database.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { restoreTestKey, SITI } from "./helpers.js";
import { TICKET } from "../helpers/pipeline.js";

const SECRETS = [SITI.name, "Siti", "Aminah", "81234567890", "3456", SITI.email, "Melati", "Denpasar"];

let app: TestApp | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  restoreTestKey();
});
afterAll(async () => {
  await dropTestDatabases();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function expectClean(where: string, text: string, extra: string[] = []): void {
  for (const secret of [...SECRETS, ...extra]) expect(text.includes(secret), `${where} holds "${secret}"`).toBe(false);
}

describe("no personal data in logs, CLI output or /metrics", () => {
  it("holds for a named complaint filed, exported, erased by the retention duty and re-keyed", async () => {
    const lines: string[] = [];
    const log = (message: string, fields?: Record<string, unknown>) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
    app = await startApp({ log, env: { RETENTION_MONTHS: "1" } });
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`${app!.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBeLessThan(300);
      return (await res.json()) as { sessionId?: string; replies: { text: string }[] };
    };
    const { sessionId } = await call("/api/webchat/sessions", {});
    let last = "";
    for (const text of [
      "1",
      SITI.name,
      `${SITI.phone} ${SITI.email}`,
      SITI.address,
      "3",
      "Lampu jalan di depan rumah Siti Aminah mati",
      "lewati",
      "ya",
    ]) {
      last = (await call(`/api/webchat/sessions/${sessionId}/messages`, { text })).replies.map((r) => r.text).join(" ");
    }
    const ticket = TICKET.exec(last)![0];

    const cliOut: string[] = [];
    const cwd = mkdtempSync(join(tmpdir(), "kanal-privacy-logs-"));
    dirs.push(cwd);
    const cli = (args: string[]) =>
      privacyCli(
        args,
        { DATABASE_URL: app!.databaseUrl, IDENTITY_KEY: process.env.IDENTITY_KEY!, ATTACHMENTS_DIR: join(app!.dir, "attachments") },
        {
          out: (l) => cliOut.push(l),
          err: (l) => cliOut.push(l),
          envFile: join(cwd, "no.env"),
          cwd,
          clock: () => new Date(),
        },
      );
    expect(await cli(["export", ticket])).toBe(0);
    expect(await cli(["audit", ticket])).toBe(0);

    const complaint = await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    await app.db.prisma.complaint.update({
      where: { id: complaint.id },
      data: { status: "closed", closedAt: new Date("2020-01-01T00:00:00Z") },
    });
    await retentionDutyRound(app.db, { months: 1, attachmentsDir: join(app.dir, "attachments") }, log);
    expect(lines.some((l) => l.startsWith("retention:"))).toBe(true);
    expect(await cli(["rotate-key"])).toBe(0);

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain("kanal_complaints_total");
    expectClean("/metrics", metrics);
    expectClean("the CLI's output", cliOut.join("\n"));
    // Something was said: a silent log would pass any search.
    expect(lines.length).toBeGreaterThan(3);
    expectClean("the log", lines.join("\n"), [process.env.IDENTITY_KEY!]);
  });

  it("says a generated key's id and file, never the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-privacy-key-"));
    dirs.push(dir);
    const lines: string[] = [];
    const db = await openDatabase(await testDatabaseUrl(dir), {
      identityKey: "",
      identityKeyFile: join(dir, "data", "identity.key"),
      log: (m, f) => lines.push(`${m} ${JSON.stringify(f ?? {})}`),
    });
    await db.close();
    const key = readFileSync(join(dir, "data", "identity.key"), "utf8").trim();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/IDENTITY KEY GENERATED.*BACK IT UP/);
    expect(lines[0]).toContain(join(dir, "data", "identity.key"));
    expect(lines[0]).not.toContain(key);
  });
});
