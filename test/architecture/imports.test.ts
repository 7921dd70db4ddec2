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

/** Static imports and re-exports, and dynamic `import("…")` with a literal path. */
function imports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [
    ...[...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!),
  ];
}

const rel = (p: string) => relative(repoRoot, p);

/** The part of src/ a path belongs to: its first folder (src/staff/commands/reply.ts → "staff"). */
const partOf = (p: string) => relative(join(repoRoot, "src"), p).split(sep)[0]!;

/**
 * The arrows as docs/ARCHITECTURE.md states them: the table between its `imports:begin` and
 * `imports:end` markers, part → the parts it may import. Read from the document so the two stay in step.
 */
function documentedArrows(): Map<string, Set<string>> {
  const doc = readFileSync(join(repoRoot, "docs/ARCHITECTURE.md"), "utf8");
  const table = doc.slice(doc.indexOf("<!-- imports:begin -->"), doc.indexOf("<!-- imports:end -->"));
  const arrows = new Map<string, Set<string>>();
  for (const [, part, allowed] of table.matchAll(/^\| `([a-z0-9]+)` \| (.+?) \|$/gm)) {
    const names = allowed!.trim() === "—" ? [] : allowed!.split(",").map((name) => name.trim());
    arrows.set(part!, new Set(names));
  }
  return arrows;
}

const arrows = documentedArrows();
const parts = readdirSync(join(repoRoot, "src")).filter((name) => statSync(join(repoRoot, "src", name)).isDirectory());

describe("the dependency arrow points inward (docs/ARCHITECTURE.md)", () => {
  it("the document's table names every part of src/, and no arrow makes a cycle", () => {
    expect([...arrows.keys()].sort()).toEqual([...parts].sort());
    // `main` may import everything: it is the outermost part, so nothing may import it.
    for (const [part, allowed] of arrows) expect(allowed.has("main"), `${part} may import main`).toBe(false);
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (part: string, path: string[]) => {
      if (done.has(part)) return;
      expect(visiting.has(part), `cycle: ${[...path, part].join(" → ")}`).toBe(false);
      visiting.add(part);
      for (const next of arrows.get(part) ?? []) if (next !== "every part above" && arrows.has(next)) visit(next, [...path, part]);
      visiting.delete(part);
      done.add(part);
    };
    for (const part of arrows.keys()) visit(part, []);
  });

  it("each part imports only the parts its row allows", () => {
    for (const file of files(join(repoRoot, "src"))) {
      const part = partOf(file);
      const allowed = arrows.get(part);
      if (!allowed || part === "main") continue;
      for (const spec of imports(file)) {
        if (!spec.startsWith("../")) continue;
        const target = join(dirname(file), spec);
        if (!target.startsWith(join(repoRoot, "src") + sep)) continue;
        const other = partOf(target);
        if (other === part) continue;
        expect(allowed.has(other), `${rel(file)} imports ${spec}: ${part} may not import ${other}`).toBe(true);
      }
    }
  });

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

  it("src/main/ imports a channel with an SDK only dynamically, when it is configured", () => {
    // The web chat (no SDK) and the terminal (node:readline) are the channels imported statically.
    const staticChannels = new Set(["webchat", "terminal"]);
    for (const file of files(join(repoRoot, "src/main"))) {
      const text = readFileSync(file, "utf8");
      for (const [, spec] of text.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+["']([^"']+)["']/gm)) {
        const channel = /channels\/([a-z-]+)\//.exec(spec!)?.[1];
        if (channel) expect(staticChannels.has(channel), `${rel(file)} imports ${spec} statically`).toBe(true);
      }
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
