// Number formatting shared by the verdict's reason and the renderers. Locale-independent on purpose:
// reports are compared across machines and pinned in tests.

function group(integerDigits: string): string {
  return integerDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Fixed decimals with thousands separators; "-0.0" is shown as "0.0". */
export function formatNumber(value: number, decimals = 0): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [integerPart = "0", fractionPart] = fixed.split(".");
  const isZero = /^[0.]*$/.test(fixed);
  const sign = value < 0 && !isZero ? "-" : "";
  return sign + group(integerPart) + (fractionPart === undefined ? "" : `.${fractionPart}`);
}

/** A whole number as is, anything else with one decimal: token means, counts. */
export function formatCount(value: number): string {
  return formatNumber(value, Number.isInteger(value) ? 0 : 1);
}

/** A fraction in [0, 1] as a percentage: 0.9 → "90.0%". */
export function formatPercent(fraction: number, decimals = 1): string {
  return `${formatNumber(fraction * 100, decimals)}%`;
}

/**
 * Percentage points with a sign. One decimal, unless that rounding would show a threshold the value is
 * not exactly at (4.96 is shown as "+4.96", not "+5.0"), so a reader never sees "5.0 … exceeds 5".
 */
export function formatPoints(points: number, thresholds: readonly number[] = [], signed = true): string {
  let decimals = 1;
  for (; decimals < 6; decimals += 1) {
    const shown = Number(points.toFixed(decimals));
    const misleading = thresholds.some((t) => shown === t && points !== t);
    if (!misleading) break;
  }
  const text = formatNumber(points, decimals);
  if (!signed) return text;
  return points > 0 && text !== formatNumber(0, decimals) ? `+${text}` : text;
}

/** A threshold as configured: 5 → "5", 7.5 → "7.5", 100000 → "100,000". */
export function formatThreshold(value: number): string {
  if (Number.isInteger(value)) return formatNumber(value, 0);
  const decimals = Math.min(10, (String(value).split(".")[1] ?? "").length);
  return formatNumber(value, decimals);
}

/** A p-value: three significant digits, scientific below 0.001, "1" for 1. */
export function formatPValue(p: number): string {
  if (p >= 1) return "1";
  if (p === 0) return "< 1e-300";
  if (p < 0.001) return p.toExponential(1);
  return String(Number(p.toPrecision(3)));
}

/** Money: two decimals with separators, or three significant digits (never an exponent) below a cent. */
export function formatMoney(amount: number, currency: string): string {
  const magnitude = Math.abs(amount);
  let text: string;
  if (magnitude === 0 || magnitude >= 0.01) text = formatNumber(amount, 2);
  else {
    const decimals = Math.min(20, 2 - Math.floor(Math.log10(magnitude)));
    text = amount.toFixed(decimals).replace(/0+$/, "");
  }
  return currency === "" ? text : `${text} ${currency}`;
}

/** Milliseconds: one decimal below 10 ms, whole above. */
export function formatMs(ms: number): string {
  return formatNumber(ms, Math.abs(ms) < 10 ? 1 : 0);
}

/** Days: one decimal. */
export function formatDays(days: number): string {
  return formatNumber(days, 1);
}

/** "a", "a and b", "a, b and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1] as string}`;
}

/** A threshold in points with its sign: "+5", "-5", "0". */
export function formatSignedThreshold(value: number): string {
  return `${value > 0 ? "+" : ""}${formatThreshold(value)}`;
}

/** A count and its noun, plural unless 1: "1 suite", "1,200 suites". */
export function formatCountOf(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? "" : "s"}`;
}
