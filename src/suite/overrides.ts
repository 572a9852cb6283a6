// Settings that a run may impose on every suite (CLI flags, plugin options, Action inputs), applied after
// loading so that one suite file serves both a developer's run and a CI gate with other thresholds.
// They are checked here, against the suite schema's own definitions of the keys they replace, so that a value
// the YAML may not hold is refused as a flag, an option or an input too; the entry points only convert text.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { TunegateError } from "../errors.js";
import type { FailOn, MissPolicy, Suite } from "../types.js";
import { suiteSchema } from "./schema.js";

export interface SuiteOverrides {
  /** Production calls a day (replaces `volume.calls_per_day`). */
  callsPerDay?: number;
  withinPoints?: number;
  loraWinsPoints?: number;
  volumeThreshold?: number;
  failOn?: FailOn;
  misses?: MissPolicy;
}

export type OverrideKey = keyof SuiteOverrides;

/** The suite key each override replaces, as the schema defines it. */
const OVERRIDE_SCHEMAS = {
  callsPerDay: suiteSchema.properties.volume.properties.calls_per_day,
  withinPoints: suiteSchema.properties.gate.properties.within_points,
  loraWinsPoints: suiteSchema.properties.gate.properties.lora_wins_points,
  volumeThreshold: suiteSchema.properties.gate.properties.volume_threshold,
  failOn: suiteSchema.properties.gate.properties.fail_on,
  misses: suiteSchema.properties.misses,
} as const satisfies Record<OverrideKey, object>;

/** Each override's name as a `tunegate run` flag (after `--`) and as an Action input. */
export const OVERRIDE_OPTIONS = {
  callsPerDay: "volume",
  withinPoints: "within-points",
  loraWinsPoints: "lora-wins-points",
  volumeThreshold: "volume-threshold",
  failOn: "fail-on",
  misses: "misses",
} as const satisfies Record<OverrideKey, string>;

const OVERRIDE_KEYS = Object.keys(OVERRIDE_SCHEMAS) as OverrideKey[];

export type OverrideProblem =
  /** One value outside what the suite key allows. */
  | { kind: "value"; key: OverrideKey; value: unknown; allowed: string }
  /** Both thresholds given, in the wrong order: the gray zone between them would be empty. */
  | { kind: "order"; withinPoints: number; loraWinsPoints: number };

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ strict: true, allErrors: true }).compile({ type: "object", properties: OVERRIDE_SCHEMAS });
  return compiled;
}

export type NumberOverrideKey = Exclude<OverrideKey, "failOn" | "misses">;

function range(schema: { minimum?: number; maximum?: number }): string {
  if (schema.minimum !== undefined && schema.maximum !== undefined) return `from ${schema.minimum} to ${schema.maximum}`;
  return schema.minimum !== undefined ? `≥ ${schema.minimum}` : "";
}

/** What a number override may be, e.g. `from 0 to 100` or `≥ 0`, as the schema says. */
export function overrideRange(key: NumberOverrideKey): string {
  return range(OVERRIDE_SCHEMAS[key]);
}

function allowed(key: OverrideKey): string {
  const schema = OVERRIDE_SCHEMAS[key];
  return "enum" in schema ? `one of ${schema.enum.join(", ")}` : `a number ${range(schema)}`;
}

/**
 * Every override that is not what its suite key allows, in OVERRIDE_OPTIONS order; empty when all are fine.
 * Keys other than the overrides' (the plugin's other options) are not looked at; `undefined` means not given.
 */
export function checkSuiteOverrides(overrides: Readonly<Partial<Record<OverrideKey, unknown>>>): OverrideProblem[] {
  const given = Object.fromEntries(OVERRIDE_KEYS.filter((key) => overrides[key] !== undefined).map((key) => [key, overrides[key]]));
  const validate = validator();
  if (!validate(given)) {
    const wrong = new Set((validate.errors ?? []).map((e) => e.instancePath.slice(1)));
    return OVERRIDE_KEYS.filter((key) => wrong.has(key)).map((key) => ({ kind: "value", key, value: given[key], allowed: allowed(key) }));
  }
  const { withinPoints, loraWinsPoints } = given as SuiteOverrides;
  if (withinPoints !== undefined && loraWinsPoints !== undefined && withinPoints >= loraWinsPoints) {
    return [{ kind: "order", withinPoints, loraWinsPoints }];
  }
  return [];
}

export function applySuiteOverrides(suite: Suite, overrides: SuiteOverrides = {}): Suite {
  const gate = {
    withinPoints: overrides.withinPoints ?? suite.gate.withinPoints,
    loraWinsPoints: overrides.loraWinsPoints ?? suite.gate.loraWinsPoints,
    volumeThreshold: overrides.volumeThreshold ?? suite.gate.volumeThreshold,
    failOn: overrides.failOn ?? suite.gate.failOn,
  };
  if (gate.withinPoints >= gate.loraWinsPoints) {
    throw new TunegateError(
      "BAD_OVERRIDE",
      `with the overrides, ${suite.name} would have within-points ${gate.withinPoints} ≥ lora-wins-points ${gate.loraWinsPoints}`,
      { hint: "the gray zone lies between them: keep within-points below lora-wins-points", location: { file: suite.file, line: 1, column: 1 } },
    );
  }
  return {
    ...suite,
    volume: { callsPerDay: overrides.callsPerDay ?? suite.volume.callsPerDay },
    gate,
    misses: overrides.misses ?? suite.misses,
  };
}
