// The token layout both engines share (src/engine/tokens.ts) and the arithmetic that turns scores into a
// case result (src/engine/case-result.ts): pure, so every edge is tested here.
import { describe, expect, it } from "vitest";
import { generatedCaseResult, scoredCaseResult } from "../../src/engine/case-result.js";
import { distinctPrefixCount } from "../../src/engine/token-minimum.js";
import { casePromptTokens, commonPrefixLength, firstWordComplete, tokensNeeded, withBos } from "../../src/engine/tokens.js";
import type { TunegateError } from "../../src/errors.js";
import type { SuiteCase } from "../../src/types.js";

const where = { caseLabel: "case 1", location: { file: "s.cases.yaml", line: 3, column: 5 } };
const aCase: SuiteCase = { index: 0, input: "x", expected: "b", must: false, location: where.location };

describe("casePromptTokens", () => {
  it("takes each label's tokens as they follow the prompt", () => {
    expect(casePromptTokens([1, 5, 6], [[1, 5, 6, 9], [1, 5, 6, 7, 8]], ["a", "b"], where)).toEqual({ tokens: [1, 5, 6], labelTokens: [[9], [7, 8]] });
  });
  it("refuses a label the tokeniser merges with the prompt, or that adds nothing", () => {
    const code = (joined: number[][]) => {
      try {
        casePromptTokens([1, 5, 6], joined, ["a"], where);
        return "accepted";
      } catch (error) {
        return (error as TunegateError).code;
      }
    };
    expect(code([[1, 5, 60, 9]])).toBe("LABEL_NOT_SEPARABLE");
    expect(code([[1, 5, 6]])).toBe("LABEL_NOT_SEPARABLE");
    expect(code([[1, 5]])).toBe("LABEL_NOT_SEPARABLE");
  });
  it("refuses an empty prompt, at the case's place", () => {
    expect(() => casePromptTokens([], [[3]], ["a"], where)).toThrow(expect.objectContaining({ code: "EMPTY_PROMPT", location: where.location }));
  });
});

describe("token arithmetic", () => {
  it("puts BOS in front only when the model wants one", () => {
    expect(withBos([4, 5], 1)).toEqual([1, 4, 5]);
    expect(withBos([4, 5], null)).toEqual([4, 5]);
  });
  it("finds the prefix every prompt shares", () => {
    expect(commonPrefixLength([])).toBe(0);
    expect(commonPrefixLength([[1, 2, 3]])).toBe(3);
    expect(commonPrefixLength([[1, 2, 3], [1, 2, 4], [1, 2]])).toBe(2);
    expect(commonPrefixLength([[1], [2]])).toBe(0);
  });
  it("counts the label trie's inner nodes as what a perfect evaluator adds after the prompt (both engines' minimum)", () => {
    const added = (labels: number[][]) =>
      distinctPrefixCount([{ prompt: [1], after: [] }, ...labels.filter((l) => l.length > 1).map((l) => ({ prompt: [1], after: l.slice(0, -1) }))]) - 1;
    expect(added([[9], [8]])).toBe(0);
    expect(added([[7, 8], [7, 9], [6, 1, 2]])).toBe(3);
  });
  it("knows when the first word is complete", () => {
    expect(firstWordComplete(" billing")).toBe(false);
    expect(firstWordComplete(" billing.")).toBe(false);
    expect(firstWordComplete(" billing. The")).toBe(true);
    expect(firstWordComplete("   ")).toBe(false);
    expect(firstWordComplete("a\n")).toBe(true);
  });
  it("counts the context a case needs", () => {
    const prompt = { tokens: [1, 2, 3], labelTokens: [[4], [5, 6]] };
    expect(tokensNeeded(prompt, false, 10)).toBe(5);
    expect(tokensNeeded(prompt, true, 10)).toBe(13);
  });
});

describe("case results", () => {
  const scored = (scores: number[]) => scoredCaseResult(aCase, ["a", "b", "c"], { scores, labelTokens: [[1], [2, 3], [4]], promptTokens: 7, latencyMs: 2 });
  it("predicts the best label, with its confidence, margin and token count", () => {
    const result = scored([-3, -1, -2]);
    expect(result).toMatchObject({ predicted: "b", correct: true, margin: 1, promptTokens: 7, outputTokens: 2, latencyMs: 2 });
    expect(result.confidence).toBeCloseTo(1 / (1 + Math.exp(-1) + Math.exp(-2)), 12);
    expect(result.scores).toEqual({ a: -3, b: -1, c: -2 });
  });
  it("breaks ties for the first label", () => {
    expect(scored([-1, -1, -1]).predicted).toBe("a");
    expect(scored([-1, -1, -1]).margin).toBe(0);
  });
  it("reads a generation's label, or invalid", () => {
    expect(generatedCaseResult(aCase, ["a", "b"], { text: " b. And", tokens: 3, promptTokens: 7, latencyMs: 1 })).toMatchObject({ predicted: "b", correct: true, confidence: 1, generated: " b. And", outputTokens: 3 });
    expect(generatedCaseResult(aCase, ["a", "b"], { text: " maybe", tokens: 1, promptTokens: 7, latencyMs: 1 })).toMatchObject({ predicted: "invalid", correct: false, confidence: 0 });
  });
});
