import { zForLevel } from "./normal.js";
import { pairedCountsTotal, type PairedCounts } from "./paired.js";
import { wilsonInterval } from "./wilson.js";

export const NEWCOMBE_PAIRED_METHOD = "newcombe-paired-hybrid-score";
export const NEWCOMBE_PAIRED_METHOD_DESCRIPTION =
  "Newcombe (1998) hybrid score interval for a difference of paired proportions (method 10): Wilson score " +
  "limits for each arm combined by square-and-add, with the continuity-corrected phi correlation between arms";

export interface PairedDifferenceInterval {
  /** p(first) − p(second), as a fraction. */
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  /** The correlation estimate used to account for pairing. */
  phi: number;
  method: typeof NEWCOMBE_PAIRED_METHOD;
}

/**
 * Newcombe's phi estimate: the 2×2 correlation, shrunk towards 0 by N/2 when positive (his continuity
 * correction, which keeps the interval from being too narrow in small samples), and 0 when any margin is 0.
 */
export function newcombePhi(counts: PairedCounts): number {
  const { both: a, firstOnly: b, secondOnly: c, neither: d } = counts;
  const n = pairedCountsTotal(counts);
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  if (margins === 0) return 0;
  const crossDifference = a * d - b * c;
  let corrected: number;
  if (crossDifference > n / 2) corrected = crossDifference - n / 2;
  else if (crossDifference >= 0) corrected = 0;
  else corrected = crossDifference;
  return corrected / Math.sqrt(margins);
}

/**
 * Confidence interval for p(first) − p(second) on paired data, Newcombe 1998 method 10.
 * Unlike a Wald interval it stays inside [−1, 1], is never degenerate, and behaves at 0 or n successes.
 */
export function newcombePairedInterval(counts: PairedCounts, level = 0.95): PairedDifferenceInterval {
  const n = pairedCountsTotal(counts);
  if (!(n > 0)) throw new RangeError("a paired interval needs at least one case");
  for (const [name, value] of Object.entries(counts)) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`paired count ${name} must be a finite number ≥ 0, got ${value}`);
  }
  const z = zForLevel(level);
  const p1 = (counts.both + counts.firstOnly) / n;
  const p2 = (counts.both + counts.secondOnly) / n;
  const first = wilsonInterval(counts.both + counts.firstOnly, n, z);
  const second = wilsonInterval(counts.both + counts.secondOnly, n, z);
  const phi = newcombePhi(counts);
  const estimate = (counts.firstOnly - counts.secondOnly) / n;

  const down1 = p1 - first.lower;
  const up1 = first.upper - p1;
  const down2 = p2 - second.lower;
  const up2 = second.upper - p2;
  // Rounding can push the radicand a hair below 0 when the arms are almost perfectly correlated.
  const lowerSpread = Math.sqrt(Math.max(0, down1 * down1 - 2 * phi * down1 * up2 + up2 * up2));
  const upperSpread = Math.sqrt(Math.max(0, up1 * up1 - 2 * phi * up1 * down2 + down2 * down2));
  return {
    estimate,
    lower: Math.max(-1, estimate - lowerSpread),
    upper: Math.min(1, estimate + upperSpread),
    level,
    phi,
    method: NEWCOMBE_PAIRED_METHOD,
  };
}
