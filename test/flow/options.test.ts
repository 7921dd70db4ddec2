import { describe, expect, it } from "vitest";
import { startRating, step, type FlowContext, type IntakeState, type StepResult } from "../../src/flow/index.js";
import { render } from "../../src/i18n/index.js";
import { at, file, FULL_DRAFT, input, OFFICE, telegram, templates, web } from "./transcript.js";

const HINT = /\.(invalid|required|tooShort|tooLong|phoneInvalid|emailInvalid|hint)$/;

interface Offer {
  where: string;
  state: IntakeState;
  ctx: FlowContext;
  result: StepResult;
}

/** Plays messages and keeps every step whose last reply offers options. */
function offers(where: string, ctx: FlowContext, start: IntakeState | undefined, messages: Parameters<typeof input>[]): Offer[] {
  const found: Offer[] = [];
  let state = start;
  for (const message of messages) {
    const result = step(state, input(...message), ctx, "id");
    if (result.replies.some((r) => r.options?.length))
      found.push({ where: `${where} → ${message[0] || "(file)"}`, state: result.state, ctx, result });
    state = result.state;
  }
  return found;
}

const ALL: Offer[] = [
  ...offers("telegram", telegram, undefined, [
    ["halo"],
    ["1"],
    ["Budi"],
    ["lewati"],
    ["lewati"],
    ["2"],
    ["Antrean sangat panjang dan lambat sekali"],
    ["", file("f1")],
    ["selesai"],
    ["tidak"],
  ]),
  ...offers("web anonymous", web, undefined, [
    ["halo"],
    ["1"],
    ["anonim"],
    ["budi@contoh.id"],
    ["Pelayanan"],
    ["Petugas tidak ada di tempat"],
  ]),
  ...offers("edit evidence", web, at("chooseEdit", { ...FULL_DRAFT, attachmentIds: ["f1"] }), [["6"]]),
  ...offers("edit contact", web, at("chooseEdit", FULL_DRAFT), [["2"]]),
  ...offers("edit address", web, at("chooseEdit", FULL_DRAFT), [["3"]]),
  ...offers("status", web, at("askStatusTicket"), [["ADU-2026-00001"]]),
  ...offers("follow-up", web, { ...at("filed"), filed: { complaintId: "c1", ticket: "ADU-2026-00001" } }, [["ya"]]),
  ...offers("rating", web, startRating(at("filed"), { complaintId: "c1", ticket: "ADU-2026-00001" }).state, [["bagus"], ["4"]]),
];
const rating = startRating(at("filed"), { complaintId: "c1", ticket: "ADU-2026-00001" });
ALL.push({ where: "startRating", state: rating.state, ctx: web, result: rating });

describe("every option label is an answer its step accepts", () => {
  it("covers every step that offers options", () => {
    const steps = new Set(ALL.map((o) => o.state.step));
    for (const s of [
      "menu",
      "askName",
      "askContact",
      "askAddress",
      "askCategory",
      "askEvidence",
      "confirm",
      "chooseEdit",
      "askRating",
      "askRatingComment",
    ]) {
      expect(steps, s).toContain(s);
    }
  });

  for (const offer of ALL) {
    for (const locale of ["id", "en"] as const) {
      it(`${offer.where} (${locale})`, () => {
        const reply = [...offer.result.replies].reverse().find((r) => r.options?.length)!;
        const { options } = render(templates, locale, reply, { office: OFFICE, ticket: "ADU-2026-00001" });
        expect(options?.length).toBe(reply.options!.length);
        for (const label of options!) {
          const answered = step({ ...offer.state, locale }, input(label), offer.ctx, locale);
          const hints = answered.replies.map((r) => r.key).filter((k) => HINT.test(k));
          expect(hints, `"${label}" at ${offer.state.step}`).toEqual([]);
          const moved =
            answered.state.step !== offer.state.step ||
            answered.effects.length > 0 ||
            answered.state.pendingFollowUp !== offer.state.pendingFollowUp ||
            JSON.stringify(answered.state.draft) !== JSON.stringify(offer.state.draft);
          expect(moved, `"${label}" at ${offer.state.step} changed nothing`).toBe(true);
        }
      });
    }
  }
});

describe("options offered", () => {
  it("menu: 3, category: 4, summary: yes/no/cancel, rating: 1..5, name: display name and anonymous", () => {
    const count = (s: string) => ALL.find((o) => o.state.step === s)!.result.replies.at(-1)!.options!;
    expect(count("menu")).toHaveLength(3);
    expect(count("askCategory")).toHaveLength(4);
    expect(count("confirm")).toEqual(["option.confirm.yes", "option.confirm.no", "option.cancel"]);
    expect(count("askRating")).toHaveLength(5);
    expect(count("askName")).toEqual(["option.displayName", "option.anonymous"]);
  });

  it("no skip button where skipping is refused", () => {
    const r = step(at("askContact", { name: "Budi" }), input(""), web, "id");
    expect(r.replies.at(-1)!.options).toBeUndefined();
  });
});
