// The token minimum is the number of nodes in the trie of every path an evaluator must run: checked against a
// plain trie on random paths, and on the cases that made the old count (shared prefix once + each case's
// own suffix) exceed what the engine evaluated: cases sharing tokens beyond the prefix all of them share.
import { describe, expect, it } from "vitest";
import { distinctPrefixCount, type TokenPath } from "../../src/engine/token-minimum.js";
import { mulberry32 } from "../stats/prng.js";

function trieNodes(paths: readonly TokenPath[]): number {
  const seen = new Set<string>();
  for (const path of paths) {
    const tokens = [...path.prompt, ...path.after];
    for (let i = 1; i <= tokens.length; i++) seen.add(tokens.slice(0, i).join(","));
  }
  return seen.size;
}

const p = (prompt: number[], after: number[] = []): TokenPath => ({ prompt, after });

describe("distinctPrefixCount", () => {
  it.each<[string, TokenPath[], number, number]>([
    ["no paths", [], 0, 0],
    ["one path", [p([1, 2, 3])], 0, 3],
    ["two paths sharing everything but the last token", [p([1, 2, 3]), p([1, 2, 4])], 0, 4],
    ["consecutive cases sharing beyond the common prefix", [p([1, 2, 3, 4]), p([1, 2, 3, 5]), p([1, 6, 7, 8])], 1, 8],
    ["a duplicate case", [p([1, 2, 3]), p([1, 2, 3])], 1, 3],
    ["a prompt that is the prefix of another", [p([1, 2]), p([1, 2, 3])], 1, 3],
    ["label tokens after the prompt, shared between labels", [p([1, 2]), p([1, 2], [7]), p([1, 2], [7, 8]), p([1, 2], [9])], 1, 5],
    ["a prompt that equals another prompt followed by label tokens", [p([1, 2], [3]), p([1, 2, 3, 4])], 1, 4],
  ])("%s", (_what, paths, shared, expected) => {
    expect(distinctPrefixCount(paths, shared)).toBe(expected);
    expect(trieNodes(paths)).toBe(expected);
  });

  it("equals a plain trie's node count on random paths, whatever their order", () => {
    const random = mulberry32(13);
    const int = (n: number) => Math.floor(random() * n);
    for (let round = 0; round < 300; round++) {
      const shared = Array.from({ length: int(4) }, () => int(3));
      const paths = Array.from({ length: 1 + int(12) }, () => p([...shared, ...Array.from({ length: 1 + int(5) }, () => int(3))], Array.from({ length: int(3) }, () => int(3))));
      expect(distinctPrefixCount(paths, shared.length)).toBe(trieNodes(paths));
      expect(distinctPrefixCount([...paths].reverse(), shared.length)).toBe(trieNodes(paths));
    }
  });

  it("skips the shared block when comparing, so a long few-shot block costs nothing per comparison", () => {
    const block = Array.from({ length: 500 }, (_, i) => i);
    const paths = Array.from({ length: 3000 }, (_, i) => p([...block, i % 7, i % 5, i]));
    // 500 + 7 + 7·5 (i % 7 and i % 5 pair up uniquely below 35) + 3000 distinct last tokens.
    expect(distinctPrefixCount(paths, block.length)).toBe(500 + 7 + 35 + 3000);
  });
});
