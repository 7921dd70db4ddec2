import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../src/db/index.js";
import { UNIT_FILES, UNIT_FOLDERS } from "../unit-tier.js";

function testFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir)).flatMap((name) => {
    const path = `${dir}${name}`;
    return statSync(join(repoRoot, path)).isDirectory() ? testFiles(`${path}/`) : path.endsWith(".test.ts") ? [path] : [];
  });
}

/** What makes a test slow or stateful: a database, a server or a fake of one, a child process, a browser, a socket. */
const IO = [
  /helpers\/(database|postgres|app|pipeline|process|leader-child|email-rig)\.js/,
  /\/fakes\//,
  /\bopenDatabase\(/,
  /from "node:(child_process|http|https|net)"/,
  /from "(pg|playwright-core|better-sqlite3)"/,
];

describe("the fast tier (npm run test:unit) holds only tests of pure modules", () => {
  const unit = [...UNIT_FOLDERS.flatMap(testFiles), ...UNIT_FILES];

  it("names files that exist", () => {
    for (const file of UNIT_FILES) expect(existsSync(join(repoRoot, file)), file).toBe(true);
    expect(unit.length).toBeGreaterThan(20);
  });

  it("none of them opens a database, starts a server or a process, or drives a browser", () => {
    const offenders = unit.flatMap((file) => {
      const text = readFileSync(join(repoRoot, file), "utf8");
      return IO.filter((pattern) => pattern.test(text)).map((pattern) => `${file}: ${pattern.source}`);
    });
    expect(offenders).toEqual([]);
  });
});
