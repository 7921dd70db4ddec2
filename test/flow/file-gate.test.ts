import { describe, expect, it } from "vitest";
import { admitFiles, fileDestination, startRating, step, type FlowAttachment } from "../../src/flow/index.js";
import { render } from "../../src/i18n/index.js";
import { at, email, file, FULL_DRAFT, input, keys, OFFICE, play, telegram, templates, web } from "./transcript.js";

const REF = { complaintId: "c7", ticket: "ADU-2026-00007" };
const FILED = { ...at("filed"), filed: REF };
const COMPLAINT = "Petugas loket meminta biaya tambahan untuk mempercepat pembuatan KTP saya kemarin";
const files = (n: number, prefix = "f") => Array.from({ length: n }, (_, i) => file(`${prefix}${i + 1}`));
const reasons = (list: FlowAttachment[]) => list.map((a) => (a.accepted ? "ok" : a.reason));

describe("files are kept only while a complaint is written, or for one's own filed complaint", () => {
  it.each([
    ["the menu, a file alone", at("menu"), ""],
    ["the menu, with a word that starts nothing", at("menu"), "halo"],
    ["the status question", at("askStatusTicket"), ""],
    ["the first message, a file alone", undefined, ""],
    ["the first message, a greeting", undefined, "selamat pagi"],
    ["the menu, with a keyword", at("menu"), "bantuan"],
    ["an intake step, with menu", at("askName"), "menu"],
    ["an intake step, with batal", at("askEvidence", FULL_DRAFT), "batal"],
    ["a filed complaint, with batal", FILED, "batal"],
    ["a filed complaint, with status", FILED, "status"],
  ] as const)("refused at %s: one polite reply, nothing in the draft, no effect", (_name, state, text) => {
    const r = step(state, input(text, ...files(3)), web, "id");
    const notNow = r.replies.filter((reply) => reply.key === "file.declined.notNow");
    expect(notNow).toEqual([{ key: "file.declined.notNow", vars: { count: 3 } }]);
    expect(r.state.draft.attachmentIds).toEqual(state?.draft.attachmentIds ?? []);
    expect(r.effects.filter((e) => e.type === "appendToComplaint" || e.type === "createComplaint")).toEqual([]);
    for (const locale of ["id", "en"] as const) {
      expect(render(templates, locale, notNow[0]!, { office: OFFICE }).text).toMatch(locale === "id" ? /Bapak\/Ibu.*\*1\*/s : /\*1\*/);
    }
  });

  it.each([
    ["every intake step", at("askCategory", { name: "Budi", contactAsked: true, addressAsked: true }), "", "draft"],
    ["the summary", at("confirm", FULL_DRAFT), "", "draft"],
    ["the information question", at("askInfo"), "", "draft"],
    ["an intake step with help (the step stays)", at("askName"), "bantuan", "draft"],
    ["the menu with 1", at("menu"), "1", "draft"],
    ["the menu with the complaint itself", at("menu"), COMPLAINT, "draft"],
    ["a first message that is the complaint", undefined, COMPLAINT, "draft"],
    ["a filed complaint (a follow-up)", FILED, "", "complaint"],
    ["the rating question (a follow-up)", startRating(FILED, REF).state, "", "complaint"],
  ] as const)("welcome at %s", (_name, state, text, to) => {
    expect(fileDestination(state ?? at("new"), text, web).to).toBe(to);
    expect(reasons(admitFiles(state, input(text, file("f1")), web, "id"))).toEqual(["ok"]);
  });

  it("a first e-mail that tells its story files the complaint with its files at once", () => {
    expect(fileDestination(at("new"), COMPLAINT, email)).toEqual({ to: "complaint" });
    const r = step(undefined, input(COMPLAINT, file("f1"), file("f2")), email, "id");
    const created = r.effects.find((e) => e.type === "createComplaint");
    expect(created?.type === "createComplaint" && created.draft.attachmentIds).toEqual(["f1", "f2"]);
  });

  it("a short first e-mail with only attachments keeps none", () => {
    const r = step(undefined, input("Lihat lampiran", file("f1")), email, "id");
    expect(keys(r)).toEqual(["file.declined.notNow", "greeting", "menu"]);
    expect(r.effects).toEqual([]);
  });
});

describe("ATTACHMENT_MAX_FILES per complaint", () => {
  it("the draft holds at most maxFiles; the rest is refused in one reply naming the limit", () => {
    const state = at("askEvidence", { ...FULL_DRAFT, evidenceAsked: undefined, attachmentIds: ["a", "b", "c", "d", "e", "f", "g", "h"] });
    const r = step(state, input("", ...files(5)), web, "id");
    expect(r.state.draft.attachmentIds).toHaveLength(10);
    expect(r.replies[0]).toEqual({ key: "file.declined.tooMany", vars: { count: 3, max: 10 } });
    expect(render(templates, "en", r.replies[0]!, { office: OFFICE }).text).toContain("at most 10 files");
  });

  it("a smaller limit from the settings", () => {
    const ctx = { ...telegram, maxFiles: 2 };
    play(
      ctx,
      "id",
      [
        {
          say: input("", ...files(3)),
          keys: ["file.declined.tooMany", "evidence.received"],
          step: "askEvidence",
          draft: { attachmentIds: ["f1", "f2"] },
        },
        {
          say: input("", file("x")),
          keys: ["file.declined.tooMany", "evidence.received"],
          step: "askEvidence",
          draft: { attachmentIds: ["f1", "f2"] },
        },
      ],
      at("askEvidence", { ...FULL_DRAFT, evidenceAsked: undefined }),
    );
  });

  it("follow-ups count the files the filed complaint already holds", () => {
    const r = step(FILED, input("foto tambahan", ...files(4)), { ...web, maxFiles: 10, filesOnComplaint: 8 }, "id");
    const appended = r.effects.find((e) => e.type === "appendToComplaint");
    expect(appended?.type === "appendToComplaint" && appended.attachmentIds).toEqual(["f1", "f2"]);
    expect(keys(r)).toEqual(["file.declined.tooMany", "followup.received"]);
    const full = step(FILED, input("", file("z")), { ...web, filesOnComplaint: 10 }, "id");
    expect(full.effects).toEqual([]);
    expect(keys(full)).toEqual(["file.declined.tooMany"]);
  });

  it("an e-mail with more attachments than allowed files the complaint with the first ones", () => {
    const r = step(undefined, input(COMPLAINT, ...files(12)), { ...email, maxFiles: 10 }, "id");
    const created = r.effects.find((e) => e.type === "createComplaint");
    expect(created?.type === "createComplaint" && created.draft.attachmentIds).toHaveLength(10);
    expect(keys(r)).toEqual(["file.declined.tooMany", "receipt.email"]);
  });
});

describe("refusals decided outside the flow, answered by it", () => {
  it("names at most three refused files and counts the rest in one reply", () => {
    const bad = Array.from({ length: 10 }, (_, i): FlowAttachment => ({ accepted: false, reason: "type", filename: `x${i}.exe` }));
    const r = step(at("askEvidence", { ...FULL_DRAFT, evidenceAsked: undefined }), input("", ...bad), web, "id");
    expect(keys(r)).toEqual([
      "file.declined.unrecognised",
      "file.declined.unrecognised",
      "file.declined.unrecognised",
      "file.declined.others",
      "ask.evidence",
    ]);
    expect(r.replies[3]!.vars).toEqual({ count: 7 });
  });

  const declined = (reason: "empty" | "quota" | "type", extra: Partial<FlowAttachment> = {}): FlowAttachment =>
    ({ accepted: false, reason, filename: "x.jpg", ...extra }) as FlowAttachment;

  it("empty, unrecognised, a known bad type and the conversation's budget, in both locales", () => {
    const r = step(
      at("askEvidence", { ...FULL_DRAFT, evidenceAsked: undefined }),
      input(
        "",
        declined("empty"),
        declined("type"),
        declined("type", { mime: "application/x-msdownload" }),
        declined("quota"),
        declined("quota"),
      ),
      { ...web, maxConversationMb: 50 },
      "id",
    );
    expect(keys(r)).toEqual([
      "file.declined.empty",
      "file.declined.unrecognised",
      "file.declined.type",
      "file.declined.quota",
      "ask.evidence",
    ]);
    expect(r.replies[3]!.vars).toEqual({ count: 2, limit: 50 });
    for (const locale of ["id", "en"] as const) {
      const texts = r.replies.map((reply) => render(templates, locale, reply, { office: OFFICE }).text);
      expect(texts[0]).toContain("x.jpg");
      expect(texts[2]).toContain("application/x-msdownload");
      expect(texts[3]).toContain("50 MB");
    }
  });
});
