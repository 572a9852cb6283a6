import { describe, expect, it } from "vitest";
import { mcnemarExact } from "../../src/stats/mcnemar.js";

/** C(n, k) in BigInt, by the multiplicative formula. */
function choose(n: number, k: number): bigint {
  let result = 1n;
  for (let i = 1; i <= k; i += 1) result = (result * BigInt(n - k + i)) / BigInt(i);
  return result;
}

/** A positive rational num/den as the nearest-ish double: a 64-bit quotient, then scaled by a power of two. */
function rationalToNumber(numerator: bigint, denominator: bigint): number {
  const shift = denominator.toString(2).length - numerator.toString(2).length + 64;
  const quotient = shift >= 0 ? (numerator << BigInt(shift)) / denominator : numerator / (denominator << BigInt(-shift));
  return Number(quotient) * 2 ** -shift;
}

/**
 * The exact two-sided p-value as a rational in BigInt: an implementation independent of the one under
 * test (no logs, no floating point until the final conversion).
 */
function exactP(b: number, c: number): number {
  const n = b + c;
  const m = Math.min(b, c);
  let tail = 0n;
  for (let k = 0; k <= m; k += 1) tail += choose(n, k);
  const numerator = 2n * tail;
  const denominator = 2n ** BigInt(n);
  if (numerator >= denominator) return 1;
  return rationalToNumber(numerator, denominator);
}

describe("mcnemarExact", () => {
  it("matches hand-computed binomial tables", () => {
    // b=0, c=5: 2 · (1/32)
    expect(mcnemarExact(0, 5)).toBe(0.0625);
    expect(mcnemarExact(5, 0)).toBe(0.0625);
    // b=1, c=9: 2 · (1 + 10)/1024 = 22/1024
    expect(mcnemarExact(1, 9)).toBe(22 / 1024);
    // b=10, c=0: 2/1024
    expect(mcnemarExact(10, 0)).toBe(2 / 1024);
    // b=2, c=8: 2 · (1 + 10 + 45)/1024 = 112/1024
    expect(mcnemarExact(2, 8)).toBe(112 / 1024);
    // b=1, c=2: 2 · (1 + 3)/8 = 1 (capped)
    expect(mcnemarExact(1, 2)).toBe(1);
    // b=0, c=1: 2 · 1/2 = 1
    expect(mcnemarExact(0, 1)).toBe(1);
    // b=3, c=12: 2 · (1 + 15 + 105 + 455)/32768 = 1152/32768
    expect(mcnemarExact(3, 12)).toBe(1152 / 32768);
  });

  it("is 1 for ties and for no discordant pairs", () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    for (const k of [1, 7, 50, 51, 1000]) expect(mcnemarExact(k, k)).toBe(1);
  });

  it("is symmetric in b and c", () => {
    for (const [b, c] of [[3, 17], [40, 90], [0, 60], [123, 456]] as const) expect(mcnemarExact(b, c)).toBe(mcnemarExact(c, b));
  });

  it.each([
    [300, 340],
    [20, 40],
    [25, 26],
    [48, 2],
    [51, 70],
    [1000, 1100],
    [0, 200],
  ])("b=%i, c=%i agrees with exact BigInt arithmetic to 1e-12 relative", (b, c) => {
    const expected = exactP(b, c);
    const actual = mcnemarExact(b, c);
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * expected);
  });

  it("b=300, c=340 sits where the normal approximation puts it", () => {
    // Continuity-corrected normal: z = (|b − c| − 1)/√(b + c) = 39/√640 ≈ 1.5416, two-sided ≈ 0.1232.
    const p = mcnemarExact(300, 340);
    expect(p).toBeGreaterThan(0.11);
    expect(p).toBeLessThan(0.135);
  });

  it("stays finite and monotone for very large tables", () => {
    const p1 = mcnemarExact(50_000, 50_400);
    const p2 = mcnemarExact(50_000, 50_800);
    expect(Number.isFinite(p1)).toBe(true);
    expect(p1).toBeGreaterThan(p2);
    expect(p1).toBeGreaterThan(0);
    expect(p1).toBeLessThan(1);
    // Tails far beyond double range round to 0 rather than NaN.
    expect(mcnemarExact(0, 5000)).toBe(0);
  });

  it("rejects counts that are not whole numbers ≥ 0", () => {
    expect(() => mcnemarExact(-1, 3)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 3)).toThrow(RangeError);
    expect(() => mcnemarExact(Number.NaN, 3)).toThrow(RangeError);
  });
});
