export const PERCENTILE_METHOD = "linear-interpolation-between-order-statistics";
export const PERCENTILE_METHOD_DESCRIPTION =
  "q-th percentile of n sorted values x[0..n−1] is x[h] interpolated linearly at h = (n − 1)·q " +
  "(Hyndman & Fan type 7, the default of R, NumPy and spreadsheet PERCENTILE.INC)";

/** The q-quantile (0 ≤ q ≤ 1) by Hyndman & Fan type 7; `null` for no values. */
export function percentile(values: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile: q must lie in [0, 1], got ${q}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const h = (sorted.length - 1) * q;
  const below = Math.floor(h);
  const above = Math.ceil(h);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (h - below) * (high - low);
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

export interface LatencySummary {
  mean: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

/** Mean, median, p95 and range of latencies; all 0 when there are none, so reports never carry NaN. */
export function summarizeLatency(latenciesMs: readonly number[]): LatencySummary {
  if (latenciesMs.length === 0) return { mean: 0, p50: 0, p95: 0, min: 0, max: 0 };
  return {
    mean: mean(latenciesMs) as number,
    p50: percentile(latenciesMs, 0.5) as number,
    p95: percentile(latenciesMs, 0.95) as number,
    min: latenciesMs.reduce((x, y) => Math.min(x, y)),
    max: latenciesMs.reduce((x, y) => Math.max(x, y)),
  };
}
