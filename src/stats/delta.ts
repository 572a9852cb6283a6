/**
 * The accuracy difference in percentage points, and exact comparisons of it against thresholds.
 *
 * The decision rule has hard boundaries (|delta| ≤ 5 ships the prompt, so exactly 5 must), and the delta is
 * a ratio of whole numbers. Comparing `100 · diff / n` in floating point against a threshold is exact only
 * when the division happens to be; subtracting two accuracies (0.7 − 0.65 = 0.04999…) is not. So
 * comparisons are done in integers: the threshold as the decimal it was written as, the delta as a fraction.
 */

export interface Rational {
  numerator: bigint;
  denominator: bigint;
}

/**
 * The exact rational value of the shortest decimal that round-trips to `x` (what a user wrote in YAML:
 * 5, 7.5, 0.1), not the binary double's value.
 */
export function decimalToRational(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(x));
  if (!match) throw new RangeError(`cannot read ${x} as a decimal`);
  const [, sign = "", whole = "0", fraction = "", exponentText = "0"] = match;
  const exponent = Number(exponentText) - fraction.length;
  let numerator = BigInt(whole + fraction);
  let denominator = 1n;
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator = 10n ** BigInt(-exponent);
  return { numerator: sign === "-" ? -numerator : numerator, denominator };
}

function checkCounts(difference: number, total: number): void {
  if (!Number.isSafeInteger(total) || total <= 0) throw new RangeError(`the number of cases must be a whole number > 0, got ${total}`);
  if (!Number.isSafeInteger(difference) || Math.abs(difference) > total) {
    throw new RangeError(`a difference in correct cases must be a whole number within ±${total}, got ${difference}`);
  }
}

/** 100 · (loraCorrect − fewShotCorrect) / total: one rounding, so whole-number results are exact. */
export function deltaPoints(fewShotCorrect: number, loraCorrect: number, total: number): number {
  const difference = loraCorrect - fewShotCorrect;
  checkCounts(difference, total);
  return (100 * difference) / total;
}

/**
 * Sign of (100 · difference / total − threshold), computed exactly:
 * −1 when the delta is below the threshold, 0 when equal, 1 when above.
 */
export function compareDeltaToThreshold(difference: number, total: number, thresholdPoints: number): -1 | 0 | 1 {
  checkCounts(difference, total);
  const threshold = decimalToRational(thresholdPoints);
  // 100·diff/total vs num/den  ⇔  100·diff·den vs num·total (both denominators positive).
  const left = 100n * BigInt(difference) * threshold.denominator;
  const right = threshold.numerator * BigInt(total);
  return left < right ? -1 : left > right ? 1 : 0;
}
