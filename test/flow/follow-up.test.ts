import { describe, expect, it } from "vitest";
import { step, type IntakeState } from "../../src/flow/index.js";
import { render } from "../../src/i18n/index.js";
import { at, email, file, FULL_DRAFT, input, keys, OFFICE, play, telegram, templates, web, whatsapp } from "./transcript.js";

const REF = { complaintId: "c7", ticket: "ADU-2026-00007" };
const FILED: IntakeState = { ...at("filed"), filed: REF };
const INFO: IntakeState = { ...FILED, filedKind: "information" };

const text = (state: IntakeState, say: string, locale: "id" | "en" = "id"): string =>
  step(state, input(say), web, locale)
    .replies.map((r) => render(templates, locale, r, { office: OFFICE, ticket: REF.ticket }).text)
    .join("\n");

describe("after a ticket: small talk is answered, not forwarded to staff", () => {
  it.each(["halo", "Selamat pagi pak", "assalamualaikum", "Hi there"])("%s is a greeting", (say) => {
    const r = step(FILED, input(say), web, "id");
    expect(keys(r)).toEqual(["followup.greeting"]);
    expect(r.effects).toEqual([]);
    expect(r.state.step).toBe("filed");
    expect(r.state.filed).toEqual(REF);
  });

  it.each(["terima kasih", "Makasih banyak ya min", "thank you", "ok", "siap pak", "Terimakasih 🙏"])("%s is thanks", (say) => {
    const r = step(FILED, input(say), telegram, "id");
    expect(keys(r)).toEqual(["followup.thanks"]);
    expect(r.effects).toEqual([]);
  });

  it.each([
    ["1", ["complaint.start", "ask.name"], "askName"],
    ["2", ["ask.statusTicket"], "askStatusTicket"],
    ["3. Minta informasi", ["ask.info"], "askInfo"],
    ["buat aduan baru", ["complaint.start", "ask.name"], "askName"],
  ] as const)("menu word %s works as at the menu", (say, replies, next) => {
    const r = step(FILED, input(say), web, "id");
    expect(keys(r)).toEqual(replies);
    expect(r.state.step).toBe(next);
    expect(r.effects).toEqual([]);
  });
});

describe("after a ticket: a message that may not be meant for the complaint is asked about first", () => {
  it.each(["ya", "asdfghjkl", "🙏", "👍👍", "???", "kapan?", "ya pak", "asdf jkl;"])("%s asks before adding", (say) => {
    const r = step(FILED, input(say), whatsapp, "id");
    expect(keys(r)).toEqual(["followup.confirm"]);
    expect(r.effects).toEqual([]);
    expect(r.state.pendingFollowUp).toBe(say);
    expect(r.replies[0]!.options).toEqual(["option.followup.yes", "option.followup.no"]);
  });

  it("the question names the ticket; yes adds the held message, no drops it", () => {
    expect(text(FILED, "asdfghjkl")).toContain("Apakah pesan tadi ingin ditambahkan ke aduan *ADU-2026-00007*");
    play(
      web,
      "id",
      [
        { say: "asdfghjkl", keys: ["followup.confirm"], step: "filed" },
        { say: "Ya, tambahkan", keys: ["followup.received"], step: "filed", effects: ["appendToComplaint"] },
        { say: "ya", keys: ["followup.confirm"], step: "filed" },
        { say: "tidak", keys: ["followup.notAdded"], step: "filed" },
      ],
      FILED,
    );
    const asked = step(FILED, input("ya"), web, "id").state;
    expect(step(asked, input("Ya, tambahkan"), web, "id").effects).toEqual([
      { type: "appendToComplaint", complaintId: "c7", text: "ya", attachmentIds: [] },
    ]);
    const declined = step(asked, input("Tidak"), web, "id");
    expect(declined.effects).toEqual([]);
    expect(declined.state.pendingFollowUp).toBeUndefined();
  });

  it("a held message lives for one answer: anything else is handled on its own", () => {
    const asked = step(FILED, input("🙏"), web, "id").state;
    const sentence = step(asked, input("Petugasnya sudah datang tadi siang"), web, "id");
    expect(sentence.effects).toEqual([
      { type: "appendToComplaint", complaintId: "c7", text: "Petugasnya sudah datang tadi siang", attachmentIds: [] },
    ]);
    expect(sentence.state.pendingFollowUp).toBeUndefined();
    const menu = step(asked, input("menu"), web, "id");
    expect(menu.state.pendingFollowUp).toBeUndefined();
    expect(step(menu.state, input("ya"), web, "id").effects).toEqual([]);
  });

  it.each(["3 hari belum dibalas", "2 orang petugas lain juga melihat", "1 jam menunggu di loket"])(
    "%s starts with a number but is an addition",
    (say) => {
      const r = step(FILED, input(say), web, "id");
      expect(keys(r)).toEqual(["followup.received"]);
    },
  );

  it.each(["aduan saya?", "laporan saya", "informasinya kapan"])("%s is not a menu pick", (say) => {
    expect(step(FILED, input(say), web, "id").state.step).toBe("filed");
  });

  it.each(["1. File a complaint", "2. Check a ticket's status", "3. Ask for information"])(
    "the English button %s is a menu pick",
    (say) => {
      const r = step({ ...FILED, locale: "en" }, input(say), web, "en");
      expect(r.effects).toEqual([]);
      expect(r.state.step).not.toBe("filed");
    },
  );

  it("clear sentences and files are added at once, as before", () => {
    const r = step(FILED, input("Sudah 3 hari belum ada kabar dari petugas"), web, "id");
    expect(keys(r)).toEqual(["followup.received"]);
    const withFile = step(FILED, input("ya", file("f1")), web, "id");
    expect(withFile.effects).toEqual([{ type: "appendToComplaint", complaintId: "c7", text: "ya", attachmentIds: ["f1"] }]);
  });

  it("e-mail replies are deliberate: everything is added", () => {
    const r = step(FILED, input("ya"), email, "id");
    expect(r.effects.map((e) => e.type)).toEqual(["appendToComplaint"]);
  });
});

describe("an information request is called so, not an aduan", () => {
  it.each([
    ["Berapa biaya yang harus saya bayar nanti", "permintaan informasi *ADU-2026-00007*"],
    ["halo", "permintaan informasi *ADU-2026-00007*"],
    ["asdfghjkl", "permintaan informasi *ADU-2026-00007*"],
    ["terima kasih", "permintaan informasi *ADU-2026-00007*"],
    ["bantuan", "permintaan informasi *ADU-2026-00007*"],
  ])("%s", (say, words) => {
    const out = text(INFO, say);
    expect(out).toContain(words);
    expect(out).not.toMatch(/ke aduan|memproses aduan/);
  });

  it("in English too", () => {
    expect(text(INFO, "Thanks", "en")).toContain("your information request *ADU-2026-00007*");
    expect(text(FILED, "Thanks", "en")).toContain("your complaint *ADU-2026-00007*");
  });

  it("the request's receipt marks the conversation", () => {
    const r = step(at("askInfo"), input("Apa saja syarat membuat KTP elektronik?"), web, "id");
    expect(r.state.filedKind).toBe("information");
    const confirmed = step({ ...at("confirm", FULL_DRAFT), filedKind: "information" }, input("ya"), web, "id");
    expect(confirmed.state.filedKind).toBeUndefined();
  });
});
