import { describe, expect, it } from "vitest";
import { DAYS_PER_MONTH, estimateCost, roundFigure, type MeasuredTokens } from "../src/cost.js";
import type { CostConfig } from "../src/types.js";

const PRICES = { inputPerMillion: 0.15, outputPerMillion: 0.6 };
const config = (overrides: Partial<CostConfig> = {}): CostConfig => ({ currency: "USD", fewShot: PRICES, lora: PRICES, fineTuneOneOff: 810, ...overrides });
const tokens = (fewShot: MeasuredTokens, lora: MeasuredTokens) => ({ few_shot: fewShot, lora });
const FEW = { promptTokensPerCall: 600, outputTokensPerCall: 2 };
const LORA = { promptTokensPerCall: 60, outputTokensPerCall: 2 };

const allNumbers = (value: unknown): number[] =>
  typeof value === "number" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(allNumbers) : [];

describe("estimateCost", () => {
  it("prices each arm per call, per day and per 30-day month, to the cent", () => {
    const cost = estimateCost(config(), 100_000, tokens(FEW, LORA));
    // few-shot: (600 · 0.15 + 2 · 0.60) / 1e6 = 0.0000912 per call
    expect(cost.fewShot.perCall).toBe(0.0000912);
    expect(cost.fewShot.perDay).toBe(9.12);
    expect(cost.fewShot.perMonth).toBe(273.6);
    // LoRA: (60 · 0.15 + 2 · 0.60) / 1e6 = 0.0000102 per call
    expect(cost.lora.perCall).toBe(0.0000102);
    expect(cost.lora.perDay).toBe(1.02);
    expect(cost.lora.perMonth).toBe(30.6);
    expect(cost.daysPerMonth).toBe(DAYS_PER_MONTH);
  });

  it("shows the few-shot arm's extra prompt tokens per call", () => {
    expect(estimateCost(config(), 1, tokens(FEW, LORA)).extraPromptTokensPerCall).toBe(540);
    expect(estimateCost(config(), 1, tokens(LORA, FEW)).extraPromptTokensPerCall).toBe(-540);
  });

  it("gives the cheaper arm's daily saving and the break-even days", () => {
    const cost = estimateCost(config(), 100_000, tokens(FEW, LORA));
    expect(cost.cheaperArm).toBe("lora");
    expect(cost.dailySaving).toBe(8.1);
    expect(cost.monthlySaving).toBe(243);
    expect(cost.fineTuneOneOff).toBe(810);
    expect(cost.breakEvenDays).toBe(100);
    expect(cost.noBreakEven).toBeNull();
  });

  it("uses each arm's own prices", () => {
    const cost = estimateCost(
      config({ fewShot: { inputPerMillion: 3, outputPerMillion: 15 }, lora: { inputPerMillion: 0.5, outputPerMillion: 1.5 }, fineTuneOneOff: 1000 }),
      20_000,
      tokens({ promptTokensPerCall: 1234.5, outputTokensPerCall: 3.25 }, { promptTokensPerCall: 80, outputTokensPerCall: 3.25 }),
    );
    // few-shot: (1234.5 · 3 + 3.25 · 15)/1e6 = 0.00375225 → 75.045/day → 2251.35/month
    expect(cost.fewShot.perCall).toBeCloseTo(0.00375225, 12);
    expect(cost.fewShot.perDay).toBeCloseTo(75.045, 9);
    expect(cost.fewShot.perMonth).toBeCloseTo(2251.35, 9);
    // LoRA: (80 · 0.5 + 3.25 · 1.5)/1e6 = 0.000044875 → 0.8975/day
    expect(cost.lora.perDay).toBeCloseTo(0.8975, 9);
    expect(cost.dailySaving).toBeCloseTo(74.1475, 9);
    expect(cost.breakEvenDays).toBeCloseTo(1000 / 74.1475, 9);
  });

  it("has no break-even when there is no one-off cost", () => {
    const cost = estimateCost(config({ fineTuneOneOff: undefined }), 100_000, tokens(FEW, LORA));
    expect(cost).toMatchObject({ fineTuneOneOff: null, breakEvenDays: null, noBreakEven: "no-one-off-cost", dailySaving: 8.1 });
  });

  it("has no break-even when the few-shot arm is cheaper", () => {
    const cost = estimateCost(config(), 100_000, tokens(LORA, FEW));
    expect(cost).toMatchObject({ cheaperArm: "few_shot", dailySaving: 8.1, breakEvenDays: null, noBreakEven: "few-shot-cheaper" });
  });

  it("has no break-even, and no NaN or Infinity, when nothing is saved", () => {
    for (const [calls, few] of [[100_000, LORA], [0, FEW]] as const) {
      const cost = estimateCost(config(), calls, tokens(few, LORA));
      expect(cost.breakEvenDays).toBeNull();
      expect(cost.noBreakEven).toBe("same-cost");
      expect(cost.dailySaving).toBe(0);
      expect(allNumbers(cost).every(Number.isFinite)).toBe(true);
    }
    expect(estimateCost(config(), 100_000, tokens(LORA, LORA)).cheaperArm).toBeNull();
  });

  it("breaks even at once for a free fine-tune", () => {
    expect(estimateCost(config({ fineTuneOneOff: 0 }), 100_000, tokens(FEW, LORA)).breakEvenDays).toBe(0);
  });

  it("is free at zero prices without dividing by zero", () => {
    const zero = { inputPerMillion: 0, outputPerMillion: 0 };
    const cost = estimateCost(config({ fewShot: zero, lora: zero }), 100_000, tokens(FEW, LORA));
    expect(cost.fewShot.perDay).toBe(0);
    expect(cost.breakEvenDays).toBeNull();
    expect(allNumbers(cost).every(Number.isFinite)).toBe(true);
  });

  it("rejects negative or non-finite inputs", () => {
    expect(() => estimateCost(config(), -1, tokens(FEW, LORA))).toThrow(RangeError);
    expect(() => estimateCost(config(), Number.NaN, tokens(FEW, LORA))).toThrow(RangeError);
    expect(() => estimateCost(config({ fineTuneOneOff: -5 }), 1, tokens(FEW, LORA))).toThrow(RangeError);
    expect(() => estimateCost(config({ lora: { inputPerMillion: Number.POSITIVE_INFINITY, outputPerMillion: 0 } }), 1, tokens(FEW, LORA))).toThrow(RangeError);
    expect(() => estimateCost(config(), 1, tokens({ promptTokensPerCall: -1, outputTokensPerCall: 0 }, LORA))).toThrow(RangeError);
  });
});

describe("roundFigure", () => {
  it("drops binary noise but keeps 12 significant digits", () => {
    expect(roundFigure(9.120000000000001)).toBe(9.12);
    expect(roundFigure(99.99999999999999)).toBe(100);
    expect(roundFigure(0.000010199999999999999)).toBe(0.0000102);
    expect(roundFigure(123456.789012345)).toBe(123456.789012);
    expect(roundFigure(0)).toBe(0);
  });
});
