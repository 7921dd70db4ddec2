import { describe, expect, it } from "vitest";
import {
  classifyCategory,
  looksLikeEmailComplaint,
  startRating,
  step,
  type Effect,
  type FlowContext,
  type IntakeState,
} from "../../src/flow/index.js";
import { render } from "../../src/i18n/index.js";
import { applyPipeline, at, email, file, input, keys, OFFICE, play, telegram, templates, tooLarge, withTracking } from "./transcript.js";

/** An e-mail whose From header has a display name. */
const named: FlowContext = { ...email, displayName: "Siti Rahmawati" };
/** From: <warga@contoh.id> only, or a name that is no name. */
const unnamed: FlowContext = email;

const COMPLAINT =
  "Selamat siang. Saya mau melaporkan petugas loket dua yang membentak saya dan meminta uang rokok " +
  "agar berkas KTP saya diproses lebih cepat. Kejadiannya Senin pagi kemarin.";

const findEffect = <T extends Effect["type"]>(effects: Effect[], type: T) =>
  effects.find((e): e is Extract<Effect, { type: T }> => e.type === type);

describe("classifyCategory", () => {
  it.each([
    ["Petugas loket berkata kasar dan meminta pungli untuk mempercepat proses", "Perilaku Pegawai"],
    ["Pegawai di bagian depan tidak sopan, membentak warga yang bertanya", "Perilaku Pegawai"],
    ["Antrean pembuatan KTP sangat lama, saya menunggu lima jam dan syaratnya berubah-ubah", "Pelayanan"],
    ["Pengurusan akta kelahiran anak saya lambat sekali, sudah sebulan belum jadi", "Pelayanan"],
    ["Lampu di tempat parkir mati dan toilet umum rusak serta kotor", "Sarana Prasarana"],
    ["Atap ruang tunggu bocor, kursi basah semua, AC juga tidak menyala", "Sarana Prasarana"],
    ["The clerk was rude and asked me for a bribe", "Perilaku Pegawai"],
    ["I waited four hours in the queue for my ID card and the service was slow", "Pelayanan"],
    ["The restroom is dirty and the roof is leaking", "Sarana Prasarana"],
    ["Saya ingin menyampaikan saran tentang kegiatan bulan depan di kecamatan", "Lain-lain"],
  ])("%s → %s", (text, category) => {
    expect(classifyCategory(text).category).toBe(category);
  });

  it("a tie at the top is Lain-lain, not a coin toss", () => {
    // One strong term each for conduct (kasar) and facilities (toilet).
    expect(classifyCategory("kasar toilet").category).toBe("Lain-lain");
  });

  it("tells whether a first e-mail is a story", () => {
    expect(looksLikeEmailComplaint(COMPLAINT)).toBe(true);
    expect(looksLikeEmailComplaint("Selamat pagi, saya mau bertanya")).toBe(false);
    expect(looksLikeEmailComplaint("status ADU-2026-00001")).toBe(false);
    // Longer than a chat message may be, still one e-mail.
    expect(looksLikeEmailComplaint(`${COMPLAINT} `.repeat(40))).toBe(true);
  });
});

describe("a first e-mail that is a complaint is filed at once", () => {
  it("receipt with the ticket and the guessed category; the name comes from the sender", () => {
    const { state, results } = play(named, "id", [
      { say: input(COMPLAINT, file("f1")), keys: ["receipt.email"], step: "filed", effects: ["createComplaint"] },
    ]);
    const [first] = results;
    const created = findEffect(first!.effects, "createComplaint")!;
    expect(created.kind).toBe("complaint");
    expect(created.draft).toEqual({
      text: COMPLAINT,
      category: "Perilaku Pegawai",
      name: "Siti Rahmawati",
      anonymous: false,
      attachmentIds: ["f1"],
    });
    const receipt = first!.replies[0]!;
    expect(receipt.vars).toMatchObject({ category: { key: "category.conduct" }, evidence: 1, ask: { key: "email.ask.category" } });
    expect(receipt.options).toHaveLength(4);
    expect(state.emailPending).toEqual({ category: "Perilaku Pegawai" });

    const text = render(templates, "id", withTracking(receipt), { office: OFFICE, ticket: "ADU-2026-00042" }).text;
    expect(text).toContain("ADU-2026-00042");
    expect(text).toContain("Perilaku Pegawai");
    expect(text).not.toMatch(/Nama:/); // the name is known: not asked
  });

  it("without a usable display name, the receipt also asks for the name", () => {
    for (const ctx of [unnamed, { ...email, displayName: "info@contoh.id" }]) {
      const r = step(undefined, input(COMPLAINT), ctx, "id");
      expect(keys(r)).toEqual(["receipt.email"]);
      expect(findEffect(r.effects, "createComplaint")!.draft.name).toBeUndefined();
      expect(r.replies[0]!.vars!.ask).toEqual({ key: "email.ask.categoryAndName" });
      expect(r.state.emailPending).toEqual({ category: "Perilaku Pegawai", name: true });
      const text = render(templates, "en", withTracking(r.replies[0]!), { office: OFFICE, ticket: "ADU-2026-00042" }).text;
      expect(text).toMatch(/Name: your full name/);
    }
  });

  it("a declined attachment is said before the receipt; the accepted ones go with the complaint", () => {
    const r = step(undefined, input(COMPLAINT, file("f1"), tooLarge("video.mp4")), named, "id");
    expect(keys(r)).toEqual(["file.declined.tooLarge", "receipt.email"]);
    expect(findEffect(r.effects, "createComplaint")!.draft.attachmentIds).toEqual(["f1"]);
  });

  it("a short first e-mail gets the normal greeting and menu", () => {
    play(named, "id", [
      { say: "Selamat pagi, saya mau bertanya", keys: ["greeting", "menu"], step: "menu" },
      { say: "1", keys: ["complaint.start", "ask.name"], step: "askName" },
    ]);
  });

  it("keywords in a first e-mail keep their meaning", () => {
    play(named, "id", [{ say: "status ADU-2026-00007", keys: ["greeting", "menu"], step: "menu", effects: ["reportStatus"] }]);
    play(named, "en", [{ say: "help", keys: ["greeting", "help", "menu"], step: "menu" }]);
  });

  it("other channels keep the chat flow for the same text", () => {
    const r = step(undefined, input(COMPLAINT), telegram, "id");
    expect(keys(r)).toEqual(["greeting", "text.kept", "ask.name"]);
    expect(r.effects).toEqual([]);
  });
});

describe("the reply in the thread after the receipt", () => {
  function filed(ctx: FlowContext = unnamed): IntakeState {
    return applyPipeline(step(undefined, input(COMPLAINT), ctx, "id")).state;
  }

  it("a category number corrects the category", () => {
    const state = filed(named);
    const ref = state.filed!;
    const { state: after } = play(
      named,
      "id",
      [
        { say: "2", keys: ["email.category.set"], step: "filed", effects: ["setCategory"] },
        { say: "Tambahan: petugasnya memakai rompi biru.", keys: ["followup.received"], step: "filed", effects: ["appendToComplaint"] },
      ],
      state,
    );
    const r = step(state, input("2"), named, "id");
    expect(findEffect(r.effects, "setCategory")).toEqual({ type: "setCategory", complaintId: ref.complaintId, category: "Pelayanan" });
    expect(r.replies[0]!.vars).toMatchObject({ ticket: ref.ticket, category: { key: "category.service" } });
    expect(after.emailPending).toBeUndefined();
  });

  it("the category name or the option label as sent works too; 'ya' keeps the guess", () => {
    const state = filed(named);
    for (const say of ["Sarana Prasarana", "3. Sarana Prasarana", "kategori: sarana prasarana"]) {
      const r = step(state, input(say), named, "id");
      expect(keys(r), say).toEqual(["email.category.set"]);
      expect(findEffect(r.effects, "setCategory")!.category).toBe("Sarana Prasarana");
    }
    const kept = step(state, input("Ya, sudah benar"), named, "id");
    expect(keys(kept)).toEqual(["email.category.confirmed"]);
    expect(kept.effects).toEqual([]);
    expect(kept.state.emailPending).toBeUndefined();
    // The same category as guessed is a confirmation, not a change.
    expect(keys(step(state, input("1"), named, "id"))).toEqual(["email.category.confirmed"]);
  });

  it("every option the receipt lists is an answer it accepts", () => {
    const state = filed(named);
    const receipt = step(undefined, input(COMPLAINT), named, "id").replies[0]!;
    for (const locale of ["id", "en"] as const) {
      const { options } = render(templates, locale, withTracking(receipt), { office: OFFICE, ticket: "ADU-2026-00001" });
      expect(options).toHaveLength(4);
      for (const label of options!) {
        const r = step({ ...state, locale }, input(label), named, locale);
        expect(keys(r), label).toEqual([label.startsWith("1") ? "email.category.confirmed" : "email.category.set"]);
      }
    }
  });

  it("a name, with the category on another line or alone", () => {
    const state = filed(unnamed);
    const both = step(state, input("Nama: Budi Santoso\n3"), unnamed, "id");
    expect(keys(both)).toEqual(["email.categoryAndName.set"]);
    expect(both.effects.map((e) => e.type)).toEqual(["setCategory", "setName"]);
    expect(findEffect(both.effects, "setName")).toEqual({ type: "setName", complaintId: state.filed!.complaintId, name: "Budi Santoso" });
    expect(both.state.emailPending).toBeUndefined();

    const nameOnly = step(state, input("Nama saya Budi Santoso"), unnamed, "en");
    expect(keys(nameOnly)).toEqual(["email.name.set"]);
    expect(nameOnly.effects.map((e) => e.type)).toEqual(["setName"]);
    // The category is still open: "2" afterwards corrects it.
    expect(nameOnly.state.emailPending).toEqual({ category: "Perilaku Pegawai" });
    expect(keys(step(nameOnly.state, input("2"), unnamed, "id"))).toEqual(["email.category.set"]);
  });

  it("a bare line is never taken as a name; anything else is a follow-up", () => {
    const state = filed(unnamed);
    for (const say of [
      "Budi Santoso",
      "Terima kasih",
      "Mohon segera ditindaklanjuti, petugasnya masih di sana",
      "2 orang petugas lain juga melihat",
    ]) {
      const r = step(state, input(say), unnamed, "id");
      expect(keys(r), say).toEqual(["followup.received"]);
      expect(
        r.effects.map((e) => e.type),
        say,
      ).toEqual(["appendToComplaint"]);
      expect(r.state.emailPending, say).toEqual(state.emailPending);
    }
    // Files with the reply are evidence, whatever the text says.
    const withFile = step(state, input("2", file("f9")), unnamed, "id");
    expect(withFile.effects.map((e) => e.type)).toEqual(["appendToComplaint"]);
  });

  it("once answered, a number is an ordinary follow-up again", () => {
    const state = filed(named);
    const answered = applyPipeline(step(state, input("2"), named, "id")).state;
    const again = step(answered, input("3"), named, "id");
    expect(keys(again)).toEqual(["followup.received"]);
  });

  it("a new complaint, an information request or a rating ends what the receipt asked", () => {
    const state = filed(unnamed);
    const rating = startRating(state, state.filed!);
    expect(rating.state.emailPending).toBeUndefined();
    const menu = step(state, input("menu"), unnamed, "id").state;
    const info = step(step(menu, input("3"), unnamed, "id").state, input("Jam berapa kantor buka hari Sabtu?"), unnamed, "id");
    expect(info.effects.map((e) => e.type)).toEqual(["createComplaint"]);
    expect(info.state.emailPending).toBeUndefined();
  });

  it("other channels never see the e-mail answers", () => {
    const state = { ...at("filed"), filed: { complaintId: "c1", ticket: "ADU-2026-00001" } };
    // Outside e-mail "2" after the receipt is the menu's status pick, never a category correction.
    expect(keys(step(state, input("2"), telegram, "id"))).toEqual(["ask.statusTicket"]);
    expect(keys(step(state, input("Nama: Budi Santoso"), telegram, "id"))).toEqual(["followup.received"]);
  });
});
