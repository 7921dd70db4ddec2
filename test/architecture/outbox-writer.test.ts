import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../src/db/index.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated" || name === "node_modules" || name === "public") return [];
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Ways to write an OutboxMessage row other than src/outbox/enqueue.ts. */
const WRITES = [/outboxMessage\s*\.\s*(create|createMany|upsert)\b/, /\.add\(\s*["']outbox["']/, /INSERT\s+INTO\s+"?OutboxMessage/i];

describe("one outbox writer", () => {
  it("only src/outbox/enqueue.ts makes OutboxMessage rows; everything else calls its enqueue()", () => {
    const offenders: string[] = [];
    for (const file of [...files(join(repoRoot, "src")), ...files(join(repoRoot, "channels"))]) {
      const path = relative(repoRoot, file);
      if (path === join("src", "outbox", "enqueue.ts")) continue;
      const text = readFileSync(file, "utf8");
      for (const pattern of WRITES) if (pattern.test(text)) offenders.push(`${path}: ${pattern.source}`);
    }
    expect(offenders).toEqual([]);
  });
});
