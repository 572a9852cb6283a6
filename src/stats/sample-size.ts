import { compareDeltaToThreshold } from "./delta.js";
import { newcombePairedInterval } from "./newcombe.js";
import { pairedCountsTotal, type PairedCounts } from "./paired.js";

export const DEFAULT_MAX_CASES = 10_000_000;

export interface SettleEstimate {
  /** Thresholds (points) strictly inside the interval: the verdict could fall on either side of each. */
  straddled: number[];
  /**
   * Cases needed, at the observed agreement and disagreement rates, for the interval to clear every
   * threshold; null when nothing is straddled or no number of cases would do (see `unsettled`).
   */
  casesNeeded: number | null;
  /** Why `casesNeeded` is null although a threshold is straddled. */
  unsettled: "delta-on-threshold" | "beyond-max-cases" | null;
}

function deltaEquals(counts: PairedCounts, n: number, thresholdPoints: number): boolean {
  const difference = counts.firstOnly - counts.secondOnly;
  if (Number.isSafeInteger(difference) && Number.isSafeInteger(n)) return compareDeltaToThreshold(difference, n, thresholdPoints) === 0;
  const points = (difference / n) * 100;
  return Math.abs(points - thresholdPoints) <= 1e-9 * Math.max(1, Math.abs(thresholdPoints));
}

function scaled(counts: PairedCounts, factor: number): PairedCounts {
  return {
    both: counts.both * factor,
    firstOnly: counts.firstOnly * factor,
    secondOnly: counts.secondOnly * factor,
    neither: counts.neither * factor,
  };
}

function straddledBy(counts: PairedCounts, thresholdsPoints: readonly number[], level: number): number[] {
  const interval = newcombePairedInterval(counts, level);
  const lower = interval.lower * 100;
  const upper = interval.upper * 100;
  return thresholdsPoints.filter((t) => lower < t && t < upper);
}

/**
 * How many cases would make the interval for p(first) − p(second) clear the given thresholds, if the four
 * cells kept their observed proportions. The answer is the smallest such size (found by doubling, then
 * bisection on the same Newcombe interval the report prints), so it is consistent with that interval.
 */
export function estimateCasesToSettle(
  counts: PairedCounts,
  thresholdsPoints: readonly number[],
  level = 0.95,
  maxCases = DEFAULT_MAX_CASES,
): SettleEstimate {
  const thresholds = [...new Set(thresholdsPoints.map((t) => (t === 0 ? 0 : t)))].sort((x, y) => x - y);
  const n = pairedCountsTotal(counts);
  const straddled = straddledBy(counts, thresholds, level);
  if (straddled.length === 0) return { straddled, casesNeeded: null, unsettled: null };
  // An interval around a delta that sits exactly on a threshold contains it at every size.
  const onThreshold = straddled.some((t) => deltaEquals(counts, n, t));
  if (onThreshold) return { straddled, casesNeeded: null, unsettled: "delta-on-threshold" };

  const settledAt = (size: number): boolean => straddledBy(scaled(counts, size / n), thresholds, level).length === 0;
  let unsettledSize = n;
  let size = n;
  for (;;) {
    size = Math.min(size * 2, maxCases);
    if (settledAt(size)) break;
    if (size >= maxCases) return { straddled, casesNeeded: null, unsettled: "beyond-max-cases" };
    unsettledSize = size;
  }
  let settledSize = size;
  while (settledSize - unsettledSize > 1) {
    const middle = Math.floor((settledSize + unsettledSize) / 2);
    if (settledAt(middle)) settledSize = middle;
    else unsettledSize = middle;
  }
  return { straddled, casesNeeded: settledSize, unsettled: null };
}
