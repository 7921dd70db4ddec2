import { describe, expect, it } from "vitest";
import { startRating, step } from "../../src/flow/index.js";
import { at, FULL_DRAFT, input, keys, play, telegram, web } from "./transcript.js";

const FILED = { ...at("filed"), filed: { complaintId: "c9", ticket: "ADU-2026-00009" } };
const RATING = startRating(FILED, { complaintId: "c9", ticket: "ADU-2026-00009" }).state;

describe("menu: shows the menu and keeps the draft", () => {
  it.each(["id", "en"] as const)("mid-complaint, then 1 resumes at the open question (%s)", (locale) => {
    const start = at("askCategory", { name: "Budi", contactAsked: true, addressAsked: true }, locale);
    play(
      web,
      locale,
      [
        { say: "menu", keys: ["menu.draftPaused", "menu"], step: "menu", draft: { name: "Budi" } },
        { say: "1", keys: ["complaint.resume", "ask.category"], step: "askCategory", draft: { name: "Budi" } },
      ],
      start,
    );
  });

  it("from the summary, 1 comes back to the summary", () => {
    play(
      web,
      "id",
      [
        { say: "MENU", keys: ["menu.draftPaused", "menu"], step: "menu" },
        { say: "1", keys: ["complaint.resume", "summary"], step: "confirm", draft: FULL_DRAFT },
      ],
      at("confirm", FULL_DRAFT),
    );
  });

  it("as a first message it greets", () => {
    play(web, "id", [{ say: "menu", keys: ["greeting", "menu"], step: "menu" }]);
  });

  it("after filing, 1 starts a fresh complaint", () => {
    play(
      telegram,
      "en",
      [
        { say: "menu", keys: ["menu"], step: "menu" },
        { say: "1", keys: ["complaint.start", "ask.name"], step: "askName" },
      ],
      FILED,
    );
  });
});

describe("batal / cancel: abandons the draft", () => {
  it.each([
    ["batal", "askContact"],
    ["Cancel", "askText"],
    ["batal", "confirm"],
    ["cancel", "chooseEdit"],
  ] as const)("%s at %s empties the draft and shows the menu", (word, stepName) => {
    const { state } = play(
      web,
      "id",
      [{ say: word, keys: ["cancel.done", "menu"], step: "menu", draft: { attachmentIds: [] } }],
      at(stepName, { ...FULL_DRAFT, attachmentIds: ["f1"] }),
    );
    expect(state.draft).toEqual({ attachmentIds: [] });
  });

  it.each(["id", "en"] as const)("right after 1 cancels the complaint just started (%s)", (locale) => {
    const word = locale === "id" ? "batal" : "cancel";
    play(web, locale, [
      { say: "halo", keys: ["greeting", "menu"], step: "menu" },
      { say: "1", keys: ["complaint.start", "ask.name"], step: "askName" },
      { say: word, keys: ["cancel.done", "menu"], step: "menu", draft: { attachmentIds: [] } },
    ]);
  });

  it("with nothing in progress says so", () => {
    play(web, "en", [{ say: "cancel", keys: ["cancel.nothing", "menu"], step: "menu" }], at("menu", {}, "en"));
  });

  it("after filing, the filed complaint still stands", () => {
    const { state } = play(web, "id", [{ say: "batal", keys: ["cancel.filed", "menu"], step: "menu" }], FILED);
    expect(state.filed).toEqual(FILED.filed);
  });

  it("drops a rating in progress", () => {
    const { state } = play(web, "id", [{ say: "batal", keys: ["cancel.done", "menu"], step: "menu" }], RATING);
    expect(state.rating).toBeUndefined();
  });
});

describe("bantuan / help: explains, then asks the same question again", () => {
  it.each([
    ["bantuan", at("askName"), ["help", "ask.name"], "askName"],
    ["help", at("askCategory", { name: "B" }), ["help", "ask.category"], "askCategory"],
    ["Bantuan", at("confirm", FULL_DRAFT), ["help", "summary"], "confirm"],
    ["help", FILED, ["help", "filed.reminder"], "filed"],
    ["bantuan", RATING, ["help", "ask.rating"], "askRating"],
    ["help", at("askStatusTicket"), ["help", "ask.statusTicket"], "askStatusTicket"],
  ] as const)("%s at %#", (word, state, expected, stepName) => {
    play(web, state.locale, [{ say: word, keys: [...expected], step: stepName }], state);
  });

  it("as a first message: greeting, help, menu", () => {
    play(web, "en", [{ say: "help", keys: ["greeting", "help", "menu"], step: "menu" }]);
  });
});

describe("english / indonesia: switch the language and re-ask", () => {
  it("switches back and forth keeping the draft", () => {
    const start = at("askCategory", { name: "Budi", contactAsked: true, addressAsked: true });
    play(
      web,
      "id",
      [
        { say: "english", keys: ["locale.switched", "ask.category"], step: "askCategory", locale: "en", draft: { name: "Budi" } },
        { say: "Bahasa Indonesia", keys: ["locale.switched", "ask.category"], step: "askCategory", locale: "id" },
        { say: "Inggris", keys: ["locale.switched", "ask.category"], step: "askCategory", locale: "en" },
        { say: "indonesia", keys: ["locale.switched", "ask.category"], step: "askCategory", locale: "id" },
      ],
      start,
    );
  });

  it("works at the summary and after filing", () => {
    play(web, "id", [{ say: "english", keys: ["locale.switched", "summary"], step: "confirm", locale: "en" }], at("confirm", FULL_DRAFT));
    play(web, "id", [{ say: "english", keys: ["locale.switched", "filed.reminder"], step: "filed", locale: "en" }], FILED);
  });

  it("as a first message: greets in the chosen language", () => {
    play(web, "id", [{ say: "English", keys: ["greeting", "menu"], step: "menu", locale: "en" }]);
    play(web, "en", [{ say: "indonesia", keys: ["greeting", "menu"], step: "menu", locale: "id" }]);
  });
});

describe("status <ticket> / cek / check: reports, then re-asks", () => {
  it.each([
    ["status ADU-2026-00042", at("askText", { name: "B" }), ["ask.text"], "askText"],
    ["cek adu-2026-00042", at("confirm", FULL_DRAFT), ["summary"], "confirm"],
    ["check ADU-2026-00042", FILED, ["filed.reminder"], "filed"],
    ["ADU-2026-00042", at("menu"), ["status.done"], "menu"],
    ["Status ADU-2026-00042", at("askStatusTicket"), ["status.done"], "menu"],
  ] as const)("%s at %#", (text, state, expected, stepName) => {
    const result = step(state, input(text), web, "id");
    expect(keys(result)).toEqual(expected);
    expect(result.state.step).toBe(stepName);
    expect(result.effects).toEqual([{ type: "reportStatus", ticket: "ADU-2026-00042" }]);
    expect(result.state.draft).toEqual(state.draft);
  });

  it("a status query after filing is not added to the complaint", () => {
    const result = step(FILED, input("status ADU-2026-00009"), web, "id");
    expect(result.effects.map((e) => e.type)).toEqual(["reportStatus"]);
  });

  it("'status' without a ticket asks for it, and the draft waits", () => {
    play(
      web,
      "id",
      [
        { say: "status", keys: ["ask.statusTicket"], step: "askStatusTicket", draft: { name: "Budi" } },
        { say: "ADU-2026-00001", keys: ["status.done"], step: "menu", effects: ["reportStatus"] },
        { say: "1", keys: ["complaint.resume", "ask.category"], step: "askCategory", draft: { name: "Budi" } },
      ],
      at("askName", { name: "Budi", contactAsked: true, addressAsked: true }),
    );
  });

  it("words that merely contain a keyword are answers, not commands", () => {
    const { text: _unused, evidenceAsked: _no, ...withoutText } = FULL_DRAFT;
    const r = step(at("askText", withoutText), input("Status pelayanan batal tanpa alasan yang jelas"), web, "id");
    expect(r.effects).toEqual([]);
    expect(r.state.step).toBe("askEvidence");
    expect(r.state.draft.text).toBe("Status pelayanan batal tanpa alasan yang jelas");
  });
});
