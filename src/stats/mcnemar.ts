export const MCNEMAR_METHOD = "mcnemar-exact-binomial-two-sided";
export const MCNEMAR_METHOD_DESCRIPTION =
  "McNemar's exact test: under no difference the discordant pairs split as Binomial(b + c, 1/2); " +
  "two-sided p = min(1, 2 · P(X ≤ min(b, c)))";

// Up to here every C(n, k) and their sums are integers below 2^53, so the small-table p-value is the
// exact rational rounded once.
const EXACT_INTEGER_LIMIT = 50;

/** Σ_{k=0..m} C(n, k), exactly, for n ≤ EXACT_INTEGER_LIMIT. */
function lowerTailCount(n: number, m: number): number {
  let coefficient = 1;
  let sum = 1;
  for (let k = 1; k <= m; k += 1) {
    coefficient = (coefficient * (n - k + 1)) / k;
    sum += coefficient;
  }
  return sum;
}

/**
 * Two-sided exact McNemar p-value for `b` and `c` discordant pairs (cases only one arm got right).
 * Works in log space from the largest tail term downwards, so it neither overflows binomial coefficients
 * nor underflows 2^−n for thousands of pairs; p-values below ~1e−308 round to 0.
 */
export function mcnemarExact(b: number, c: number): number {
  for (const [name, value] of [["b", b], ["c", c]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`mcnemarExact: ${name} must be a whole number ≥ 0, got ${value}`);
  }
  if (b === c) return 1;
  const n = b + c;
  const m = Math.min(b, c);
  if (n <= EXACT_INTEGER_LIMIT) return Math.min(1, (2 * lowerTailCount(n, m)) / 2 ** n);
  // ln P(X = m) = ln C(n, m) − n ln 2, with ln C(n, m) = Σ_{i=1..m} ln((n − m + i) / i).
  let logTermAtM = -n * Math.LN2;
  for (let i = 1; i <= m; i += 1) logTermAtM += Math.log((n - m + i) / i);
  // P(X ≤ m) = P(X = m) · (1 + t_{m−1}/t_m + t_{m−2}/t_m + …); each ratio step is k / (n − k + 1).
  let relative = 1;
  let ratio = 1;
  for (let k = m; k >= 1; k -= 1) {
    ratio *= k / (n - k + 1);
    relative += ratio;
    if (ratio < relative * 1e-17) break;
  }
  const p = 2 * Math.exp(logTermAtM + Math.log(relative));
  return Math.min(1, p);
}
