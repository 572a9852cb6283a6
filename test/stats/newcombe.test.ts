import { describe, expect, it } from "vitest";
import { newcombePairedInterval, newcombePhi } from "../../src/stats/newcombe.js";
import { zForLevel } from "../../src/stats/normal.js";
import type { PairedCounts } from "../../src/stats/paired.js";
import { wilsonInterval } from "../../src/stats/wilson.js";
import { mulberry32 } from "./prng.js";

const Z = 1.959963984540054;

/** Wilson limits found by bisection on the score equation (p̂ − p)² = z²·p(1 − p)/n: no closed form used. */
function wilsonByBisection(x: number, n: number, z: number): { lower: number; upper: number } {
  const phat = x / n;
  const outside = (p: number): boolean => (phat - p) ** 2 > (z * z * p * (1 - p)) / n;
  const solve = (inside: number, out: number): number => {
    let a = inside;
    let b = out;
    for (let i = 0; i < 200; i += 1) {
      const mid = (a + b) / 2;
      if (outside(mid)) b = mid;
      else a = mid;
    }
    return (a + b) / 2;
  };
  return { lower: x === 0 ? 0 : solve(phat, 0), upper: x === n ? 1 : solve(phat, 1) };
}

/** Newcombe method 10 spelled out from the paper's definitions, on bisection Wilson limits. */
function newcombeReference(t: PairedCounts): { lower: number; upper: number } {
  const n = t.both + t.firstOnly + t.secondOnly + t.neither;
  const x1 = t.both + t.firstOnly;
  const x2 = t.both + t.secondOnly;
  const w1 = wilsonByBisection(x1, n, Z);
  const w2 = wilsonByBisection(x2, n, Z);
  const p1 = x1 / n;
  const p2 = x2 / n;
  const e = (t.both + t.firstOnly) * (t.secondOnly + t.neither) * (t.both + t.secondOnly) * (t.firstOnly + t.neither);
  const ad_bc = t.both * t.neither - t.firstOnly * t.secondOnly;
  const phi = e === 0 ? 0 : (ad_bc > n / 2 ? ad_bc - n / 2 : ad_bc < 0 ? ad_bc : 0) / Math.sqrt(e);
  const theta = p1 - p2;
  const delta = Math.sqrt((p1 - w1.lower) ** 2 - 2 * phi * (p1 - w1.lower) * (w2.upper - p2) + (w2.upper - p2) ** 2);
  const epsilon = Math.sqrt((w1.upper - p1) ** 2 - 2 * phi * (w1.upper - p1) * (p2 - w2.lower) + (p2 - w2.lower) ** 2);
  return { lower: theta - delta, upper: theta + epsilon };
}

describe("wilsonInterval", () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", worked examples.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("%i/%i → %f to %f", (x, n, lower, upper) => {
    const interval = wilsonInterval(x, n, Z);
    expect(interval.lower).toBeCloseTo(lower, 4);
    expect(interval.upper).toBeCloseTo(upper, 4);
  });

  it("agrees with the score equation solved by bisection", () => {
    for (const [x, n] of [[0, 1], [1, 1], [3, 7], [50, 100], [99, 100], [2, 1000], [7, 7]] as const) {
      const closed = wilsonInterval(x, n, Z);
      const solved = wilsonByBisection(x, n, Z);
      expect(closed.lower).toBeCloseTo(solved.lower, 12);
      expect(closed.upper).toBeCloseTo(solved.upper, 12);
    }
  });

  it("rejects impossible counts", () => {
    expect(() => wilsonInterval(1, 0, Z)).toThrow(RangeError);
    expect(() => wilsonInterval(5, 4, Z)).toThrow(RangeError);
  });
});

describe("newcombePhi", () => {
  it("is 0 when a margin is empty", () => {
    expect(newcombePhi({ both: 10, firstOnly: 0, secondOnly: 0, neither: 0 })).toBe(0);
    expect(newcombePhi({ both: 0, firstOnly: 0, secondOnly: 3, neither: 7 })).toBe(0);
  });

  it("shrinks a positive cross-product difference by n/2 and floors it at 0", () => {
    // ad − bc = 4·4 − 1·1 = 15, n = 10 → (15 − 5)/√(5·5·5·5) = 10/25
    expect(newcombePhi({ both: 4, firstOnly: 1, secondOnly: 1, neither: 4 })).toBeCloseTo(0.4, 15);
    // ad − bc = 3·2 − 2·2 = 2 ≤ n/2 = 4.5 → 0
    expect(newcombePhi({ both: 3, firstOnly: 2, secondOnly: 2, neither: 2 })).toBe(0);
  });

  it("keeps a negative cross-product difference as it is", () => {
    // ad − bc = 1·1 − 4·4 = −15 → −15/√(5·5·5·5) = −0.6
    expect(newcombePhi({ both: 1, firstOnly: 4, secondOnly: 4, neither: 1 })).toBeCloseTo(-0.6, 15);
  });
});

describe("newcombePairedInterval", () => {
  it("reproduces the published worked example (Cavo et al. 2012 data, Fagerland, Lydersen & Laake, ch. 8)", () => {
    // Paired 2×2 [[59, 6], [16, 80]]: estimate −0.0621, 95% CI −0.1186 to −0.0046.
    const interval = newcombePairedInterval({ both: 59, firstOnly: 6, secondOnly: 16, neither: 80 });
    expect(interval.estimate).toBeCloseTo(-0.0621, 4);
    expect(interval.lower).toBeCloseTo(-0.1186, 4);
    expect(interval.upper).toBeCloseTo(-0.0046, 4);
    expect(interval.method).toBe("newcombe-paired-hybrid-score");
  });

  it("agrees with an independent computation from the paper's definitions", () => {
    const tables: PairedCounts[] = [
      { both: 59, firstOnly: 6, secondOnly: 16, neither: 80 },
      { both: 1, firstOnly: 1, secondOnly: 7, neither: 12 },
      { both: 36, firstOnly: 12, secondOnly: 2, neither: 0 },
      { both: 0, firstOnly: 0, secondOnly: 0, neither: 10 },
      { both: 10, firstOnly: 0, secondOnly: 0, neither: 0 },
      { both: 3, firstOnly: 5, secondOnly: 0, neither: 2 },
      { both: 40, firstOnly: 9, secondOnly: 1, neither: 50 },
      { both: 1, firstOnly: 20, secondOnly: 20, neither: 1 },
    ];
    for (const table of tables) {
      const interval = newcombePairedInterval(table);
      const reference = newcombeReference(table);
      expect(interval.lower).toBeCloseTo(Math.max(-1, reference.lower), 7);
      expect(interval.upper).toBeCloseTo(Math.min(1, reference.upper), 7);
    }
  });

  it("negates when the arms are swapped", () => {
    const table = { both: 30, firstOnly: 11, secondOnly: 4, neither: 5 };
    const swapped = { both: 30, firstOnly: 4, secondOnly: 11, neither: 5 };
    const a = newcombePairedInterval(table);
    const b = newcombePairedInterval(swapped);
    expect(b.lower).toBeCloseTo(-a.upper, 12);
    expect(b.upper).toBeCloseTo(-a.lower, 12);
  });

  it("is a proper interval around the estimate, inside [−1, 1], and never degenerate", () => {
    const tables: PairedCounts[] = [
      { both: 0, firstOnly: 1, secondOnly: 0, neither: 0 },
      { both: 0, firstOnly: 0, secondOnly: 1, neither: 0 },
      { both: 0, firstOnly: 5, secondOnly: 0, neither: 0 },
      { both: 20, firstOnly: 0, secondOnly: 0, neither: 0 },
      { both: 0, firstOnly: 0, secondOnly: 0, neither: 20 },
    ];
    for (const table of tables) {
      const interval = newcombePairedInterval(table);
      expect(interval.lower).toBeGreaterThanOrEqual(-1);
      expect(interval.upper).toBeLessThanOrEqual(1);
      expect(interval.lower).toBeLessThanOrEqual(interval.estimate);
      expect(interval.upper).toBeGreaterThanOrEqual(interval.estimate);
      expect(interval.upper - interval.lower).toBeGreaterThan(0.05);
    }
  });

  it("narrows as the sample grows", () => {
    const widths = [1, 4, 16, 64].map((k) => {
      const interval = newcombePairedInterval({ both: 30 * k, firstOnly: 8 * k, secondOnly: 4 * k, neither: 8 * k });
      return interval.upper - interval.lower;
    });
    for (let i = 1; i < widths.length; i += 1) expect(widths[i]).toBeLessThan(widths[i - 1] as number);
  });

  it("honours the confidence level", () => {
    const table = { both: 30, firstOnly: 11, secondOnly: 4, neither: 5 };
    const at95 = newcombePairedInterval(table, 0.95);
    const at99 = newcombePairedInterval(table, 0.99);
    expect(at99.lower).toBeLessThan(at95.lower);
    expect(at99.upper).toBeGreaterThan(at95.upper);
    expect(zForLevel(at99.level)).toBeCloseTo(2.5758293035489, 8);
  });

  it("rejects an empty table", () => {
    expect(() => newcombePairedInterval({ both: 0, firstOnly: 0, secondOnly: 0, neither: 0 })).toThrow(RangeError);
  });

  describe("coverage by simulation (seeded)", () => {
    function coverage(n: number, probabilities: [number, number, number, number], seed: number, trials = 2000): number {
      const random = mulberry32(seed);
      const truth = probabilities[1] - probabilities[2];
      let covered = 0;
      for (let trial = 0; trial < trials; trial += 1) {
        const table = { both: 0, firstOnly: 0, secondOnly: 0, neither: 0 };
        for (let i = 0; i < n; i += 1) {
          const u = random();
          if (u < probabilities[0]) table.both += 1;
          else if (u < probabilities[0] + probabilities[1]) table.firstOnly += 1;
          else if (u < probabilities[0] + probabilities[1] + probabilities[2]) table.secondOnly += 1;
          else table.neither += 1;
        }
        const interval = newcombePairedInterval(table);
        if (interval.lower <= truth && truth <= interval.upper) covered += 1;
      }
      return covered / trials;
    }

    it.each([
      ["typical suite, LoRA ahead", 100, [0.6, 0.15, 0.08, 0.17], 1],
      ["small suite", 40, [0.55, 0.2, 0.1, 0.15], 2],
      ["both arms accurate", 200, [0.85, 0.06, 0.03, 0.06], 3],
      ["no true difference", 150, [0.5, 0.1, 0.1, 0.3], 4],
    ] as const)("%s: n=%i coverage within [0.93, 0.97]", (_name, n, probabilities, seed) => {
      const rate = coverage(n, [...probabilities] as [number, number, number, number], seed);
      expect(rate).toBeGreaterThanOrEqual(0.93);
      expect(rate).toBeLessThanOrEqual(0.97);
    });

    it("a Wald interval on the same draws would be caught under-covering (the check can fail)", () => {
      // Guard that the simulation discriminates: Wald at n=20 with rare discordance covers well under 93 %.
      const random = mulberry32(5);
      const truth = 0.05;
      let covered = 0;
      for (let trial = 0; trial < 2000; trial += 1) {
        let b = 0;
        let c = 0;
        for (let i = 0; i < 20; i += 1) {
          const u = random();
          if (u < 0.06) b += 1;
          else if (u < 0.07) c += 1;
        }
        const d = (b - c) / 20;
        const se = Math.sqrt(b + c - (b - c) ** 2 / 20) / 20;
        if (d - Z * se <= truth && truth <= d + Z * se) covered += 1;
      }
      expect(covered / 2000).toBeLessThan(0.93);
    });
  });
});
