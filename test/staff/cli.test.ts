import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { staffCommand } from "../../src/cli/staff.js";
import { testDatabase } from "../helpers/database.js";

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
