// Settings that a run may impose on every suite (CLI flags, plugin options, Action inputs), applied after
// loading so that one suite file serves both a developer's run and a CI gate with other thresholds.
import { TunegateError } from "../errors.js";
import type { FailOn, MissPolicy, Suite } from "../types.js";

export interface SuiteOverrides {
  /** Production calls a day (replaces `volume.calls_per_day`). */
  callsPerDay?: number;
  withinPoints?: number;
  loraWinsPoints?: number;
  volumeThreshold?: number;
  failOn?: FailOn;
  misses?: MissPolicy;
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

/** What is wrong with override values on their own (how they combine with a suite is checked on applying them). */
export function checkSuiteOverrides(overrides: SuiteOverrides): string | undefined {
  const numbers: Array<[string, number | undefined]> = [
    ["volume", overrides.callsPerDay],
    ["within-points", overrides.withinPoints],
    ["lora-wins-points", overrides.loraWinsPoints],
    ["volume-threshold", overrides.volumeThreshold],
  ];
  for (const [name, value] of numbers) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) return `${name} must be a number ≥ 0, got ${value}`;
  }
  return undefined;
}
