import { describe, expect, it } from "vitest";
import { normalQuantile, zForLevel } from "../../src/stats/normal.js";

describe("normalQuantile", () => {
  // Reference quantiles of N(0,1) to 15 digits (standard tables / R qnorm).
  it.each([
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489],
    [0.95, 1.6448536269514722],
    [0.5, 0],
    [0.8413447460685429, 1],
    [0.001, -3.090232306167813],
    [1e-10, -6.361340902404056],
  ])("p = %s → %s", (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 7);
  });

  it("is antisymmetric around 0.5", () => {
    for (const p of [0.01, 0.02425, 0.1, 0.3]) expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 9);
  });

  it("rejects probabilities outside (0, 1)", () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });

  it("turns a confidence level into its two-sided critical value", () => {
    expect(zForLevel(0.95)).toBeCloseTo(1.959963984540054, 8);
    expect(zForLevel(0.99)).toBeCloseTo(2.5758293035489, 8);
    expect(() => zForLevel(1)).toThrow(RangeError);
  });
});
