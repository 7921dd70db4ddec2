import { describe, expect, it } from "vitest";
import { step } from "../../src/flow/index.js";
import { at, FULL_DRAFT, input, play, telegram, web } from "./transcript.js";

const SO_FAR = { name: "Budi", email: "budi@contoh.id", contactAsked: true, address: "Jl. Merdeka 10", addressAsked: true };

describe("an unusable answer is asked again with a hint; nothing given is lost", () => {
  it.each(["id", "en"] as const)("at every question (%s)", (locale) => {
    play(web, locale, [
      { say: "halo", keys: ["greeting", "menu"], step: "menu" },
      { say: "9", keys: ["menu.invalid", "menu"], step: "menu" },
      { say: "1", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: "7", keys: ["name.invalid", "ask.name"], step: "askName" },
      { say: "lewati", keys: ["name.invalid", "ask.name"], step: "askName" },
      { say: "Budi", keys: ["ask.contact"], step: "askContact", draft: { name: "Budi" } },
      { say: "tidak tahu", keys: ["contact.invalid", "ask.contact"], step: "askContact", draft: { name: "Budi" } },
      { say: "12345", keys: ["contact.phoneInvalid", "ask.contact"], step: "askContact", draft: { name: "Budi" } },
      { say: "0812", keys: ["contact.phoneInvalid", "ask.contact"], step: "askContact" },
      { say: "+1 555 123 4567", keys: ["contact.phoneInvalid", "ask.contact"], step: "askContact" },
      { say: "budi@", keys: ["contact.emailInvalid", "ask.contact"], step: "askContact" },
      { say: "lewati", keys: ["contact.required", "ask.contact"], step: "askContact" },
      { say: "budi@contoh.id", keys: ["ask.address"], step: "askAddress", draft: { name: "Budi", email: "budi@contoh.id" } },
      { say: "skip", keys: ["address.required", "ask.address"], step: "askAddress" },
      { say: "123", keys: ["address.invalid", "ask.address"], step: "askAddress" },
      { say: "Jl. Merdeka 10", keys: ["ask.category"], step: "askCategory", draft: SO_FAR },
      { say: "5", keys: ["category.invalid", "ask.category"], step: "askCategory", draft: SO_FAR },
      { say: "entahlah", keys: ["category.invalid", "ask.category"], step: "askCategory", draft: SO_FAR },
      { say: "banana", keys: ["category.invalid", "ask.category"], step: "askCategory", draft: SO_FAR },
      { say: "pelayann", keys: ["ask.text"], step: "askText", draft: { ...SO_FAR, category: "Pelayanan" } },
      { say: "rusak", keys: ["text.tooShort", "ask.text"], step: "askText", draft: { ...SO_FAR, category: "Pelayanan" } },
      { say: "x ".repeat(2100), keys: ["text.tooLong", "ask.text"], step: "askText", draft: { ...SO_FAR, category: "Pelayanan" } },
      { say: "Loket tutup sebelum jam pelayanan berakhir", keys: ["ask.evidence"], step: "askEvidence" },
      { say: "hmm", keys: ["evidence.hint", "ask.evidence"], step: "askEvidence" },
      { say: "skip", keys: ["summary"], step: "confirm" },
      {
        say: "mungkin",
        keys: ["confirm.invalid", "summary"],
        step: "confirm",
        draft: { ...SO_FAR, text: "Loket tutup sebelum jam pelayanan berakhir" },
      },
      { say: "tidak", keys: ["edit.ask"], step: "chooseEdit" },
      { say: "9", keys: ["edit.invalid", "edit.ask"], step: "chooseEdit", draft: SO_FAR },
    ]);
  });

  it("a half-right contact keeps its right half", () => {
    const r = step(at("askContact", { name: "Budi" }), input("budi@contoh.id 12345"), web, "id");
    expect(r.state.step).toBe("askContact");
    expect(r.state.draft.email).toBe("budi@contoh.id");
    expect(r.replies[0]).toEqual({ key: "contact.phoneInvalid", vars: { value: "12345" } });
    const next = step(r.state, input("0812-3456-7890"), web, "id");
    expect(next.state.draft).toMatchObject({ email: "budi@contoh.id", phone: "+6281234567890", contactAsked: true });
    expect(next.state.step).toBe("askAddress");
  });

  it("a story typed at the name question is kept as the complaint text", () => {
    const story = "Petugas di loket tiga membentak warga yang bertanya tentang persyaratan dokumen.";
    play(
      telegram,
      "id",
      [
        { say: story, keys: ["text.kept", "ask.name"], step: "askName", draft: { text: story } },
        { say: "Siti", keys: ["ask.contact"], step: "askContact", draft: { text: story, name: "Siti" } },
      ],
      at("askName"),
    );
  });

  it("a wrong answer never clears a field given earlier", () => {
    const state = at("askCategory", { ...FULL_DRAFT, category: undefined, attachmentIds: ["f1"] });
    for (const text of ["", "?", "99", "tidak tahu", "ya", "lewati"]) {
      const r = step(state, input(text), web, "id");
      expect(r.state.draft).toEqual(state.draft);
      expect(r.state.step).toBe("askCategory");
      expect(r.effects).toEqual([]);
    }
  });

  it("an empty message just asks the question again", () => {
    const r = step(at("askName"), input(""), web, "en");
    expect(r.replies.map((x) => x.key)).toEqual(["ask.name"]);
  });
});
