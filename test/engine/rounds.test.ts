// How cases are dealt over sequences and how a step's evaluations are grouped into decodes: pure logic,
// checked exhaustively on small inputs against brute force.
import { describe, expect, it } from "vitest";
import { dealRounds, nonDecreasingGroups } from "../../src/engine/local/rounds.js";

/** Every list of `length` values in [0, max]. */
function* lists(length: number, max: number): Generator<number[]> {
  if (length === 0) {
    yield [];
    return;
  }
  for (const rest of lists(length - 1, max)) for (let v = 0; v <= max; v++) yield [...rest, v];
}

/** Longest strictly decreasing subsequence of the positive counts: the fewest non-decreasing groups possible. */
function longestDecreasing(counts: number[]): number {
  const positive = counts.filter((c) => c > 0);
  const best = positive.map(() => 1);
  for (let i = 0; i < positive.length; i++) for (let j = 0; j < i; j++) if (positive[j]! > positive[i]!) best[i] = Math.max(best[i]!, best[j]! + 1);
  return Math.max(0, ...best);
}

describe("dealRounds", () => {
  it("deals every case once, shortest first, sequence k getting the round's k-th shortest", () => {
    for (let n = 0; n <= 6; n++) {
      for (const lengths of lists(n, 3)) {
        for (let s = 1; s <= 4; s++) {
          const rounds = dealRounds(lengths, s);
          expect(rounds.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
          expect(rounds.every((r, i) => r.length === (i < rounds.length - 1 ? s : n - s * (rounds.length - 1)))).toBe(true);
          const flat = rounds.flat();
          const ordered = flat.every((b, i) => i === 0 || lengths[flat[i - 1]!]! < lengths[b]! || (lengths[flat[i - 1]!] === lengths[b] && flat[i - 1]! < b));
          expect(ordered, `${lengths.join(",")} at ${s}`).toBe(true);
        }
      }
    }
  });

  it("refuses a sequence count that is not a positive integer", () => {
    expect(() => dealRounds([1, 2], 0)).toThrow(RangeError);
    expect(() => dealRounds([1, 2], 1.5)).toThrow(RangeError);
  });
});

describe("nonDecreasingGroups", () => {
  it("covers every item with work once, each group ascending in index and non-decreasing in count, in the fewest groups", () => {
    for (let n = 0; n <= 6; n++) {
      for (const counts of lists(n, 3)) {
        const groups = nonDecreasingGroups(counts);
        expect(groups.flat().sort((a, b) => a - b)).toEqual(counts.flatMap((c, i) => (c > 0 ? [i] : [])));
        for (const group of groups) {
          for (let i = 1; i < group.length; i++) {
            expect(group[i]!).toBeGreaterThan(group[i - 1]!);
            expect(counts[group[i]!]!).toBeGreaterThanOrEqual(counts[group[i - 1]!]!);
          }
        }
        expect(groups.length).toBe(longestDecreasing(counts));
      }
    }
  });

  it("keeps a sorted round in one decode", () => {
    expect(nonDecreasingGroups([3, 3, 5, 9])).toEqual([[0, 1, 2, 3]]);
    expect(nonDecreasingGroups([5, 3, 4])).toEqual([[0], [1, 2]]);
  });
});
