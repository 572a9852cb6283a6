import { describe, expect, it } from "vitest";
import { majorityBaseline, singlePrediction } from "../../src/stats/majority-baseline.js";

describe("majorityBaseline", () => {
  it.each<[string, string[], string[], { label: string; correct: number; total: number; accuracy: number }]>([
    ["a clear majority", ["a", "b"], ["b", "b", "a"], { label: "b", correct: 2, total: 3, accuracy: 2 / 3 }],
    ["a tie goes to the first label in the suite's order", ["b", "a"], ["a", "b"], { label: "b", correct: 1, total: 2, accuracy: 0.5 }],
    ["one label for every case", ["a", "b"], ["a", "a"], { label: "a", correct: 2, total: 2, accuracy: 1 }],
    ["no cases", ["a", "b"], [], { label: "a", correct: 0, total: 0, accuracy: 0 }],
    ["a label no case expects never wins", ["x", "a"], ["a"], { label: "a", correct: 1, total: 1, accuracy: 1 }],
  ])("%s", (_what, labels, expected, baseline) => {
    expect(majorityBaseline(labels, expected)).toEqual(baseline);
  });
});

describe("singlePrediction", () => {
  it.each<[string[], string | undefined]>([
    [["a", "a", "a"], "a"],
    [["a", "b", "a"], undefined],
    [["invalid", "invalid"], "invalid"],
    [["a"], undefined],
    [[], undefined],
  ])("%j → %s", (predicted, single) => {
    expect(singlePrediction(predicted)).toBe(single);
  });
});
