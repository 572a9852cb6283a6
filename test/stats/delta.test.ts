import { describe, expect, it } from "vitest";
import { compareDeltaToThreshold, decimalToRational, deltaPoints } from "../../src/stats/delta.js";

describe("decimalToRational", () => {
  it.each([
    [5, 5n, 1n],
    [0, 0n, 1n],
    [7.5, 75n, 10n],
    [-5, -5n, 1n],
    [0.1, 1n, 10n],
    [1e21, 10n ** 21n, 1n],
    [1.5e-7, 15n, 10n ** 8n],
    [-0.25, -25n, 100n],
  ])("%s → %s/%s", (value, numerator, denominator) => {
    expect(decimalToRational(value)).toEqual({ numerator, denominator });
  });

  it("rejects non-finite numbers", () => {
    expect(() => decimalToRational(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => decimalToRational(Number.NaN)).toThrow(RangeError);
  });
});

describe("deltaPoints", () => {
  it("is LoRA minus few-shot in percentage points", () => {
    expect(deltaPoints(18, 19, 20)).toBe(5);
    expect(deltaPoints(19, 18, 20)).toBe(-5);
    expect(deltaPoints(0, 3, 20)).toBe(15);
    expect(deltaPoints(1, 2, 3)).toBeCloseTo(33.333333333333336, 12);
  });

  it("is exact where the subtraction of accuracies is not", () => {
    // 14/20 − 13/20 computed as accuracies drifts below 5; the integer form does not.
    expect((14 / 20 - 13 / 20) * 100).not.toBe(5);
    expect(deltaPoints(13, 14, 20)).toBe(5);
  });

  it("rejects impossible inputs", () => {
    expect(() => deltaPoints(0, 0, 0)).toThrow(RangeError);
    expect(() => deltaPoints(0, 5, 4)).toThrow(RangeError);
    expect(() => deltaPoints(0.5, 1, 4)).toThrow(RangeError);
  });
});

describe("compareDeltaToThreshold", () => {
  it("says equal exactly on the boundary", () => {
    expect(compareDeltaToThreshold(1, 20, 5)).toBe(0);
    expect(compareDeltaToThreshold(-1, 20, -5)).toBe(0);
    expect(compareDeltaToThreshold(3, 20, 15)).toBe(0);
    expect(compareDeltaToThreshold(3, 60, 5)).toBe(0);
    // 7 / 140 = 5 %: 100·7/140 in floating point happens to be exact too, but 0.07 − 0.02 is not.
    expect(compareDeltaToThreshold(7, 140, 5)).toBe(0);
  });

  it("orders deltas a hair either side of a threshold", () => {
    // 1/21 = 4.76…, 1/19 = 5.26…, 100/1999 = 5.0025…, 100/2001 = 4.9975…
    expect(compareDeltaToThreshold(1, 21, 5)).toBe(-1);
    expect(compareDeltaToThreshold(1, 19, 5)).toBe(1);
    expect(compareDeltaToThreshold(100, 1999, 5)).toBe(1);
    expect(compareDeltaToThreshold(100, 2001, 5)).toBe(-1);
    expect(compareDeltaToThreshold(100_000, 2_000_001, 5)).toBe(-1);
  });

  it("compares against the threshold as written, not its binary approximation", () => {
    // 0.1 points is 1/1000: 1 case in 1000 is exactly 0.1, though 0.1 has no exact double.
    expect(compareDeltaToThreshold(1, 1000, 0.1)).toBe(0);
    expect(compareDeltaToThreshold(51, 1000, 5.1)).toBe(0);
    expect(compareDeltaToThreshold(3, 40, 7.5)).toBe(0);
  });
});
