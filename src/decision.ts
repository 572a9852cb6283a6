import { compareDeltaToThreshold, deltaPoints } from "./stats/delta.js";
import { ARMS, type ArmName, type ArmRun, type FailOn, type GateConfig, type SuiteCase } from "./types.js";

export const VERDICTS = ["ship-prompt", "fine-tune", "lora-wins-low-volume", "gray-zone", "prompt-wins"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Ordered from best to worst. */
export const GATE_OUTCOMES = ["pass", "warn", "fail"] as const;
export type GateOutcome = (typeof GATE_OUTCOMES)[number];

export type VerdictThresholds = Pick<GateConfig, "withinPoints" | "loraWinsPoints" | "volumeThreshold">;

/** The deltas, in points, at which the verdict changes: −within, +within and lora_wins. */
export function verdictBoundaries(thresholds: Pick<VerdictThresholds, "withinPoints" | "loraWinsPoints">): number[] {
  return [-thresholds.withinPoints, thresholds.withinPoints, thresholds.loraWinsPoints];
}

export interface VerdictInput {
  fewShotCorrect: number;
  loraCorrect: number;
  /** Cases both arms ran (the same cases). */
  total: number;
  callsPerDay: number;
  thresholds: VerdictThresholds;
}

/**
 * The article's rule, on the exact delta (see stats/delta.ts for why it is compared in integers):
 * |delta| ≤ within → ship-prompt; delta < −within → prompt-wins; delta ≥ lora_wins → fine-tune when the
 * volume reaches the threshold, else lora-wins-low-volume; anything between within and lora_wins → gray-zone.
 */
export function decideVerdict(input: VerdictInput): Verdict {
  const { withinPoints, loraWinsPoints, volumeThreshold } = input.thresholds;
  const difference = input.loraCorrect - input.fewShotCorrect;
  const vsWithin = compareDeltaToThreshold(difference, input.total, withinPoints);
  const vsMinusWithin = compareDeltaToThreshold(difference, input.total, -withinPoints);
  if (vsWithin <= 0 && vsMinusWithin >= 0) return "ship-prompt";
  if (vsMinusWithin < 0) return "prompt-wins";
  if (compareDeltaToThreshold(difference, input.total, loraWinsPoints) >= 0) {
    return input.callsPerDay >= volumeThreshold ? "fine-tune" : "lora-wins-low-volume";
  }
  return "gray-zone";
}

/** The gate a verdict alone implies under `fail_on`. */
export function gateForVerdict(verdict: Verdict, failOn: FailOn): GateOutcome {
  switch (verdict) {
    case "ship-prompt":
    case "prompt-wins":
      return "pass";
    case "fine-tune":
      return failOn === "never" ? "warn" : "fail";
    case "gray-zone":
      return failOn === "gray-zone" ? "fail" : "warn";
    case "lora-wins-low-volume":
      return "warn";
  }
}

/** A `must: true` case that at least one arm got wrong. */
export interface MustMiss {
  index: number;
  input: string;
  expected: string;
  file: string;
  line: number;
  /** The arms that missed it. */
  arms: ArmName[];
}

/** Must cases either arm missed; either arm, because a must case is a requirement of whatever ships. */
export function findMustMisses(
  cases: readonly SuiteCase[],
  arms: Record<ArmName, Pick<ArmRun, "cases">>,
  displayPath: (file: string) => string = (file) => file,
): MustMiss[] {
  const misses: MustMiss[] = [];
  for (const suiteCase of cases) {
    if (!suiteCase.must) continue;
    const missedBy = ARMS.filter((arm) => arms[arm].cases[suiteCase.index]?.correct !== true);
    if (missedBy.length === 0) continue;
    misses.push({
      index: suiteCase.index,
      input: suiteCase.input,
      expected: suiteCase.expected,
      file: displayPath(suiteCase.location.file),
      line: suiteCase.location.line,
      arms: missedBy,
    });
  }
  return misses;
}

/** The verdict's gate, made `fail` by any missed must case. */
export function decideGate(verdict: Verdict, failOn: FailOn, mustMisses: readonly MustMiss[]): GateOutcome {
  return mustMisses.length > 0 ? "fail" : gateForVerdict(verdict, failOn);
}

/** The worst of several gates (fail > warn > pass); no gates at all warn, since nothing was measured. */
export function worstGate(gates: readonly GateOutcome[]): GateOutcome {
  if (gates.length === 0) return "warn";
  return gates.reduce((worst, gate) => (GATE_OUTCOMES.indexOf(gate) > GATE_OUTCOMES.indexOf(worst) ? gate : worst), "pass");
}

export interface DecisionInput extends VerdictInput {
  failOn: FailOn;
  mustMisses?: readonly MustMiss[];
}

/** What a decision rests on: the counts and thresholds the rule compared, and the must cases missed. */
export interface DecisionReason extends VerdictInput {
  mustMisses: readonly MustMiss[];
}

export interface Decision {
  verdict: Verdict;
  gate: GateOutcome;
  deltaPoints: number;
  /** The facts behind the verdict and the gate; report/wording.ts says them in a sentence. */
  reason: DecisionReason;
}

/** The verdict, its gate, and what they rest on. */
export function decide(input: DecisionInput): Decision {
  const { fewShotCorrect, loraCorrect, total, callsPerDay, thresholds, failOn } = input;
  const verdict = decideVerdict(input);
  const mustMisses = input.mustMisses ?? [];
  return {
    verdict,
    gate: decideGate(verdict, failOn, mustMisses),
    deltaPoints: deltaPoints(fewShotCorrect, loraCorrect, total),
    reason: { fewShotCorrect, loraCorrect, total, callsPerDay, thresholds, mustMisses },
  };
}
