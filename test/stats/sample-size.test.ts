import { describe, expect, it } from "vitest";
import { newcombePairedInterval } from "../../src/stats/newcombe.js";
import type { PairedCounts } from "../../src/stats/paired.js";
import { estimateCasesToSettle } from "../../src/stats/sample-size.js";

const THRESHOLDS = [-5, 5, 15];

function scaledInterval(counts: PairedCounts, size: number) {
  const n = counts.both + counts.firstOnly + counts.secondOnly + counts.neither;
  const f = size / n;
  const interval = newcombePairedInterval({ both: counts.both * f, firstOnly: counts.firstOnly * f, secondOnly: counts.secondOnly * f, neither: counts.neither * f });
  return { lower: interval.lower * 100, upper: interval.upper * 100 };
}

const straddles = (interval: { lower: number; upper: number }) => THRESHOLDS.some((t) => interval.lower < t && t < interval.upper);

describe("estimateCasesToSettle", () => {
  it("reports nothing when the interval clears every threshold", () => {
    // 1000 cases, LoRA +30 points: the interval is far above 15.
    const estimate = estimateCasesToSettle({ both: 500, firstOnly: 320, secondOnly: 20, neither: 160 }, THRESHOLDS);
    expect(estimate).toEqual({ straddled: [], casesNeeded: null, unsettled: null });
  });

  it("lists the straddled thresholds and finds the smallest settling size", () => {
    // 50 cases, LoRA +10 points (8 vs 3 discordant): the interval spans 5 (and likely 15).
    const counts = { both: 30, firstOnly: 8, secondOnly: 3, neither: 9 };
    const estimate = estimateCasesToSettle(counts, THRESHOLDS);
    expect(estimate.straddled).toContain(5);
    expect(estimate.unsettled).toBeNull();
    const needed = estimate.casesNeeded as number;
    expect(needed).toBeGreaterThan(50);
    // Minimal: at the answer nothing is straddled, one case fewer something still is.
    expect(straddles(scaledInterval(counts, needed))).toBe(false);
    expect(straddles(scaledInterval(counts, needed - 1))).toBe(true);
  });

  it("lands near the normal-approximation sample size", () => {
    // Observed rates pb = 0.16, pc = 0.06 (delta +10), nearest threshold 5 (or 15), both 5 points away.
    const counts = { both: 30, firstOnly: 8, secondOnly: 3, neither: 9 };
    const pb = 8 / 50;
    const pc = 3 / 50;
    const variance = pb + pc - (pb - pc) ** 2;
    const normalApproximation = (1.959963984540054 ** 2 * variance) / 0.05 ** 2;
    const needed = estimateCasesToSettle(counts, THRESHOLDS).casesNeeded as number;
    expect(needed / normalApproximation).toBeGreaterThan(0.7);
    expect(needed / normalApproximation).toBeLessThan(1.5);
  });

  it("says no size settles a delta that sits exactly on a threshold", () => {
    // 1 more LoRA success in 20 cases is exactly +5 points.
    const estimate = estimateCasesToSettle({ both: 15, firstOnly: 2, secondOnly: 1, neither: 2 }, THRESHOLDS);
    expect(estimate.straddled).toContain(5);
    expect(estimate).toMatchObject({ casesNeeded: null, unsettled: "delta-on-threshold" });
  });

  it("gives up past the cap", () => {
    const estimate = estimateCasesToSettle({ both: 30, firstOnly: 8, secondOnly: 3, neither: 9 }, THRESHOLDS, 0.95, 100);
    expect(estimate).toMatchObject({ casesNeeded: null, unsettled: "beyond-max-cases" });
  });

  it("works for a suite with no disagreement at all", () => {
    // 10 cases, both arms right on all: the interval is ±~28 points around 0, so even 15 is inside.
    const estimate = estimateCasesToSettle({ both: 10, firstOnly: 0, secondOnly: 0, neither: 0 }, THRESHOLDS);
    expect(estimate.straddled).toEqual([-5, 5, 15]);
    expect(estimate.casesNeeded).toBeGreaterThan(10);
    expect(straddles(scaledInterval({ both: 10, firstOnly: 0, secondOnly: 0, neither: 0 }, estimate.casesNeeded as number))).toBe(false);
  });
});
