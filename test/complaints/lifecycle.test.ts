import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assignableRole, dueAt, loadSopPreset, mayAct, stepById, transition, type LifecycleComplaint } from "../../src/complaints/index.js";
import { repoRoot } from "../../src/db/index.js";

const load = (name: string) => loadSopPreset(join(repoRoot, "templates"), name);
const now = new Date("2026-11-24T02:00:00Z"); // Tuesday 10:00 WITA
const at = (sopStep: string, extra: Partial<LifecycleComplaint> = {}): LifecycleComplaint => ({
  status: "open",
  sopStep,
  stepStartedAt: new Date(now.getTime() - 60_000),
  stepDueAt: now,
  holderRole: null,
  holderStaff: null,
  ...extra,
});

describe("transition (pure)", () => {
  const denpasar = load("denpasar-utara");
  const camat = { telegramId: "1", role: "camat" };
  const unit = { telegramId: "2", role: "staf" };
  const jafung = { telegramId: "3", role: "kasi" };

  it("moves to the next step with its due time from now", () => {
    const result = transition(denpasar, at("telaah"), jafung, { type: "advance", text: "dicek" }, now);
    expect(result).toMatchObject({ ok: true, type: "move", from: { id: "telaah" }, to: { id: "regulasi" }, startedAt: now, note: "dicek" });
    if (result.ok && result.type === "move") expect(result.dueAt).toEqual(dueAt(stepById(denpasar, "regulasi")!, now));
  });

  it("takes the decision's branch and the head's authority", () => {
    expect(transition(denpasar, at("putusan"), camat, { type: "decide", decision: "reject", note: "tidak berdasar" }, now)).toMatchObject({
      ok: true,
      to: { id: "sampaikan" },
      decision: "reject",
      note: "tidak berdasar",
    });
    expect(transition(denpasar, at("putusan"), jafung, { type: "decide", decision: "approve", note: "" }, now)).toMatchObject({
      ok: false,
      refusal: { code: "notAllowed", allowed: ["camat"] },
    });
    // The head may act on any step, e.g. push a stuck registration along.
    expect(transition(denpasar, at("catat-verifikasi"), camat, { type: "advance", text: "" }, now)).toMatchObject({
      ok: true,
      to: { id: "telaah" },
    });
  });

  it("finishes only where the preset allows: archive or forward at the last step", () => {
    expect(transition(denpasar, at("arsip-teruskan"), unit, { type: "forward" }, now)).toMatchObject({
      ok: true,
      type: "finish",
      how: "forward",
    });
    expect(transition(denpasar, at("arsip-teruskan"), unit, { type: "archive" }, now)).toMatchObject({
      ok: true,
      type: "finish",
      how: "archive",
    });
    expect(transition(denpasar, at("arsip-teruskan"), unit, { type: "advance", text: "" }, now)).toMatchObject({
      ok: false,
      refusal: { code: "lastStep" },
    });
    expect(transition(denpasar, at("telaah"), jafung, { type: "archive" }, now)).toMatchObject({
      ok: false,
      refusal: { code: "notFinal" },
    });
    expect(transition(denpasar, at("telaah", { status: "closed" }), jafung, { type: "advance", text: "" }, now)).toMatchObject({
      ok: false,
      refusal: { code: "closed" },
    });
    expect(transition(denpasar, at("hilang"), camat, { type: "advance", text: "" }, now)).toMatchObject({
      ok: false,
      refusal: { code: "unknownStep", step: "hilang" },
    });
  });

  it("checks the action against the preset before who acts (the refusal names the right step)", () => {
    expect(transition(denpasar, at("telaah"), unit, { type: "decide", decision: "approve", note: "" }, now)).toMatchObject({
      ok: false,
      refusal: { code: "notDecision", decisionSteps: [{ id: "putusan" }] },
    });
  });

  it("an assigned role or person holds the step instead", () => {
    const assigned = at("telaah", { holderRole: "unit-pengaduan" });
    expect(mayAct(denpasar, assigned, unit)).toEqual({ ok: true });
    expect(mayAct(denpasar, assigned, jafung)).toEqual({ ok: false, allowed: ["unit-pengaduan", "camat"], staff: null });
    expect(mayAct(denpasar, at("putusan", { holderStaff: "77" }), { telegramId: "77", role: "staf" })).toEqual({ ok: true });
    expect(assignableRole(denpasar, "pimpinan")).toBe("camat");
    expect(assignableRole(denpasar, "instansi-terkait")).toBeUndefined(); // outside agencies hold no step
    expect(assignableRole(load("jenawi"), "pelapor")).toBeUndefined();
  });

  it("a branching step needs its branch word (Indonesian or English)", () => {
    const jenawi = load("jenawi");
    const operator = { telegramId: "5", role: "operator" };
    expect(transition(jenawi, at("klasifikasi"), operator, { type: "advance", text: "" }, now)).toMatchObject({
      ok: false,
      refusal: { code: "needChoice" },
    });
    expect(transition(jenawi, at("klasifikasi"), operator, { type: "advance", text: "Information jadwal pelayanan" }, now)).toMatchObject({
      ok: true,
      to: { id: "jawab" },
      branch: { id: "informasi" },
      note: "jadwal pelayanan",
    });
    expect(transition(jenawi, at("registrasi"), operator, { type: "advance", text: "" }, now)).toMatchObject({
      ok: false,
      refusal: { code: "unknownStep" },
    });
  });
});
