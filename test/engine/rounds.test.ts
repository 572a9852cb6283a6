// How cases are scheduled over sequences and how a step's evaluations are grouped into decodes: pure logic,
// checked exhaustively on small inputs against brute force.
import { describe, expect, it } from "vitest";
import { nonDecreasingGroups, scheduleRounds, type RoundSlot } from "../../src/engine/local/rounds.js";
import { distinctPrefixCount } from "../../src/engine/token-minimum.js";

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

/** Every list of `count` token runs of length 1..`longest` over tokens 1..`alphabet`. */
function* runLists(count: number, longest: number, alphabet: number): Generator<number[][]> {
  const runs: number[][] = [];
  for (let length = 1; length <= longest; length++) for (const run of lists(length, alphabet - 1)) runs.push(run.map((t) => t + 1));
  for (const picks of lists(count, runs.length - 1)) yield picks.map((i) => runs[i]!);
}

function shared(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Tokens the engine evaluates for a schedule: each case all but what its sequence's cache already holds (never its last token). */
function evaluatedTokens(suffixes: number[][], rounds: RoundSlot[][]): number {
  const last = new Map<number, number[]>();
  let tokens = 0;
  for (const round of rounds) {
    for (const { index, sequence } of round) {
      const own = suffixes[index]!;
      const held = last.get(sequence);
      tokens += own.length - (held ? Math.min(shared(held, own), own.length - 1) : 0);
      last.set(sequence, own);
    }
  }
  return tokens;
}

describe("scheduleRounds", () => {
  it("runs every case once, each sequence at most once a round, slots in sequence-id order, no round empty", () => {
    for (let n = 0; n <= 4; n++) {
      for (const suffixes of runLists(n, 2, 2)) {
        for (let s = 1; s <= 3; s++) {
          const rounds = scheduleRounds(suffixes, s);
          expect(rounds.flat().map((slot) => slot.index).sort((a, b) => a - b)).toEqual(suffixes.map((_, i) => i));
          for (const round of rounds) {
            expect(round.length).toBeGreaterThan(0);
            expect(round.every((slot, i) => slot.sequence >= 0 && slot.sequence < s && (i === 0 || slot.sequence > round[i - 1]!.sequence))).toBe(true);
          }
          // Never more rounds than one long chain per sequence allows.
          expect(rounds.length).toBeLessThanOrEqual(2 * Math.ceil(n / s));
        }
      }
    }
  });

  it("without shared tokens, deals shortest first: sequence k of each round gets the round's k-th shortest case", () => {
    const suffixes = [[5, 1, 1], [6], [7, 1], [8, 1, 1, 1], [9, 1], [10]];
    const rounds = scheduleRounds(suffixes, 4);
    expect(rounds.map((r) => r.map((slot) => slot.index))).toEqual([[1, 5, 2, 4], [0, 3]]);
    expect(rounds.map((r) => r.map((slot) => slot.sequence))).toEqual([[0, 1, 2, 3], [0, 1]]);
  });

  it("runs near-duplicates one after another on one sequence, evaluating their shared tokens once", () => {
    // As the bench suite repeats its inputs with a tail: each case's input again, followed by other tokens.
    const inputs = [[11, 12, 13, 14], [21, 22, 23], [31, 32, 33, 34, 35], [41, 42], [51, 52, 53, 54]];
    const suffixes = [...inputs.map((input) => [...input, 1]), ...inputs.slice(0, 3).map((input) => [...input, 2, 3, 1])];
    for (let s = 1; s <= 4; s++) {
      const rounds = scheduleRounds(suffixes, s);
      const minimum = distinctPrefixCount(suffixes.map((prompt) => ({ prompt, after: [] })));
      expect(evaluatedTokens(suffixes, rounds), `at ${s} sequences`).toBe(minimum);
    }
  });

  it("splits a long chain so that the other sequences get work", () => {
    const suffixes = Array.from({ length: 10 }, (_, i) => [7, 7, 7, i + 1]);
    const rounds = scheduleRounds(suffixes, 2);
    expect(rounds.length).toBe(5);
    expect(rounds.every((r) => r.length === 2)).toBe(true);
  });

  it("refuses a sequence count that is not a positive integer", () => {
    expect(() => scheduleRounds([[1], [2]], 0)).toThrow(RangeError);
    expect(() => scheduleRounds([[1], [2]], 1.5)).toThrow(RangeError);
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
