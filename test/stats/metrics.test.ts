import { describe, expect, it } from "vitest";
import { computeArmMetrics } from "../../src/stats/arm-metrics.js";
import { confusionMatrix } from "../../src/stats/confusion.js";
import { labelMetrics, macroF1 } from "../../src/stats/label-metrics.js";
import { tabulatePaired } from "../../src/stats/paired.js";
import { makeSuiteRun } from "../report/suite-run-factory.js";

const pairs = (rows: [string, string][]) => rows.map(([expected, predicted]) => ({ expected, predicted }));

describe("confusionMatrix", () => {
  it("counts expected rows against predicted columns", () => {
    const matrix = confusionMatrix(
      ["a", "b"],
      pairs([
        ["a", "a"],
        ["a", "b"],
        ["b", "b"],
        ["b", "b"],
      ]),
      false,
    );
    expect(matrix).toEqual({ rows: ["a", "b"], columns: ["a", "b"], counts: [[1, 1], [0, 2]] });
  });

  it("has an invalid column in generate mode even when unused", () => {
    const matrix = confusionMatrix(["a", "b"], pairs([["a", "a"]]), true);
    expect(matrix.columns).toEqual(["a", "b", "invalid"]);
    expect(matrix.counts).toEqual([[1, 0, 0], [0, 0, 0]]);
  });

  it("puts non-label predictions in the invalid column", () => {
    const matrix = confusionMatrix(["a", "b"], pairs([["a", "invalid"], ["b", "banana"]]), true);
    expect(matrix.counts).toEqual([[0, 0, 1], [0, 0, 1]]);
  });

  it("adds an invalid column when a logprob arm somehow predicts a non-label", () => {
    expect(confusionMatrix(["a"], pairs([["a", "zzz"]]), false).columns).toEqual(["a", "invalid"]);
  });

  it("gives an unexpected expected value its own row instead of dropping it", () => {
    const matrix = confusionMatrix(["a"], pairs([["c", "a"]]), false);
    expect(matrix.rows).toEqual(["a", "c"]);
    expect(matrix.counts).toEqual([[0, 0], [1, 0]]);
  });
});

describe("labelMetrics and macroF1", () => {
  it("computes precision, recall, F1 and support per label", () => {
    // a: TP 2, FP 1 (a b-case predicted a), FN 1 (an a-case predicted b); b: TP 1, FP 1, FN 1
    const matrix = confusionMatrix(["a", "b"], pairs([["a", "a"], ["a", "a"], ["a", "b"], ["b", "a"], ["b", "b"]]), false);
    const [a, b] = labelMetrics(matrix);
    expect(a).toEqual({ label: "a", precision: 2 / 3, recall: 2 / 3, f1: 4 / 6, support: 3, predicted: 3 });
    expect(b).toEqual({ label: "b", precision: 1 / 2, recall: 1 / 2, f1: 2 / 4, support: 2, predicted: 2 });
    expect(macroF1([a!, b!])).toBeCloseTo((2 / 3 + 1 / 2) / 2, 15);
  });

  it("a label never predicted has precision null and F1 0; support 0 has recall null", () => {
    // c is expected once but never predicted; d is predicted once but never expected.
    const matrix = confusionMatrix(["c", "d"], pairs([["c", "d"]]), false);
    const [c, d] = labelMetrics(matrix);
    expect(c).toEqual({ label: "c", precision: null, recall: 0, f1: 0, support: 1, predicted: 0 });
    expect(d).toEqual({ label: "d", precision: 0, recall: null, f1: 0, support: 0, predicted: 1 });
    expect(macroF1([c!, d!])).toBe(0);
  });

  it("a label neither expected nor predicted has null F1 and is left out of macro-F1", () => {
    const matrix = confusionMatrix(["a", "unused"], pairs([["a", "a"]]), false);
    const metrics = labelMetrics(matrix);
    expect(metrics[1]).toEqual({ label: "unused", precision: null, recall: null, f1: null, support: 0, predicted: 0 });
    expect(macroF1(metrics)).toBe(1);
  });

  it("invalid predictions count against recall but not against any label's precision", () => {
    const matrix = confusionMatrix(["a", "b"], pairs([["a", "invalid"], ["a", "a"]]), true);
    const [a] = labelMetrics(matrix);
    expect(a).toEqual({ label: "a", precision: 1, recall: 0.5, f1: 2 / 3, support: 2, predicted: 1 });
  });

  it("macro-F1 of nothing is 0", () => {
    expect(macroF1([])).toBe(0);
  });
});

describe("computeArmMetrics", () => {
  const run = makeSuiteRun({
    labels: ["pos", "neg"],
    cases: [
      { input: "1", expected: "pos", fewShot: { predicted: "pos", latencyMs: 10, promptTokens: 300, outputTokens: 1 }, lora: "pos" },
      { input: "2", expected: "pos", fewShot: { predicted: "neg", latencyMs: 20, promptTokens: 310, outputTokens: 1 }, lora: "pos" },
      { input: "3", expected: "neg", fewShot: { predicted: "neg", latencyMs: 30, promptTokens: 320, outputTokens: 2 }, lora: "pos" },
      { input: "4", expected: "neg", fewShot: { predicted: "neg", latencyMs: 100, promptTokens: 330, outputTokens: 2 }, lora: "neg" },
    ],
  });

  it("summarises one arm", () => {
    const metrics = computeArmMetrics(run.suite.labels, run.suite.cases, run.arms.few_shot);
    expect(metrics.accuracy).toBe(0.75);
    expect(metrics.correct).toBe(3);
    expect(metrics.total).toBe(4);
    expect(metrics.invalid).toBe(0);
    expect(metrics.confusion.counts).toEqual([[1, 1], [0, 2]]);
    expect(metrics.macroF1).toBeCloseTo((2 / 3 + 0.8) / 2, 15);
    expect(metrics.latencyMs.mean).toBe(40);
    expect(metrics.latencyMs.p50).toBe(25);
    // sorted 10 20 30 100, h = 2.85 → 30 + 0.85 · 70
    expect(metrics.latencyMs.p95).toBeCloseTo(89.5, 12);
    expect(metrics.promptTokensPerCall).toBe(315);
    expect(metrics.outputTokensPerCall).toBe(1.5);
    expect(metrics.tokensEvaluated).toBe(5000);
    expect(metrics.tokensMinimum).toBe(4000);
  });

  it("takes correctness from the engine's records", () => {
    const tampered = { ...run.arms.lora, cases: run.arms.lora.cases.map((c) => ({ ...c, correct: true })) };
    expect(computeArmMetrics(run.suite.labels, run.suite.cases, tampered).accuracy).toBe(1);
  });

  it("counts invalid generate-mode outputs", () => {
    const generate = makeSuiteRun({
      scoring: "generate",
      labels: ["pos", "neg"],
      cases: [
        { input: "1", expected: "pos", fewShot: "invalid", lora: "pos" },
        { input: "2", expected: "neg", fewShot: "invalid", lora: "neg" },
      ],
    });
    const metrics = computeArmMetrics(generate.suite.labels, generate.suite.cases, generate.arms.few_shot);
    expect(metrics.invalid).toBe(2);
    expect(metrics.accuracy).toBe(0);
    expect(metrics.confusion.columns).toEqual(["pos", "neg", "invalid"]);
    expect(metrics.macroF1).toBe(0);
  });

  it("rejects an arm whose results do not line up with the cases", () => {
    const short = { ...run.arms.lora, cases: run.arms.lora.cases.slice(1) };
    expect(() => computeArmMetrics(run.suite.labels, run.suite.cases, short)).toThrow(/3 results for 4 cases/);
  });

  it("never produces NaN for no cases", () => {
    const metrics = computeArmMetrics(["a"], [], { ...run.arms.lora, cases: [] });
    expect(metrics.accuracy).toBe(0);
    expect(metrics.macroF1).toBe(0);
    expect(metrics.promptTokensPerCall).toBe(0);
    expect(Object.values(metrics.latencyMs).every((v) => v === 0)).toBe(true);
  });
});

describe("tabulatePaired", () => {
  it("sorts cases into the four agreement cells", () => {
    expect(tabulatePaired([true, true, false, false, true], [true, false, true, false, false])).toEqual({
      both: 1,
      firstOnly: 2,
      secondOnly: 1,
      neither: 1,
    });
  });

  it("rejects vectors of different lengths", () => {
    expect(() => tabulatePaired([true], [])).toThrow(RangeError);
  });
});
