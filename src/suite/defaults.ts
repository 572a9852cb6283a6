// The values a suite gets for keys it leaves out, and the numbers behind the recommendations. The defaults
// are the schema's own `default`s (what editors show suite authors), read here under the loader's names.
import { basename } from "node:path";
import { suiteSchema } from "./schema.js";

const { properties: keys } = suiteSchema;
const gate = keys.gate.properties;

/** The defaults of every optional suite key. */
export const SUITE_DEFAULTS = {
  inputPrefix: keys.few_shot.properties.input_prefix.default,
  outputPrefix: keys.few_shot.properties.output_prefix.default,
  loraScale: keys.lora.properties.scale.default,
  scoring: keys.scoring.default,
  lengthNormalize: keys.length_normalize.default,
  // Not a schema default: a suite without `volume` gets 0 with a warning (checks.ts), so that leaving the
  // volume out never makes the gate recommend the fine-tune.
  callsPerDay: 0,
  currency: keys.cost.properties.currency.default,
  gate: {
    withinPoints: gate.within_points.default,
    loraWinsPoints: gate.lora_wins_points.default,
    volumeThreshold: gate.volume_threshold.default,
    failOn: gate.fail_on.default,
  },
  misses: keys.misses.default,
  must: keys.cases.items.properties.must.default,
} as const;

/** Fewer few-shot examples than this, or more than EXAMPLES_MAX, get a warning. */
export const EXAMPLES_MIN = 3;
export const EXAMPLES_MAX = 10;

/** `customer-messages.cases.yaml` → `customer-messages`. */
export function defaultSuiteName(file: string): string {
  return basename(file).replace(/(\.cases)?\.ya?ml$/i, "");
}
