import { describe, expect, it } from "vitest";
import { render } from "../../src/i18n/index.js";
import { both, email, file, input, OFFICE, play, telegram, templates, web, whatsapp, withTracking } from "./transcript.js";

const STORY = "Antrean di loket tiga sangat lama dan petugas tidak menjelaskan alasannya.";
const STORY_EN = "The queue at counter three was very long and nobody explained why we had to wait.";

describe("a new complaint, named, with contact and address", () => {
  it("web chat, Indonesian: every question in order, then the receipt", () => {
    const { results, state } = play(web, "id", [
      { say: "halo", keys: ["greeting", "menu"], step: "menu" },
      { say: "1", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: "Budi Santoso", keys: ["ask.contact"], step: "askContact", draft: { name: "Budi Santoso", anonymous: false } },
      {
        say: "budi@contoh.id 0812-3456-7890",
        keys: ["ask.address"],
        step: "askAddress",
        draft: { email: "budi@contoh.id", phone: "+6281234567890", contactAsked: true },
      },
      {
        say: "Jl. Merdeka No. 10, Bandung",
        keys: ["ask.category"],
        step: "askCategory",
        draft: { address: "Jl. Merdeka No. 10, Bandung" },
      },
      { say: "2", keys: ["ask.text"], step: "askText", draft: { category: "Pelayanan" } },
      { say: STORY, keys: ["ask.evidence"], step: "askEvidence", draft: { text: STORY } },
      { say: input("", file("f1")), keys: ["evidence.received"], step: "askEvidence", draft: { attachmentIds: ["f1"] } },
      { say: input("", file("f2")), keys: ["evidence.received"], step: "askEvidence", draft: { attachmentIds: ["f1", "f2"] } },
      { say: "selesai", keys: ["summary"], step: "confirm", draft: { evidenceAsked: true } },
      { say: "ya", keys: ["receipt.complaint"], step: "filed", effects: ["createComplaint"], draft: { attachmentIds: [] } },
    ]);
    const filed = results.at(-1)!.effects[0]!;
    expect(filed).toMatchObject({
      type: "createComplaint",
      kind: "complaint",
      draft: {
        name: "Budi Santoso",
        email: "budi@contoh.id",
        phone: "+6281234567890",
        address: "Jl. Merdeka No. 10, Bandung",
        category: "Pelayanan",
        text: STORY,
        attachmentIds: ["f1", "f2"],
      },
    });
    expect(state.draft.name).toBeUndefined();
    expect(state.filed?.ticket).toMatch(/^ADU-2026-\d{5}$/);

    // The summary shows what will be filed; the receipt shows the ticket and what comes next.
    const summary = render(templates, "id", results[9]!.replies[0]!, { office: OFFICE }).text;
    for (const part of [
      "Budi Santoso",
      "budi@contoh.id, +6281234567890",
      "Jl. Merdeka No. 10, Bandung",
      "Pelayanan",
      STORY,
      "Bukti: 2 berkas",
    ]) {
      expect(summary).toContain(part);
    }
    const receipt = render(templates, "id", withTracking(results[10]!.replies[0]!), { office: OFFICE, ticket: "ADU-2026-00042" }).text;
    expect(receipt).toContain("ADU-2026-00042");
    expect(receipt).toContain("status ADU-2026-00042 K7QX9M2P");
  });

  it("web chat, English: the same path answered with words", () => {
    const { results } = play(web, "en", [
      { say: "Hello", keys: ["greeting", "menu"], step: "menu", locale: "en" },
      { say: "complaint", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: "My name is Jane Doe", keys: ["ask.contact"], step: "askContact", draft: { name: "Jane Doe" } },
      { say: "+62 812 3456 7890", keys: ["ask.address"], step: "askAddress", draft: { phone: "+6281234567890" } },
      { say: "Jl. Sudirman 5, Jakarta", keys: ["ask.category"], step: "askCategory" },
      { say: "facilities", keys: ["ask.text"], step: "askText", draft: { category: "Sarana Prasarana" } },
      { say: STORY_EN, keys: ["ask.evidence"], step: "askEvidence" },
      { say: "skip", keys: ["summary"], step: "confirm" },
      { say: "Yes", keys: ["receipt.complaint"], step: "filed", effects: ["createComplaint"] },
    ]);
    const summary = render(templates, "en", results[7]!.replies[0]!, { office: OFFICE }).text;
    expect(summary).toContain("Facilities & infrastructure");
    expect(summary).toContain("Evidence: 0 file(s)");
  });

  it("greets with the office name", () => {
    const { results } = play(web, "id", [{ say: "selamat pagi", keys: ["greeting", "menu"], step: "menu" }]);
    expect(render(templates, "id", results[0]!.replies[0]!, { office: OFFICE }).text).toContain(OFFICE);
  });
});

describe("an anonymous complaint", () => {
  it("skips contact and address when the channel can answer later (Telegram)", () => {
    const { results } = play(telegram, "id", [
      { say: "/start", keys: ["greeting", "menu"], step: "menu" },
      { say: "1. Buat aduan baru", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: "anonim", keys: ["ask.category"], step: "askCategory", draft: { anonymous: true } },
      { say: "perilaku pegawai", keys: ["ask.text"], step: "askText", draft: { category: "Perilaku Pegawai" } },
      { say: STORY, keys: ["ask.evidence"], step: "askEvidence" },
      { say: "lewati", keys: ["summary"], step: "confirm" },
      { say: "Ya, kirim", keys: ["receipt.complaint"], step: "filed", effects: ["createComplaint"] },
    ]);
    const created = results.at(-1)!.effects[0]!;
    expect(created.type === "createComplaint" && created.draft).toMatchObject({ anonymous: true });
    expect(created.type === "createComplaint" && created.draft.name).toBeUndefined();
    expect(created.type === "createComplaint" && created.draft.address).toBeUndefined();
    const summary = render(templates, "en", results[5]!.replies[0]!, { office: OFFICE }).text;
    expect(summary).toContain("Anonymous (no name)");
  });

  it("still asks a contact, kept confidential, when the channel cannot answer later (web)", () => {
    const { results } = play(web, "en", [
      { say: "hi", keys: ["greeting", "menu"], step: "menu" },
      { say: "1", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: "anonymous", keys: ["ask.contact.anonymous"], step: "askContact", draft: { anonymous: true } },
      { say: "skip", keys: ["contact.required", "ask.contact.anonymous"], step: "askContact" },
      { say: "warga@contoh.id", keys: ["ask.category"], step: "askCategory", draft: { email: "warga@contoh.id", anonymous: true } },
    ]);
    const ask = render(templates, "id", results[2]!.replies[0]!, { office: OFFICE }).text;
    expect(ask).toContain("kerahasiaannya");
  });

  it("Indonesian 'tanpa nama' works too", () => {
    play(telegram, "id", [
      { say: "halo", keys: ["greeting", "menu"], step: "menu" },
      { say: "aduan", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: "Tanpa nama", keys: ["ask.category"], step: "askCategory", draft: { anonymous: true } },
    ]);
  });
});

describe("a first message that already is the complaint", () => {
  const LONG_ID = "Selamat siang, saya ingin mengadukan petugas loket pelayanan KTP yang meminta uang tambahan kepada warga.";
  const LONG_EN = "Good afternoon, the clerk at the ID card counter asked me for an extra payment before processing my form.";

  it("keeps the text and never asks for it again (Indonesian)", () => {
    play(telegram, "id", [
      { say: LONG_ID, keys: ["greeting", "text.kept", "ask.name"], step: "askName", draft: { text: LONG_ID } },
      { say: "Siti Aminah", keys: ["ask.contact"], step: "askContact" },
      { say: "lewati", keys: ["ask.address"], step: "askAddress", draft: { contactAsked: true } },
      { say: "skip", keys: ["ask.category"], step: "askCategory", draft: { addressAsked: true } },
      { say: "1", keys: ["ask.evidence"], step: "askEvidence", draft: { category: "Perilaku Pegawai", text: LONG_ID } },
      { say: "tidak ada", keys: ["summary"], step: "confirm" },
      { say: "benar", keys: ["receipt.complaint"], step: "filed", effects: ["createComplaint"] },
    ]);
  });

  it("keeps the text and never asks for it again (English, files with it)", () => {
    play(web, "en", [
      {
        say: input(LONG_EN, file("p1")),
        keys: ["greeting", "text.kept", "file.kept", "ask.name"],
        step: "askName",
        draft: { text: LONG_EN, attachmentIds: ["p1"] },
      },
      { say: "anonymous", keys: ["ask.contact.anonymous"], step: "askContact" },
      { say: "0812 3456 7890", keys: ["ask.category"], step: "askCategory", draft: { phone: "+6281234567890" } },
      { say: "other", keys: ["evidence.received"], step: "askEvidence", draft: { category: "Lain-lain" } },
      { say: "done", keys: ["summary"], step: "confirm" },
    ]);
  });

  it("short greetings and keywords are not taken for a complaint", () => {
    const { state } = play(web, "id", [{ say: "Selamat pagi, saya mau bertanya", keys: ["greeting", "menu"], step: "menu" }]);
    expect(state.draft.text).toBeUndefined();
    play(web, "id", [{ say: "status ADU-2026-00001", keys: ["greeting", "menu"], step: "menu", effects: ["reportStatus"] }]);
  });

  it("a long message at the menu is kept as the complaint text too", () => {
    play(telegram, "id", [
      { say: "halo", keys: ["greeting", "menu"], step: "menu" },
      { say: LONG_ID, keys: ["text.kept", "ask.name"], step: "askName", draft: { text: LONG_ID } },
    ]);
  });
});

describe("contact details the channel already gives are never asked", () => {
  it("WhatsApp (phone known): only an optional e-mail is asked", () => {
    play(whatsapp, "id", [
      { say: "halo", keys: ["greeting", "menu"], step: "menu" },
      { say: "1", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: "Budi", keys: ["ask.contact.email"], step: "askContact" },
      { say: "lewati", keys: ["ask.address"], step: "askAddress", draft: { contactAsked: true } },
    ]);
  });

  it("e-mail (address known): only an optional phone is asked", () => {
    play(email, "en", [
      { say: "hello", keys: ["greeting", "menu"], step: "menu" },
      { say: "1", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: "Jane", keys: ["ask.contact.phone"], step: "askContact" },
      { say: "081234567890", keys: ["ask.address"], step: "askAddress", draft: { phone: "+6281234567890" } },
    ]);
  });

  it("both known: the contact step is skipped", () => {
    play(both, "id", [
      { say: "halo", keys: ["greeting", "menu"], step: "menu" },
      { say: "1", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: "Budi", keys: ["ask.address"], step: "askAddress" },
    ]);
  });
});
