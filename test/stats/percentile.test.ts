import { describe, expect, it } from "vitest";
import { mean, percentile, summarizeLatency } from "../../src/stats/percentile.js";

describe("percentile (Hyndman & Fan type 7)", () => {
  it("interpolates between order statistics at h = (n − 1)·q", () => {
    const values = [40, 10, 30, 20, 50]; // sorted 10 20 30 40 50
    expect(percentile(values, 0.5)).toBe(30);
    // h = 4 · 0.95 = 3.8 → 40 + 0.8 · 10
    expect(percentile(values, 0.95)).toBeCloseTo(48, 12);
    // h = 4 · 0.25 = 1 → 20
    expect(percentile(values, 0.25)).toBe(20);
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 1)).toBe(50);
  });

  it("averages the middle pair for an even count at the median", () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    // h = 3 · 0.95 = 2.85 → 3 + 0.85 · 1
    expect(percentile([4, 3, 2, 1], 0.95)).toBeCloseTo(3.85, 12);
  });

  it("matches NumPy's default on a longer series", () => {
    // numpy.percentile(range(1, 21), 95) == 19.05
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 0.95)).toBeCloseTo(19.05, 12);
  });

  it("returns the value for one value, null for none", () => {
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });

  it("does not reorder its input", () => {
    const values = [3, 1, 2];
    percentile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });

  it("rejects q outside [0, 1]", () => {
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
  });
});

describe("summarizeLatency", () => {
  it("gives mean, p50, p95, min and max", () => {
    expect(summarizeLatency([100, 200, 300, 400])).toEqual({ mean: 250, p50: 250, p95: 385, min: 100, max: 400 });
  });

  it("is all zeros for no latencies, never NaN", () => {
    expect(summarizeLatency([])).toEqual({ mean: 0, p50: 0, p95: 0, min: 0, max: 0 });
  });

  it("handles long series without spreading them onto the stack", () => {
    const values = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    const summary = summarizeLatency(values);
    expect(summary.min).toBe(0);
    expect(summary.max).toBe(999);
  });

  it("mean is null for no values", () => {
    expect(mean([])).toBeNull();
    expect(mean([1, 2])).toBe(1.5);
  });
});
