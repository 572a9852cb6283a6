// The values a suite gets for keys it leaves out, and the numbers behind the recommendations; the schema's
// descriptions document the same values for suite authors.
import { basename } from "node:path";

/** The defaults of every optional suite key, as the schema documents them. */
export const SUITE_DEFAULTS = {
  inputPrefix: "Input",
  outputPrefix: "Output",
  loraScale: 1,
  scoring: "logprob",
  lengthNormalize: false,
  callsPerDay: 0,
  currency: "USD",
  gate: { withinPoints: 5, loraWinsPoints: 15, volumeThreshold: 100_000, failOn: "fine-tune" },
  misses: "warn",
  must: false,
} as const;

/** Fewer few-shot examples than this, or more than EXAMPLES_MAX, get a warning. */
export const EXAMPLES_MIN = 3;
export const EXAMPLES_MAX = 10;

/** `customer-messages.cases.yaml` → `customer-messages`. */
export function defaultSuiteName(file: string): string {
  return basename(file).replace(/(\.cases)?\.ya?ml$/i, "");
}
