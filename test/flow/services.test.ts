import { describe, expect, it } from "vitest";
import { startRating, step } from "../../src/flow/index.js";
import { at, file, FULL_DRAFT, input, keys, play, telegram, web } from "./transcript.js";

const QUESTION = "Apa saja syarat membuat KTP elektronik untuk pindahan?";
const REF = { complaintId: "c7", ticket: "ADU-2026-00007" };
const FILED = { ...at("filed"), filed: REF };

describe("menu 3: ask for information", () => {
  it.each([
    ["id", "3", QUESTION],
    ["en", "3. Ask for information", "How do I renew my business licence online?"],
  ] as const)("is filed as an information request (%s)", (locale, choice, question) => {
    const { results, state } = play(telegram, locale, [
      { say: "halo", keys: ["greeting", "menu"], step: "menu" },
      { say: choice, keys: ["ask.info"], step: "askInfo" },
      { say: "apa?", keys: ["info.tooShort", "ask.info"], step: "askInfo" },
      { say: question, keys: ["receipt.information"], step: "filed", effects: ["createComplaint"] },
      {
        say: "Saya juga ingin tahu biayanya berapa",
        keys: ["followup.received.information"],
        step: "filed",
        effects: ["appendToComplaint"],
      },
      { say: "Terima kasih", keys: ["followup.thanks"], step: "filed" },
    ]);
    expect(results[3]!.effects[0]).toEqual({
      type: "createComplaint",
      kind: "information",
      draft: { anonymous: true, text: question, attachmentIds: [] },
    });
    expect(state.filed?.ticket).toMatch(/^ADU-2026-/);
  });

  it("carries the name and files given before; a complaint left half-way stays resumable", () => {
    const start = at("askInfo", { name: "Budi", category: "Pelayanan", attachmentIds: ["f1"] });
    const r = step(start, input(QUESTION, file("f2")), web, "id");
    expect(keys(r)).toEqual(["file.kept", "receipt.information"]);
    expect(r.effects[0]).toMatchObject({ kind: "information", draft: { name: "Budi", anonymous: false, attachmentIds: ["f1", "f2"] } });
    expect(r.state.draft).toMatchObject({ name: "Budi", category: "Pelayanan", attachmentIds: [] });
  });
});

describe("menu 2: check a status", () => {
  it.each(["id", "en"] as const)("asks for the ticket, reports it, back at the menu (%s)", (locale) => {
    const { results } = play(web, locale, [
      { say: "halo", keys: ["greeting", "menu"], step: "menu" },
      { say: "2", keys: ["ask.statusTicket"], step: "askStatusTicket" },
      { say: "nomor saya 42", keys: ["status.invalid", "ask.statusTicket"], step: "askStatusTicket" },
      { say: "tiket saya adu-2026-00042", keys: ["status.done"], step: "menu", effects: ["reportStatus"] },
      { say: "3", keys: ["ask.info"], step: "askInfo" },
    ]);
    expect(results[3]!.effects).toEqual([{ type: "reportStatus", ticket: "ADU-2026-00042" }]);
  });
});

describe("after filing: follow-ups go to the complaint", () => {
  it("text, files, and both together, each acknowledged with the ticket", () => {
    let r = step(FILED, input("Tambahan: kejadiannya pukul 10 pagi"), web, "id");
    expect(keys(r)).toEqual(["followup.received"]);
    expect(r.replies[0]!.vars).toEqual({ ticket: REF.ticket });
    expect(r.effects).toEqual([
      { type: "appendToComplaint", complaintId: "c7", text: "Tambahan: kejadiannya pukul 10 pagi", attachmentIds: [] },
    ]);

    r = step(FILED, input("", file("f9")), web, "id");
    expect(r.effects).toEqual([{ type: "appendToComplaint", complaintId: "c7", text: "", attachmentIds: ["f9"] }]);
    expect(r.state.step).toBe("filed");

    r = step(FILED, input("foto tambahan", file("f10"), file("f11")), web, "en");
    expect(keys(r)).toEqual(["followup.received"]);
    expect(r.effects).toEqual([{ type: "appendToComplaint", complaintId: "c7", text: "foto tambahan", attachmentIds: ["f10", "f11"] }]);
  });

  it("a complaint filed in this conversation receives the next message", () => {
    const { state } = play(
      web,
      "id",
      [
        { say: "ya", keys: ["receipt.complaint"], step: "filed", effects: ["createComplaint"] },
        { say: "Kejadiannya pukul 10 pagi", keys: ["followup.received"], step: "filed", effects: ["appendToComplaint"] },
      ],
      at("confirm", FULL_DRAFT),
    );
    expect(state.filed).toBeDefined();
  });
});

describe("rating after the complaint is closed", () => {
  it("startRating asks for 1–5 with the ticket", () => {
    const r = startRating(FILED, REF);
    expect(r.state.step).toBe("askRating");
    expect(r.state.rating).toEqual(REF);
    expect(r.replies).toEqual([
      {
        key: "ask.rating",
        vars: { ticket: REF.ticket },
        options: ["option.rating.1", "option.rating.2", "option.rating.3", "option.rating.4", "option.rating.5"],
      },
    ]);
    expect(r.effects).toEqual([]);
  });

  it.each([
    ["id", "5/5", 5, "Petugasnya ramah sekali", "Petugasnya ramah sekali"],
    ["en", "nilai 4", 4, "skip", undefined],
    ["id", "3", 3, "lewati", undefined],
  ] as const)("%s: %s then %s", (locale, answer, score, comment, stored) => {
    const start = startRating({ ...FILED, locale }, REF).state;
    const { results, state } = play(
      web,
      locale,
      [
        { say: "bagus", keys: ["rating.invalid", "ask.rating"], step: "askRating" },
        { say: "9", keys: ["rating.invalid", "ask.rating"], step: "askRating" },
        { say: answer, keys: ["ask.ratingComment"], step: "askRatingComment" },
        { say: comment, keys: ["rating.thanks"], step: "filed", effects: ["storeRating"] },
      ],
      start,
    );
    expect(results[3]!.effects[0]).toEqual({ type: "storeRating", complaintId: "c7", score, ...(stored ? { comment: stored } : {}) });
    expect(results[3]!.replies[0]!.vars).toEqual({ ticket: REF.ticket });
    expect(state.filed).toEqual(REF);
    expect(state.rating).toBeUndefined();
  });

  it("keeps a half-written complaint while rating another one", () => {
    const mid = at("askCategory", { name: "Budi", contactAsked: true, addressAsked: true });
    let r = startRating(mid, REF);
    r = step(r.state, input("5"), web, "id");
    r = step(r.state, input("lewati"), web, "id");
    expect(r.state.draft.name).toBe("Budi");
    r = step({ ...r.state }, input("menu"), web, "id");
    r = step(r.state, input("1"), web, "id");
    expect(keys(r)).toEqual(["complaint.resume", "ask.category"]);
  });

  it("a file sent during the rating is added to the rated complaint", () => {
    const r = step(startRating(FILED, REF).state, input("", file("f3")), web, "id");
    expect(r.effects).toEqual([{ type: "appendToComplaint", complaintId: "c7", text: "", attachmentIds: ["f3"] }]);
    expect(keys(r)).toEqual(["followup.received", "ask.rating"]);
    expect(r.state.step).toBe("askRating");
  });
});
