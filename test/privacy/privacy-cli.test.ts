import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main, parsePrivacyArgs } from "../../src/cli/privacy.js";
import { identityKeyUse, installIdentityKeyring, keyringOf, newKeyText, parseKeyList } from "../../src/db/index.js";
import { ERASED_EVENT, type SubjectData } from "../../src/privacy/index.js";
import { textRuns } from "../helpers/pdf.js";
import { createTestPipeline, type TestPipeline } from "../helpers/pipeline.js";
import { attachFile, close, fileComplaint, restoreTestKey, SITI } from "./helpers.js";

let t: TestPipeline | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  restoreTestKey();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI as `npm run privacy -- …` would, in its own working directory, on the test's database. */
async function run(args: string[], env: Record<string, string> = {}, cwd = tempCwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    args,
    { DATABASE_URL: t!.url, IDENTITY_KEY: process.env.IDENTITY_KEY!, ATTACHMENTS_DIR: join(t!.dir, "attachments"), ...env },
    {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      envFile: join(cwd, "no.env"),
      cwd,
      clock: () => new Date("2026-12-04T08:00:00Z"),
    },
  );
  return { code, out, err, cwd };
}

function tempCwd(): string {
  const dir = mkdtempSync(join(tmpdir(), "kanal-privacy-cli-"));
  dirs.push(dir);
  return dir;
}

describe("npm run privacy -- …", () => {
  it("parses its commands and refuses bad ones", () => {
    expect(parsePrivacyArgs(["export", "adu-2026-00001"])).toEqual({ command: "export", ticket: "ADU-2026-00001", force: false });
    expect(parsePrivacyArgs(["erase", "ADU-2026-00001", "--reason", "permintaan pelapor", "--force"])).toMatchObject({
      reason: "permintaan pelapor",
      force: true,
    });
    expect(() => parsePrivacyArgs(["erase", "ADU-2026-00001"])).toThrow(/--reason/);
    expect(() => parsePrivacyArgs(["export"])).toThrow(/needs a ticket/);
    expect(() => parsePrivacyArgs(["shred", "x"])).toThrow(/usage/);
    expect(() => parsePrivacyArgs(["rotate-key", "ADU-1"])).toThrow(/no ticket/);
  });

  it("exports everything held about the complainant as JSON and a readable PDF, and audits the export", async () => {
    t = await createTestPipeline();
    const { ticket, id } = await fileComplaint(t, "exp-1", SITI, "Petugas loket meminta uang tambahan");
    await attachFile(t, id, "photo bytes");
    const { code, out, cwd } = await run(["export", ticket]);
    expect(code).toBe(0);
    const json = JSON.parse(readFileSync(join(cwd, "data/exports", `privacy-${ticket}.json`), "utf8")) as SubjectData;
    expect(json.complainant).toMatchObject({ name: SITI.name, email: SITI.email, address: SITI.address, anonymous: false });
    expect(json.complainant.phone).toMatch(/81234567890$/);
    expect(json.complaints[0]).toMatchObject({ ticket, text: "Petugas loket meminta uang tambahan" });
    expect(json.complaints[0]!.files[0]).toMatchObject({ filename: "bukti_Siti_Aminah.jpg", mime: "image/jpeg" });
    expect(json.conversations[0]!.messages.map((m) => m.text)).toContain(SITI.name);
    const pdfPath = join(cwd, "data/exports", `privacy-${ticket}.pdf`);
    expect(statSync(pdfPath).mode & 0o777).toBe(0o600);
    const text = textRuns(readFileSync(pdfPath))
      .map((r) => r.text)
      .join("\n");
    expect(text).toContain(`Nama: ${SITI.name}`);
    expect(text).toContain("Petugas loket meminta uang tambahan");
    expect(out.at(-1)).toBe(pdfPath);
    expect(await t.db.prisma.complaintEvent.count({ where: { complaintId: id, type: "privacy.exported" } })).toBe(1);
  });

  it("lists every identity view and refused attempt (audit)", async () => {
    t = await createTestPipeline();
    const { ticket, id } = await fileComplaint(t, "aud-1", SITI, "Antrean terlalu panjang");
    const event = (type: string, actor: string, data: object, at: string) =>
      t!.db.prisma.complaintEvent.create({
        data: { id: randomUUID(), complaintId: id, type, actor, data: JSON.stringify(data), createdAt: new Date(at) },
      });
    await event("staff.identity", "staff:1001", { chat: "telegram-private" }, "2026-12-01T01:00:00Z");
    await event("staff.identityDenied", "staff:1002", { chat: "web", role: "operator" }, "2026-12-02T01:00:00Z");
    await event("staff.note", "staff:1001", { text: "not a view" }, "2026-12-03T01:00:00Z");
    const { code, out } = await run(["audit", ticket]);
    expect(code).toBe(0);
    expect(out).toEqual([
      `${ticket}: 2 identity view(s)`,
      "2026-12-01T01:00:00.000Z  staff:1001  shown via telegram-private",
      "2026-12-02T01:00:00.000Z  staff:1002  refused (role operator) via web",
    ]);
  });

  it("erases on request: refused while open unless --force, audited, never twice", async () => {
    t = await createTestPipeline();
    const { ticket, id } = await fileComplaint(t, "era-1", SITI, "Pungutan liar di loket KTP");
    const file = await attachFile(t, id, "evidence to erase");
    const refused = await run(["erase", ticket, "--reason", "permintaan pelapor via surat"]);
    expect(refused.code).toBe(2);
    expect(refused.err.join(" ")).toMatch(/still open.*--force/);
    expect((await t.db.prisma.complaint.findUniqueOrThrow({ where: { id }, include: { complainant: true } })).complainant.name).toBe(
      SITI.name,
    );

    const done = await run(["erase", ticket, "--reason", "permintaan pelapor via surat", "--force"]);
    expect(done.code).toBe(0);
    const after = await t.db.prisma.complaint.findUniqueOrThrow({ where: { id }, include: { complainant: true, events: true } });
    expect(after.complainant).toMatchObject({ name: null, phone: null, email: null, address: null });
    expect(after.text).toBe("");
    expect(() => statSync(file)).toThrow();
    const erased = after.events.find((e) => e.type === ERASED_EVENT)!;
    expect(erased.actor).toBe("system:privacy-cli");
    expect(JSON.parse(erased.data)).toMatchObject({ why: "request", reason: "permintaan pelapor via surat" });

    const again = await run(["erase", ticket, "--reason", "lagi"]);
    expect(again.code).toBe(2);
    expect(again.err.join(" ")).toMatch(/erased already/);
    expect((await run(["erase", "ADU-2026-99999", "--reason", "x"])).code).toBe(2);
  });

  it("erases a closed complaint without --force", async () => {
    t = await createTestPipeline();
    const { ticket, id } = await fileComplaint(t, "era-2", SITI, "Jalan di depan sekolah rusak parah");
    await close(t, id, new Date());
    expect((await run(["erase", ticket, "--reason", "permintaan pelapor"])).code).toBe(0);
  });

  it("rotate-key with IDENTITY_KEY=new,old re-encrypts everything under the new key", async () => {
    t = await createTestPipeline();
    const { ticket } = await fileComplaint(t, "rot-1", SITI, "Lampu jalan mati");
    const fresh = newKeyText();
    const { code, out } = await run(["rotate-key"], { IDENTITY_KEY: `${fresh},${process.env.IDENTITY_KEY!}` });
    expect(code).toBe(0);
    expect(out.join(" ")).toMatch(/1 complainants/);
    const ring = keyringOf(parseKeyList(fresh), "setting");
    expect([...(await identityKeyUse(t.db.sql)).keys()]).toEqual([ring.current.id]);
    installIdentityKeyring(ring);
    const row = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket }, include: { complainant: true } });
    expect(row.complainant.name).toBe(SITI.name);
  });

  it("rotate-key with the generated key file makes a new key and leaves only it in the file", async () => {
    t = await createTestPipeline();
    const { ticket } = await fileComplaint(t, "rot-2", SITI, "Lampu jalan mati");
    const cwd = tempCwd();
    mkdirSync(join(cwd, "data"));
    const keyFile = join(cwd, "data", "identity.key");
    writeFileSync(keyFile, `${process.env.IDENTITY_KEY!}\n`, { mode: 0o600 });
    const { code } = await run(["rotate-key"], { IDENTITY_KEY: "" }, cwd);
    expect(code).toBe(0);
    const keys = readFileSync(keyFile, "utf8").trim().split("\n");
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toBe(process.env.IDENTITY_KEY);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    installIdentityKeyring(keyringOf(parseKeyList(keys[0]!), "file"));
    const row = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket }, include: { complainant: true } });
    expect(row.complainant.email).toBe(SITI.email);
  });
});
