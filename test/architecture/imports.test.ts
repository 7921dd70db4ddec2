import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../src/db/index.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated" || name === "node_modules" || name === "public") return [];
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function imports(path: string): string[] {
  return [...readFileSync(path, "utf8").matchAll(/^\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
}

const rel = (p: string) => relative(repoRoot, p);

/** The part of src/ a path belongs to: its first folder (src/staff/commands/reply.ts → "staff"). */
const partOf = (p: string) => relative(join(repoRoot, "src"), p).split(sep)[0];

describe("the dependency arrow points inward (DESIGN.md)", () => {
  it("src/core imports nothing of ours and no I/O or SDK", () => {
    for (const file of files(join(repoRoot, "src/core"))) {
      for (const spec of imports(file)) {
        expect(spec.startsWith("./") || spec === "zod", `${rel(file)} imports ${spec}`).toBe(true);
      }
    }
  });

  it("src/flow is pure: only core and its own modules", () => {
    for (const file of files(join(repoRoot, "src/flow"))) {
      for (const spec of imports(file)) {
        expect(spec.startsWith("./") || spec === "../core/index.js", `${rel(file)} imports ${spec}`).toBe(true);
      }
    }
  });

  it("only src/main/ under src/ imports channels/", () => {
    for (const file of files(join(repoRoot, "src"))) {
      if (partOf(file) === "main") continue;
      for (const spec of imports(file)) expect(spec.includes("channels/"), `${rel(file)} imports ${spec}`).toBe(false);
    }
  });

  it("channels import only the core of ours, and the mechanisms they share through channels/shared", () => {
    for (const file of files(join(repoRoot, "channels"))) {
      const shared = rel(file).startsWith(join("channels", "shared"));
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) continue;
        // channels/shared is the one folder channels share; it must not lean on any channel.
        const ok = spec.startsWith("./") || /^(\.\.\/)+src\/core\/index\.js$/.test(spec) || (!shared && spec === "../shared/index.js");
        expect(ok, `${rel(file)} imports ${spec}`).toBe(true);
      }
    }
  });

  it("no folder imports another's internals, only its index.ts", () => {
    for (const file of files(join(repoRoot, "src"))) {
      for (const spec of imports(file)) {
        if (!spec.startsWith("../")) continue;
        // A subfolder may use its own part's modules (src/staff/commands → src/staff): that is not another folder.
        if (partOf(join(dirname(file), spec)) === partOf(file)) continue;
        const ok =
          /\/index\.js$/.test(spec) || spec.includes("/generated/") || (partOf(file) === "main" && spec.startsWith("../../channels/"));
        expect(ok, `${rel(file)} imports ${spec}`).toBe(true);
      }
    }
  });
});
