// How cases are spread over the sequences of one context, so that batching them cannot mix up their results.
//
// node-llama-cpp 3.21.1 reads each sequence's next-token output on its own libuv worker, and llama.cpp reorders
// a decode's outputs lazily, without a lock, the first time any of them is read. The reorder has work to do only
// when the outputs come back in another order than the batch's: with one KV stream per sequence, llama.cpp
// splits a batch whose sequences have different token counts into one ubatch per distinct remaining length, so
// a shorter sequence after a longer one finishes first. Two workers applying that reorder at once can undo each
// other, and a sequence then reads another case's distribution (bench/race-repro.ts shows it on the raw API).
// The rule kept here: within one decode, sequences are issued in sequence-id order with non-decreasing token
// counts, so the outputs come back in batch order and the reorder has nothing to do.

/**
 * Rounds of case indices: cases sorted by their suffix length (ties: suite order), dealt `sequences` at a time,
 * so that in each round sequence k gets the k-th shortest case of the round.
 */
export function dealRounds(suffixLengths: readonly number[], sequences: number): number[][] {
  if (!Number.isInteger(sequences) || sequences < 1) throw new RangeError(`sequences must be a positive integer, got ${sequences}`);
  const order = suffixLengths.map((length, index) => ({ length, index })).sort((a, b) => a.length - b.length || a.index - b.index);
  const rounds: number[][] = [];
  for (let i = 0; i < order.length; i += sequences) rounds.push(order.slice(i, i + sequences).map((o) => o.index));
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
