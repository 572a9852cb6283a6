import { describe, expect, it } from "vitest";
import {
  formatCount,
  formatCountOf,
  formatDays,
  formatMoney,
  formatMs,
  formatNumber,
  formatPercent,
  formatPoints,
  formatPValue,
  formatSignedThreshold,
  formatThreshold,
  listInWords,
} from "../../src/text/format.js";

describe("number formatting", () => {
  it("groups thousands and fixes decimals, without locale", () => {
    expect(formatNumber(1234567.891, 2)).toBe("1,234,567.89");
    expect(formatNumber(-1234.5, 1)).toBe("-1,234.5");
    expect(formatNumber(-0.04, 1)).toBe("0.0");
    expect(formatNumber(999, 0)).toBe("999");
    expect(formatCount(100000)).toBe("100,000");
    expect(formatCount(412.25)).toBe("412.3");
  });

  it("formats fractions as percentages", () => {
    expect(formatPercent(0.9)).toBe("90.0%");
    expect(formatPercent(2 / 3)).toBe("66.7%");
    expect(formatPercent(1)).toBe("100.0%");
  });

  it("signs points and avoids showing a threshold the value is not at", () => {
    expect(formatPoints(5)).toBe("+5.0");
    expect(formatPoints(-5)).toBe("-5.0");
    expect(formatPoints(0)).toBe("0.0");
    expect(formatPoints(-0.01)).toBe("0.0");
    expect(formatPoints(4.96, [5, -5, 15])).toBe("+4.96");
    expect(formatPoints(5.04, [5, -5, 15])).toBe("+5.04");
    expect(formatPoints(-4.999, [5, -5, 15])).toBe("-4.999");
    expect(formatPoints(5, [5, -5, 15])).toBe("+5.0");
    expect(formatPoints(4.96, [5], false)).toBe("4.96");
  });

  it("prints thresholds as written", () => {
    expect(formatThreshold(5)).toBe("5");
    expect(formatThreshold(7.5)).toBe("7.5");
    expect(formatThreshold(100000)).toBe("100,000");
    expect(formatSignedThreshold(5)).toBe("+5");
    expect(formatSignedThreshold(-5)).toBe("-5");
    expect(formatSignedThreshold(0)).toBe("0");
  });

  it("prints p-values readably", () => {
    expect(formatPValue(1)).toBe("1");
    expect(formatPValue(0.0625)).toBe("0.0625");
    expect(formatPValue(0.123101)).toBe("0.123");
    expect(formatPValue(0.00021)).toBe("2.1e-4");
    expect(formatPValue(0)).toBe("< 1e-300");
  });

  it("prints money to the cent, and sub-cent amounts with three significant digits", () => {
    expect(formatMoney(9.12, "USD")).toBe("9.12 USD");
    expect(formatMoney(1234.5, "EUR")).toBe("1,234.50 EUR");
    expect(formatMoney(0.0000912, "USD")).toBe("0.0000912 USD");
    expect(formatMoney(0.000000102, "")).toBe("0.000000102");
    expect(formatMoney(0, "USD")).toBe("0.00 USD");
    expect(formatMoney(0.005, "USD")).toBe("0.005 USD");
  });

  it("prints durations", () => {
    expect(formatMs(3.14159)).toBe("3.1");
    expect(formatMs(12345.6)).toBe("12,346");
    expect(formatDays(99.99)).toBe("100.0");
  });

  it("joins lists in words", () => {
    expect(listInWords([])).toBe("");
    expect(listInWords(["a"])).toBe("a");
    expect(listInWords(["a", "b"])).toBe("a and b");
    expect(listInWords(["a", "b", "c"])).toBe("a, b and c");
  });
});

describe("formatCountOf", () => {
  it("puts the noun in the plural unless the count is 1, and groups thousands", () => {
    expect(formatCountOf(0, "suite")).toBe("0 suites");
    expect(formatCountOf(1, "suite")).toBe("1 suite");
    expect(formatCountOf(2, "test file")).toBe("2 test files");
    expect(formatCountOf(1200, "case")).toBe("1,200 cases");
  });
});
