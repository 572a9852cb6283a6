// JSON that keeps every number: JSON.stringify writes Infinity, -Infinity and NaN as null, which would turn a
// log-probability of -Infinity into something else on the way through a generated module or a blob report.
// Such a number is written as { "$number": "-Infinity" } and read back as the number.

const TAG = "$number";
const NON_FINITE = new Set(["Infinity", "-Infinity", "NaN"]);

/** A JSON-safe copy of `value`: plain data, non-finite numbers tagged. */
export function encodeNumbers<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? { [TAG]: String(v) } : v)));
}

/** Undoes encodeNumbers on data that went through JSON (or a structured clone). */
export function decodeNumbers<T>(value: unknown): T {
  return revive(value) as T;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === TAG && typeof entries[0]![1] === "string" && NON_FINITE.has(entries[0]![1])) return Number(entries[0]![1]);
  return Object.fromEntries(entries.map(([key, v]) => [key, revive(v)]));
}
