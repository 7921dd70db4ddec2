import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staffCommand } from "../../src/cli/staff.js";
import { openDatabase, repoRoot, type Database } from "../../src/db/index.js";
import { verifyPassword } from "../../src/console/index.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";

describe("npm run staff", () => {
  it("adds, lists and removes staff, with roles", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-staff-"));
    const database = await testDatabase(dir, "staff.db");
    const env = { DATABASE_URL: database.url, STAFF_TELEGRAM_IDS: "500" };
    const none = join(dir, "none.env");
    try {
      expect(await staffCommand(["add", "123", "Budi", "Santoso", "pimpinan"], env, none)).toBe("added 123 Budi Santoso (pimpinan)");
      expect(await staffCommand(["add", "124", "Kasi"], env, none)).toBe("added 124 Kasi (staf)");
      const list = await staffCommand(["list"], env, none);
      expect(list.split("\n")).toEqual(["123\tBudi Santoso\tpimpinan", "124\tKasi\tstaf", "500\t(STAFF_TELEGRAM_IDS)\tstaf"]);
      expect(await staffCommand(["remove", "123"], env, none)).toBe("removed 123");
      expect(await staffCommand(["list"], env, none)).not.toContain("Budi");
      // A role of the office's SOP preset is accepted too.
      const palaran = { ...env, SOP_PRESET: "palaran" };
      expect(await staffCommand(["add", "125", "Sekcam", "Palaran", "sekretaris"], palaran, none)).toBe(
        "added 125 Sekcam Palaran (sekretaris)",
      );
      await expect(staffCommand(["add", "abc", "X"], env, none)).rejects.toThrow(/must be a number/);
      await expect(staffCommand(["promote", "1"], env, none)).rejects.toThrow(/usage/);
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm run staff: roles are checked (issue 19)", () => {
  let dir: string;
  let database: TestDatabase;
  let env: Record<string, string>;
  let none: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-staff-roles-"));
    database = await testDatabase(dir, "roles.db");
    env = { DATABASE_URL: database.url };
    none = join(dir, "none.env");
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a misspelt role with the valid ones, and adds nobody", async () => {
    const refusal = staffCommand(["add", "779", "Ani", "pimpnan"], env, none);
    await expect(refusal).rejects.toThrow(/unknown role "pimpnan"; valid roles: staf, kasi, pimpinan, admin/);
    expect(await staffCommand(["list"], env, none)).not.toContain("779");
  });

  it("refuses a role of another preset, naming the presets that have it", async () => {
    await expect(staffCommand(["add", "780", "Ani", "camat"], env, none)).rejects.toThrow(
      /unknown role "camat" \("camat" is a role of the denpasar-utara, jenawi, palaran preset, not of generic: SOP_PRESET\)/,
    );
    // Capitalised, a role of some preset is still meant as a role, not as the end of a name.
    await expect(staffCommand(["add", "780", "Ani", "Sekretaris"], env, none)).rejects.toThrow(/madiun-inspektorat, palaran preset/);
    // Under a preset, its roles are listed as valid ones.
    await expect(staffCommand(["add", "780", "Ani", "kasubag"], { ...env, SOP_PRESET: "palaran" }, none)).rejects.toThrow(
      /valid roles: staf, kasi, pimpinan, admin, camat, sekretaris, kasubbag-kasi, staf/,
    );
  });

  it("never offers the citizen's or an outside agency's role", async () => {
    await expect(staffCommand(["add", "781", "Ani", "pelapor"], { ...env, SOP_PRESET: "jenawi" }, none)).rejects.toThrow(
      /unknown role "pelapor"/,
    );
    await expect(staffCommand(["add", "781", "Ani", "instansi-terkait"], { ...env, SOP_PRESET: "denpasar-utara" }, none)).rejects.toThrow(
      /unknown role "instansi-terkait"/,
    );
  });

  it("keeps names of several words: a capitalised last word is part of the name", async () => {
    expect(await staffCommand(["add", "782", "Ani", "Lestari"], env, none)).toBe("added 782 Ani Lestari (staf)");
    expect(await staffCommand(["add", "783", "ani lestari", "kasi"], env, none)).toBe("added 783 ani lestari (kasi)");
    await expect(staffCommand(["add", "784", "ani", "lestari"], env, none)).rejects.toThrow(/goes in quotes/);
  });
});

describe("npm run staff: web console logins", () => {
  let dir: string;
  let database: TestDatabase;
  let db: Database;
  let env: Record<string, string>;
  let none: string;
  const pw = (line: string) => ({ readPassword: () => Promise.resolve(line) });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kanal-staff-web-"));
    database = await testDatabase(dir, "web.db");
    env = { DATABASE_URL: database.url };
    none = join(dir, "none.env");
    await staffCommand(["list"], env, none); // migrates
    db = await openDatabase(database.url);
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("add-web creates a web-only person whose password is stored as a salted scrypt hash", async () => {
    const out = await staffCommand(["add-web", "Ani", "Ani", "Lestari", "kasi", "--password-stdin"], env, none, pw("kata sandi panjang"));
    expect(out).toBe("added web login ani: Ani Lestari (kasi), web only");
    const login = await db.prisma.staffLogin.findUniqueOrThrow({ where: { username: "ani" }, include: { staff: true } });
    expect(login.staff).toMatchObject({ name: "Ani Lestari", role: "kasi", active: true, telegramId: "web:ani" });
    expect(login.passwordHash).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(login.passwordHash).not.toContain("kata sandi");
    expect(await verifyPassword("kata sandi panjang", login.passwordHash)).toBe(true);
    expect(await verifyPassword("kata sandi panjanG", login.passwordHash)).toBe(false);
    // The same password for someone else gets another salt, so another hash.
    await staffCommand(["add-web", "budi", "Budi", "staf", "--password-stdin"], env, none, pw("kata sandi panjang"));
    const budi = await db.prisma.staffLogin.findUniqueOrThrow({ where: { username: "budi" } });
    expect(budi.passwordHash).not.toBe(login.passwordHash);
    expect((await staffCommand(["list"], env, none)).split("\n")).toContain("-\tAni Lestari\tkasi\tweb: ani");
  });

  it("add-web --telegram ties the login to the person's Telegram staff row", async () => {
    await staffCommand(["add", "900", "Citra", "staf"], env, none);
    const out = await staffCommand(
      ["add-web", "citra", "Citra Dewi", "pimpinan", "--telegram", "900", "--password-stdin"],
      env,
      none,
      pw("rahasia sekali 1"),
    );
    expect(out).toBe("added web login citra: Citra Dewi (pimpinan), Telegram 900");
    const staff = await db.prisma.staff.findMany({ where: { telegramId: "900" }, include: { login: true } });
    expect(staff).toHaveLength(1);
    expect(staff[0]).toMatchObject({ name: "Citra Dewi", role: "pimpinan", login: { username: "citra" } });
    await expect(
      staffCommand(["add-web", "citra2", "Citra", "staf", "--telegram", "900", "--password-stdin"], env, none, pw("rahasia sekali 2")),
    ).rejects.toThrow(/already signs in to the web as "citra"/);
  });

  it("refuses what it cannot use, before touching the database", async () => {
    const attempts: [string[], RegExp][] = [
      [["add-web", "dewi", "Dewi", "pimpnan", "--password-stdin"], /unknown role "pimpnan".*valid roles: staf, kasi, pimpinan, admin/],
      [["add-web", "dewi", "Dewi", "camat", "--password-stdin"], /"camat" is a role of the denpasar-utara, jenawi, palaran preset/],
      [["add-web", "dewi", "Dewi", "kasi"], /--password-stdin/],
      [["add-web", "dewi", "kasi", "--password-stdin"], /needs a username, a name and a role/],
      [["add-web", "de", "Dewi", "kasi", "--password-stdin"], /username "de" is not usable/],
      [["add-web", "dewi/../x", "Dewi", "kasi", "--password-stdin"], /is not usable/],
      [["add-web", "dewi", "Dewi", "kasi", "--password-stdin", "--password-stdin"], /given twice/],
      [["add-web", "dewi", "Dewi", "kasi", "--telegram", "--password-stdin"], /--telegram needs a value/],
      [["add-web", "dewi", "Dewi", "kasi", "--password-stdin", "--telegram", "12ab"], /must be a number/],
      [["add-web", "ani", "Ani", "kasi", "--password-stdin"], /"ani" is taken/],
      [["passwd", "nobody", "--password-stdin"], /no web login "nobody"/],
      [["disable", "ani", "extra"], /unexpected "extra"/],
      [["add", "1", "Ani", "--password-stdin"], /add takes no --password-stdin/],
    ];
    for (const [args, error] of attempts) {
      await expect(staffCommand(args, env, none, pw("a good long password")), args.join(" ")).rejects.toThrow(error);
    }
    for (const [line, error] of [
      ["", /no password on standard input/],
      ["pendek", /too short: at least 10/],
      ["x".repeat(257), /too long/],
      ["tab\tinside password", /control character/],
    ] as const) {
      await expect(staffCommand(["add-web", "dewi", "Dewi", "kasi", "--password-stdin"], env, none, pw(line)), line).rejects.toThrow(error);
    }
    expect(await db.prisma.staffLogin.findUnique({ where: { username: "dewi" } })).toBeNull();
  });

  it("passwd changes the password and signs the login out everywhere; disable turns it off", async () => {
    const login = await db.prisma.staffLogin.findUniqueOrThrow({ where: { username: "ani" } });
    const now = new Date();
    await db.prisma.staffSession.create({
      data: { id: "s1", loginId: login.id, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 3_600_000) },
    });
    expect(await staffCommand(["passwd", "ANI", "--password-stdin"], env, none, pw("sandi baru yang panjang"))).toMatch(
      /signed out everywhere/,
    );
    const changed = await db.prisma.staffLogin.findUniqueOrThrow({ where: { username: "ani" } });
    expect(await verifyPassword("sandi baru yang panjang", changed.passwordHash)).toBe(true);
    expect(await verifyPassword("kata sandi panjang", changed.passwordHash)).toBe(false);
    expect(await db.prisma.staffSession.count({ where: { loginId: login.id } })).toBe(0);

    await db.prisma.staffSession.create({
      data: { id: "s2", loginId: login.id, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 3_600_000) },
    });
    expect(await staffCommand(["disable", "ani"], env, none)).toBe("disabled web login ani; 1 session(s) signed out");
    const disabled = await db.prisma.staffLogin.findUniqueOrThrow({ where: { username: "ani" }, include: { staff: true } });
    expect(disabled.active).toBe(false);
    // A web-only person is no longer staff at all; one tied to Telegram stays staff in the group.
    expect(disabled.staff.active).toBe(false);
    expect(await staffCommand(["disable", "citra"], env, none)).toMatch(/still staff in the Telegram group/);
    expect((await db.prisma.staff.findUniqueOrThrow({ where: { telegramId: "900" } })).active).toBe(true);
    // passwd enables it again.
    await staffCommand(["passwd", "ani", "--password-stdin"], env, none, pw("sandi ketiga yang panjang"));
    const again = await db.prisma.staffLogin.findUniqueOrThrow({ where: { username: "ani" }, include: { staff: true } });
    expect([again.active, again.staff.active]).toEqual([true, true]);
  });

  it("as a process: reads the password from standard input, and exits 2 on an unknown role", async () => {
    const run = (args: string[], stdin: string) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "src/cli/staff.ts"), ...args], {
          cwd: repoRoot,
          env: { ...process.env, ...env },
          stdio: ["pipe", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (c: Buffer) => (out += c.toString()));
        child.stderr.on("data", (c: Buffer) => (err += c.toString()));
        child.on("exit", (code) => resolve({ code, out, err }));
        child.stdin.end(stdin);
      });
    const added = await run(["add-web", "eko", "Eko", "admin", "--password-stdin"], "sandi eko yang panjang\nsecond line ignored\n");
    expect(added).toMatchObject({ code: 0, out: "added web login eko: Eko (admin), web only\n" });
    const login = await db.prisma.staffLogin.findUniqueOrThrow({ where: { username: "eko" } });
    expect(await verifyPassword("sandi eko yang panjang", login.passwordHash)).toBe(true);
    const refused = await run(["add", "779", "Ani", "pimpnan"], "");
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/unknown role "pimpnan"; valid roles: staf, kasi, pimpinan, admin/);
    expect(refused.out).toBe("");
  }, 60_000);
});
