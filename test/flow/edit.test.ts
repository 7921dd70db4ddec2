import { describe, expect, it } from "vitest";
import { step } from "../../src/flow/index.js";
import { at, file, FULL_DRAFT, input, keys, play, telegram, web } from "./transcript.js";

const confirm = (locale: "id" | "en" = "id") => at("confirm", { ...FULL_DRAFT, attachmentIds: ["f1"] }, locale);

describe("edit from the summary", () => {
  it.each([
    ["1", "askName", "ask.name", "Siti Aminah", { name: "Siti Aminah" }],
    ["2", "askContact", "ask.contact", "siti@contoh.id", { email: "siti@contoh.id", phone: "+6281234567890" }],
    ["3", "askAddress", "ask.address", "Jl. Asia Afrika 1, Bandung", { address: "Jl. Asia Afrika 1, Bandung" }],
    ["4", "askCategory", "ask.category", "sarana", { category: "Sarana Prasarana" }],
    ["5", "askText", "ask.text", "Toilet umum di lantai dua rusak dan kotor.", { text: "Toilet umum di lantai dua rusak dan kotor." }],
  ] as const)("%s edits %s and returns to the summary", (choice, stepName, question, answer, changed) => {
    for (const locale of ["id", "en"] as const) {
      const { state } = play(
        web,
        locale,
        [
          { say: locale === "id" ? "tidak" : "no", keys: ["edit.ask"], step: "chooseEdit" },
          { say: choice, keys: [question], step: stepName },
          { say: answer, keys: ["summary"], step: "confirm", draft: { ...changed, attachmentIds: ["f1"] } },
        ],
        confirm(locale),
      );
      expect(state.editing).toBeUndefined();
    }
  });

  it("evidence: add more, remove all, done", () => {
    play(
      web,
      "id",
      [
        { say: "Tidak, ubah", keys: ["edit.ask"], step: "chooseEdit" },
        { say: "6. Bukti", keys: ["ask.evidence.edit"], step: "askEvidence" },
        { say: input("", file("f2")), keys: ["ask.evidence.edit"], step: "askEvidence", draft: { attachmentIds: ["f1", "f2"] } },
        { say: "hapus semua bukti", keys: ["evidence.cleared", "ask.evidence.edit"], step: "askEvidence", draft: { attachmentIds: [] } },
        { say: "selesai", keys: ["summary"], step: "confirm", draft: { attachmentIds: [] } },
      ],
      confirm(),
    );
  });

  it("'lewati' while editing keeps the earlier contact and address", () => {
    play(
      web,
      "id",
      [
        { say: "tidak", keys: ["edit.ask"], step: "chooseEdit" },
        { say: "kontak", keys: ["ask.contact"], step: "askContact" },
        { say: "lewati", keys: ["summary"], step: "confirm", draft: { email: FULL_DRAFT.email, phone: FULL_DRAFT.phone } },
        { say: "tidak", keys: ["edit.ask"], step: "chooseEdit" },
        { say: "alamat", keys: ["ask.address"], step: "askAddress" },
        { say: "lewati", keys: ["summary"], step: "confirm", draft: { address: FULL_DRAFT.address } },
      ],
      confirm(),
    );
  });

  it("back to the summary without changing anything", () => {
    play(
      web,
      "en",
      [
        { say: "no", keys: ["edit.ask"], step: "chooseEdit" },
        { say: "back", keys: ["summary"], step: "confirm", draft: FULL_DRAFT },
      ],
      { ...confirm("en"), draft: FULL_DRAFT },
    );
  });

  it("turning anonymous drops the identity; naming oneself again asks the contact", () => {
    const { state } = play(
      telegram,
      "id",
      [
        { say: "tidak", keys: ["edit.ask"], step: "chooseEdit" },
        { say: "nama", keys: ["ask.name"], step: "askName" },
        { say: "anonim", keys: ["summary"], step: "confirm", draft: { anonymous: true } },
        { say: "tidak", keys: ["edit.ask"], step: "chooseEdit" },
        { say: "1", keys: ["ask.name"], step: "askName" },
        { say: "Budi", keys: ["ask.contact"], step: "askContact", draft: { name: "Budi", anonymous: false } },
        { say: "skip", keys: ["ask.address"], step: "askAddress" },
        { say: "skip", keys: ["summary"], step: "confirm" },
      ],
      confirm(),
    );
    expect(state.draft).toMatchObject({ name: "Budi", category: FULL_DRAFT.category, text: FULL_DRAFT.text });
    expect(state.draft.address).toBeUndefined();
  });

  it("the edited draft is what gets filed", () => {
    let r = step(confirm(), input("tidak"), web, "id");
    r = step(r.state, input("4"), web, "id");
    r = step(r.state, input("Perilaku Pegawai"), web, "id");
    r = step(r.state, input("ya"), web, "id");
    expect(keys(r)).toEqual(["receipt.complaint"]);
    expect(r.effects[0]).toMatchObject({
      type: "createComplaint",
      kind: "complaint",
      draft: { category: "Perilaku Pegawai", name: "Budi Santoso" },
    });
  });
});
