// The label plan: which evaluations score every label after a prompt, shared where labels share leading
// tokens, and how their distributions add up to each label's score. Pure logic, no model.
import type { Token } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { distinctPrefixCount } from "../../src/engine/token-minimum.js";
import { labelScores, LOG_PROBABILITY_FLOOR, planLabelSteps, type Distribution } from "../../src/engine/local/scoring.js";

const t = (...ids: number[]) => ids as Token[];
const prompt = { tokens: t(1, 2, 3), labelTokens: [t(10), t(11, 12), t(11, 13), t(14, 15, 16)] };

describe("planLabelSteps", () => {
  it("reads the prompt's last position first, then each missing trie node once", () => {
    expect(planLabelSteps(prompt)).toEqual([
      { tokens: t(1, 2, 3), wanted: [2] },
      { tokens: t(1, 2, 3, 11), wanted: [3] },
      { tokens: t(1, 2, 3, 14, 15), wanted: [3, 4] },
    ]);
    // Every wanted position beyond the prompt's is one trie node of the minimum.
    const extra = planLabelSteps(prompt).slice(1).reduce((sum, step) => sum + step.wanted.length, 0);
    const paths = [{ prompt: prompt.tokens, after: [] }, ...prompt.labelTokens.filter((l) => l.length > 1).map((l) => ({ prompt: prompt.tokens, after: l.slice(0, -1) }))];
    expect(extra).toBe(distinctPrefixCount(paths) - prompt.tokens.length);
  });

  it("needs one step when every label is one token", () => {
    expect(planLabelSteps({ tokens: t(5), labelTokens: [t(7), t(8)] })).toEqual([{ tokens: t(5), wanted: [0] }]);
  });
});

describe("labelScores", () => {
  const d = (entries: Array<[number, number]>): Distribution => new Map(entries.map(([k, v]) => [k as Token, v]));
  const results = [
    new Map([[2, d([[10, 0.5], [11, 0.25], [14, 0.125]])]]),
    new Map([[3, d([[12, 0.5], [13, 0.25]])]]),
    new Map([
      [3, d([[15, 0.5]])],
      [4, d([[16, 0.25]])],
    ]),
  ];

  it("sums each label's token log-probabilities along its path", () => {
    const scores = labelScores(prompt, results, false);
    expect(scores[0]).toBeCloseTo(Math.log(0.5), 12);
    expect(scores[1]).toBeCloseTo(Math.log(0.25) + Math.log(0.5), 12);
    expect(scores[2]).toBeCloseTo(Math.log(0.25) + Math.log(0.25), 12);
    expect(scores[3]).toBeCloseTo(Math.log(0.125) + Math.log(0.5) + Math.log(0.25), 12);
  });

  it("averages over the label's tokens when normalised, and floors a token with no probability", () => {
    const scores = labelScores(prompt, results, true);
    expect(scores[3]).toBeCloseTo((Math.log(0.125) + Math.log(0.5) + Math.log(0.25)) / 3, 12);
    const missing = labelScores({ tokens: t(1, 2, 3), labelTokens: [t(99)] }, [new Map([[2, d([[10, 1]])]])], false);
    expect(missing).toEqual([LOG_PROBABILITY_FLOOR]);
  });
});
