export interface ProportionInterval {
  lower: number;
  upper: number;
}

/**
 * Wilson's score interval for a binomial proportion: the set of p for which |p̂ − p| ≤ z·√(p(1−p)/n).
 * Counts may be fractional (the sample-size search scales observed tables).
 */
export function wilsonInterval(successes: number, n: number, z: number): ProportionInterval {
  if (!(n > 0)) throw new RangeError(`wilsonInterval needs n > 0, got ${n}`);
  if (!(successes >= 0 && successes <= n)) throw new RangeError(`successes must lie in [0, n], got ${successes} of ${n}`);
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  // Clamp: at p = 0 or 1 the closed form can land a few ulps outside [0, 1].
  return {
    lower: Math.max(0, (centre - spread) / denominator),
    upper: Math.min(1, (centre + spread) / denominator),
  };
}
