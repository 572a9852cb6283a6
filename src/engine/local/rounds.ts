// How cases are spread over the sequences of one context, so that batching them cannot mix up their results.
//
// node-llama-cpp 3.21.1 reads each sequence's next-token output on its own libuv worker, and llama.cpp reorders
// a decode's outputs lazily, without a lock, the first time any of them is read. The reorder has work to do only
// when the outputs come back in another order than the batch's: with one KV stream per sequence, llama.cpp
// splits a batch whose sequences have different token counts into one ubatch per distinct remaining length, so
// a shorter sequence after a longer one finishes first. Two workers applying that reorder at once can undo each
// other, and a sequence then reads another case's distribution (bench/race-repro.ts shows it on the raw API).
// The rule kept here: within one decode, sequences are issued in sequence-id order with non-decreasing token
// counts, so the outputs come back in batch order and the reorder has nothing to do. Rounds are planned so that
// most of them already are (shortest cases on the lowest sequences); nonDecreasingGroups splits the rest.
import { commonPrefixLength } from "../tokens.js";

/** One case of a round and the sequence it runs on. */
export interface RoundSlot {
  index: number;
  sequence: number;
}

/** Token order (a run before any longer run it starts), ties by index: cases sharing tokens become neighbours. */
function tokenOrder(suffixes: readonly (readonly number[])[]): number[] {
  return suffixes
    .map((_, index) => index)
    .sort((a, b) => {
      const x = suffixes[a]!;
      const y = suffixes[b]!;
      const common = commonPrefixLength([x, y]);
      if (common === x.length || common === y.length) return x.length - y.length || a - b;
      return x[common]! - y[common]!;
    });
}

/**
 * Rounds of cases, each case on one of `sequences` sequences, given each case's tokens after the prefix all
 * of them share (`suffixes`).
 *
 * A case that shares at least a third of its own tokens with the case before it in token order (a suite's
 * near-duplicate inputs, as the bench suite's repeats with "(message 2)" appended) joins that case's chain,
 * which runs on one sequence in consecutive rounds: each case after the first keeps the tokens it shares with
 * the one before in the sequence's cache and evaluates only the rest, so those tokens are evaluated once (the
 * token minimum, token-minimum.ts, counts them once). Sharing less (inputs that open with the same word or
 * two) is not worth a chain: the case would leave the rounds of cases alike in length for a token or two.
 * Chains hold at most ceil(cases / sequences) cases, so that one long chain cannot leave the other sequences
 * idle.
 *
 * Chains of several cases go first, `sequences` at a time in lockstep (chain k of a block on sequence k, its
 * j-th case in the block's j-th round), sorted by their number of cases and then by the length of their first
 * case: a round then holds the same step of chains alike, whose counts are alike (measured on the bench suite:
 * letting single cases fill in beside a chain's later, shorter steps split so many decodes that the saved
 * tokens bought no time). Single cases follow, shortest first, so that sequence k of each round gets the
 * round's k-th shortest case. Within a round, slots are in sequence-id order.
 */
export function scheduleRounds(suffixes: readonly (readonly number[])[], sequences: number): RoundSlot[][] {
  if (!Number.isInteger(sequences) || sequences < 1) throw new RangeError(`sequences must be a positive integer, got ${sequences}`);
  const longestChain = Math.max(1, Math.ceil(suffixes.length / sequences));
  const chains: number[][] = [];
  let previous: number | undefined;
  for (const index of tokenOrder(suffixes)) {
    const chain = chains.at(-1);
    const shared = previous === undefined ? 0 : commonPrefixLength([suffixes[previous]!, suffixes[index]!]);
    if (chain !== undefined && 3 * shared >= suffixes[index]!.length && shared > 0 && chain.length < longestChain) chain.push(index);
    else chains.push([index]);
    previous = index;
  }
  const firstLength = (chain: readonly number[]) => suffixes[chain[0]!]!.length;
  const byLength = (a: number[], b: number[]) => a.length - b.length || firstLength(a) - firstLength(b) || a[0]! - b[0]!;
  const blocks: number[][][] = [];
  const several = chains.filter((chain) => chain.length > 1).sort(byLength);
  for (let i = 0; i < several.length; i += sequences) blocks.push(several.slice(i, i + sequences));
  const singles = chains.filter((chain) => chain.length === 1).sort(byLength);
  for (let i = 0; i < singles.length; i += sequences) blocks.push(singles.slice(i, i + sequences));

  const rounds: RoundSlot[][] = [];
  for (const block of blocks) {
    const start = rounds.length;
    block.forEach((chain, sequence) => chain.forEach((index, step) => (rounds[start + step] ??= []).push({ index, sequence })));
  }
  return rounds;
}

/**
 * Splits items (token counts, in sequence-id order) into the fewest groups whose counts do not decrease in
 * sequence-id order: each group can be one decode. Returns each group's item indices, ascending. Items with a
 * count of 0 evaluate nothing and are left out. Patience sorting: each item joins the first group whose last
 * count does not exceed its own, which gives the fewest groups.
 */
export function nonDecreasingGroups(counts: readonly number[]): number[][] {
  const groups: number[][] = [];
  counts.forEach((count, index) => {
    if (count <= 0) return;
    const group = groups.find((g) => counts[g.at(-1)!]! <= count);
    if (group) group.push(index);
    else groups.push([index]);
  });
  return groups;
}
