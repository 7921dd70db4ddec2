import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATE_DIR, loadTemplates, render, templateVars, type Templates } from "../../src/i18n/index.js";

const templates = loadTemplates();

function writeTemplates(id: unknown, en: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "ka-templates-"));
  for (const [locale, content] of [
    ["id", id],
    ["en", en],
  ] as const) {
    mkdirSync(join(dir, locale));
    writeFileSync(join(dir, locale, "messages.json"), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

describe("the template files", () => {
  it("have the same keys in both locales", () => {
    expect(Object.keys(templates.id).sort()).toEqual(Object.keys(templates.en).sort());
    expect(Object.keys(templates.id).length).toBeGreaterThan(50);
  });

  it("use the same {vars} for each key in both locales", () => {
    for (const key of Object.keys(templates.id)) {
      expect(templateVars(templates.en[key]!), key).toEqual(templateVars(templates.id[key]!));
    }
  });

  it("have no empty text", () => {
    for (const locale of ["id", "en"] as const) {
      for (const [key, text] of Object.entries(templates[locale])) expect(text.trim(), `${locale} ${key}`).not.toBe("");
    }
  });

  it("promise confidentiality at the name question, politely", () => {
    expect(templates.id["ask.name"]).toMatch(/identitas Anda kami jaga kerahasiaannya/i);
    expect(templates.id["ask.name"]).toContain("Bapak/Ibu");
    expect(templates.en["ask.name"]).toMatch(/confidential/i);
  });

  it("show the ticket wherever a message concerns a complaint", () => {
    for (const key of [
      "receipt.complaint",
      "receipt.information",
      "followup.received",
      "rating.thanks",
      "ask.rating",
      "cancel.filed",
      "filed.reminder",
    ]) {
      expect(templateVars(templates.id[key]!), key).toContain("ticket");
    }
    expect(templates.id["greeting"]).toContain("{office}");
  });
});

const KEY_LITERAL = /"([a-z][A-Za-z]*(?:\.[A-Za-z0-9-]+)+)"/g;

function sources(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.includes("generated"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
}

/** Every template key the flow can send, found in its source; and no template nobody sends. */
describe("the flow and the templates agree", () => {
  const root = join(DEFAULT_TEMPLATE_DIR, "..");
  const source = sources(join(root, "src", "flow"));
  const literals = new Set([...source.matchAll(KEY_LITERAL)].map((m) => m[1]!));
  // The pipeline renders a few templates of its own (status report, history); they count as used.
  const everywhere = new Set([...`${sources(join(root, "src"))}`.matchAll(KEY_LITERAL)].map((m) => m[1]!));

  it("every key the flow names exists in both locales", () => {
    const keyLike = [...literals].filter((s) => !s.endsWith(".js"));
    expect(keyLike.length).toBeGreaterThan(50);
    for (const key of keyLike) {
      expect(templates.id, key).toHaveProperty([key]);
      expect(templates.en, key).toHaveProperty([key]);
    }
  });

  it("every template is used", () => {
    const unused = Object.keys(templates.id).filter(
      (key) => !everywhere.has(key) && !["greeting", "menu", "help", "summary"].includes(key),
    );
    expect(unused).toEqual([]);
    for (const key of ["greeting", "menu", "help", "summary"]) expect(source).toContain(`"${key}"`);
  });
});

describe("loadTemplates", () => {
  it("names the keys one locale lacks", () => {
    const dir = writeTemplates({ a: "A", b: "B", c: "C" }, { a: "A" });
    expect(() => loadTemplates(dir)).toThrow(/en\/\*\.json lacks b, c/);
  });

  it("refuses a file that is not a flat object of strings", () => {
    expect(() => loadTemplates(writeTemplates({ a: { nested: "x" } }, { a: "A" }))).toThrow(/flat object of strings/);
    expect(() => loadTemplates(writeTemplates({ a: "A" }, "{ not json"))).toThrow(/cannot read templates/);
  });

  it("reads a valid directory", () => {
    const loaded = loadTemplates(writeTemplates({ hi: "Halo {name}" }, { hi: "Hello {name}" }));
    expect(loaded.en["hi"]).toBe("Hello {name}");
  });
});

describe("render", () => {
  const t: Templates = {
    id: {
      hi: "Halo {name} dari {office}",
      n: "{count} berkas",
      outer: "Kategori: {category}",
      cat: "Pelayanan",
      opt: "Ya",
      loop: "{self}",
    },
    en: { hi: "Hello {name} from {office}", n: "{count} files", outer: "Category: {category}", cat: "Service", opt: "Yes", loop: "{self}" },
  };

  it("fills vars, then globals; a reply's var wins over a global", () => {
    expect(render(t, "en", { key: "hi", vars: { name: "Budi" } }, { office: "Kantor" })).toEqual({ text: "Hello Budi from Kantor" });
    expect(render(t, "id", { key: "hi", vars: { name: "Budi", office: "Dinas" } }, { office: "Kantor" }).text).toBe("Halo Budi dari Dinas");
  });

  it("renders numbers and nested template keys in the same locale", () => {
    expect(render(t, "id", { key: "n", vars: { count: 3 } }, {}).text).toBe("3 berkas");
    expect(render(t, "en", { key: "outer", vars: { category: { key: "cat" } } }, {}).text).toBe("Category: Service");
  });

  it("renders options as labels", () => {
    expect(render(t, "en", { key: "n", vars: { count: 1 }, options: ["opt", "cat"] }, {})).toEqual({
      text: "1 files",
      options: ["Yes", "Service"],
    });
  });

  it("never substitutes inside a citizen's own text", () => {
    expect(render(t, "en", { key: "hi", vars: { name: "{office}" } }, { office: "Kantor" }).text).toBe("Hello {office} from Kantor");
  });

  it("throws on an unknown key, a missing var, or a cycle", () => {
    expect(() => render(t, "id", { key: "nope" }, {})).toThrow(/unknown template key "nope"/);
    expect(() => render(t, "id", { key: "outer", vars: { category: { key: "missing" } } }, {})).toThrow(/unknown template key "missing"/);
    expect(() => render(t, "id", { key: "hi" }, {})).toThrow(/needs \{name\}/);
    expect(() => render(t, "id", { key: "loop", vars: { self: { key: "loop" } } }, {})).toThrow(/nests too deep/);
  });

  it("renders the real summary with nested keys", () => {
    const out = render(
      templates,
      "id",
      {
        key: "summary",
        vars: {
          name: { key: "summary.anonymous" },
          contact: { key: "summary.viaChannel" },
          address: { key: "summary.empty" },
          category: { key: "category.facilities" },
          text: "Atap bocor",
          evidence: 0,
        },
      },
      { office: "Kantor" },
    );
    expect(out.text).toContain("Anonim (tanpa nama)");
    expect(out.text).toContain("Sarana Prasarana");
    expect(out.text).toContain("Atap bocor");
  });
});
