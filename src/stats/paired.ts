/**
 * The 2×2 table of a paired comparison: each case is classified by whether the first and the second
 * arm got it right. Counts are usually integers; the sample-size search also uses scaled tables.
 */
export interface PairedCounts {
  /** Both arms correct. */
  both: number;
  /** Only the first arm correct. */
  firstOnly: number;
  /** Only the second arm correct. */
  secondOnly: number;
  /** Neither arm correct. */
  neither: number;
}

export function pairedCountsTotal(counts: PairedCounts): number {
  return counts.both + counts.firstOnly + counts.secondOnly + counts.neither;
}

/** Tabulates two aligned correctness vectors (`first[i]` and `second[i]` are the same case). */
export function tabulatePaired(first: readonly boolean[], second: readonly boolean[]): PairedCounts {
  if (first.length !== second.length) {
    throw new RangeError(`paired vectors differ in length: ${first.length} vs ${second.length}`);
  }
  const counts: PairedCounts = { both: 0, firstOnly: 0, secondOnly: 0, neither: 0 };
  first.forEach((firstCorrect, i) => {
    const secondCorrect = second[i] === true;
    if (firstCorrect && secondCorrect) counts.both += 1;
    else if (firstCorrect) counts.firstOnly += 1;
    else if (secondCorrect) counts.secondOnly += 1;
    else counts.neither += 1;
  });
  return counts;
}
