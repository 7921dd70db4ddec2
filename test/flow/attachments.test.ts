import { describe, expect, it } from "vitest";
import { step } from "../../src/flow/index.js";
import { render } from "../../src/i18n/index.js";
import { at, badType, file, FULL_DRAFT, input, keys, OFFICE, play, telegram, templates, tooLarge, web } from "./transcript.js";

const FILED = { ...at("filed"), filed: { complaintId: "c1", ticket: "ADU-2026-00001" } };

describe("declined files: a polite reply, and the conversation goes on where it was", () => {
  it.each([
    ["askName", at("askName"), "ask.name"],
    ["askCategory", at("askCategory", { name: "Budi", contactAsked: true, addressAsked: true }), "ask.category"],
    ["confirm", at("confirm", FULL_DRAFT), "summary"],
    ["askEvidence", at("askEvidence", { ...FULL_DRAFT, evidenceAsked: undefined }), "ask.evidence"],
  ] as const)("too large at %s", (_name, state, question) => {
    const r = step(state, input("", tooLarge("video.mp4")), web, "id");
    expect(keys(r)).toEqual(["file.declined.tooLarge", question]);
    expect(r.replies[0]!.vars).toEqual({ file: "video.mp4", limit: 10 });
    expect(r.state).toEqual(state);
    expect(r.effects).toEqual([]);
  });

  it("names the channel's own limit and the refused type", () => {
    const r = step(at("askName"), input("", tooLarge(), badType("setup.exe")), { ...web, maxAttachmentMb: 25 }, "en");
    expect(keys(r)).toEqual(["file.declined.tooLarge", "file.declined.type", "ask.name"]);
    const large = render(templates, "en", r.replies[0]!, { office: OFFICE }).text;
    expect(large).toContain("25 MB");
    expect(large).toContain("the file");
    const type = render(templates, "id", r.replies[1]!, { office: OFFICE }).text;
    expect(type).toContain("setup.exe");
    expect(type).toContain("application/x-msdownload");
  });

  it("a text with a declined file is still answered", () => {
    play(
      web,
      "id",
      [{ say: input("Budi", badType("a.exe")), keys: ["file.declined.type", "ask.contact"], step: "askContact", draft: { name: "Budi" } }],
      at("askName"),
    );
  });

  it("after filing: declined only, nothing appended", () => {
    const r = step(FILED, input("", tooLarge("x.mov")), web, "id");
    expect(keys(r)).toEqual(["file.declined.tooLarge"]);
    expect(r.effects).toEqual([]);
    expect(r.state.step).toBe("filed");
  });

  it("as the first message: declined, then greeting and menu", () => {
    play(web, "id", [{ say: input("", badType()), keys: ["file.declined.type", "greeting", "menu"], step: "menu" }]);
  });
});

describe("accepted files at other steps are kept as evidence", () => {
  it.each([
    ["askName", at("askName"), "ask.name"],
    ["askContact", at("askContact", { name: "Budi" }), "ask.contact"],
    ["askCategory", at("askCategory", { name: "Budi", contactAsked: true, addressAsked: true }), "ask.category"],
    ["chooseEdit", at("chooseEdit", FULL_DRAFT), "edit.ask"],
  ] as const)("at %s: ack with the count, same question again", (_name, state, question) => {
    const r = step({ ...state, draft: { ...state.draft, attachmentIds: ["f0"] } }, input("", file("f1")), web, "id");
    expect(keys(r)).toEqual(["file.kept", question]);
    expect(r.replies[0]!.vars).toEqual({ count: 2 });
    expect(r.state.draft.attachmentIds).toEqual(["f0", "f1"]);
    expect(r.state.step).toBe(state.step);
  });

  it("at the summary the summary counts the new file", () => {
    const r = step(at("confirm", FULL_DRAFT), input("", file("f1")), web, "en");
    expect(keys(r)).toEqual(["file.kept", "summary"]);
    expect(r.replies[1]!.vars?.["evidence"]).toBe(1);
  });

  it("a photo whose caption is the complaint text: text kept, one ack", () => {
    const { text: _t, evidenceAsked: _e, ...draft } = FULL_DRAFT;
    play(
      web,
      "id",
      [
        {
          say: input("Lantai ruang tunggu licin dan berbahaya", file("p1")),
          keys: ["evidence.received"],
          step: "askEvidence",
          draft: { text: "Lantai ruang tunggu licin dan berbahaya", attachmentIds: ["p1"] },
        },
      ],
      at("askText", draft),
    );
  });

  it("at the evidence step: short captions are fine, longer words join the text", () => {
    const draft = { ...FULL_DRAFT, evidenceAsked: undefined };
    play(
      web,
      "id",
      [
        {
          say: input("foto", file("p1")),
          keys: ["evidence.received"],
          step: "askEvidence",
          draft: { attachmentIds: ["p1"], text: FULL_DRAFT.text },
        },
        {
          say: "Kejadian ini sudah terjadi tiga kali",
          keys: ["evidence.textAdded", "evidence.received"],
          step: "askEvidence",
          draft: { text: `${FULL_DRAFT.text}\n\nKejadian ini sudah terjadi tiga kali` },
        },
        {
          say: input("", file("p2"), tooLarge("v.mp4")),
          keys: ["file.declined.tooLarge", "evidence.received"],
          step: "askEvidence",
          draft: { attachmentIds: ["p1", "p2"] },
        },
        { say: "done", keys: ["summary"], step: "confirm" },
      ],
      at("askEvidence", draft),
    );
  });

  it("at the menu a file alone is not kept; with the message that starts a complaint it is", () => {
    const { state } = play(
      telegram,
      "id",
      [
        { say: input("", file("m1")), keys: ["file.declined.notNow", "menu"], step: "menu", draft: { attachmentIds: [] } },
        {
          say: input("1", file("m2")),
          keys: ["file.kept", "complaint.start", "ask.name"],
          step: "askName",
          draft: { attachmentIds: ["m2"] },
        },
      ],
      at("menu"),
    );
    expect(state.draft.attachmentIds).toEqual(["m2"]);
  });

  it("the same file id twice is kept once", () => {
    const r = step(at("askName", { attachmentIds: ["f1"] }), input("", file("f1")), web, "id");
    expect(r.state.draft.attachmentIds).toEqual(["f1"]);
  });
});
