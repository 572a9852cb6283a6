import type { CostEstimate } from "./cost.js";
import { formatCount, formatDays, formatMoney, formatPercent, formatPoints, formatSignedThreshold, formatThreshold, listInWords } from "./text/format.js";
import { compareDeltaToThreshold, deltaPoints } from "./stats/delta.js";
import type { SettleEstimate } from "./stats/sample-size.js";
import { ARM_DISPLAY, ARMS, type ArmName, type ArmRun, type FailOn, type GateConfig, type SuiteCase } from "./types.js";

export const VERDICTS = ["ship-prompt", "fine-tune", "lora-wins-low-volume", "gray-zone", "prompt-wins"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Ordered from best to worst. */
export const GATE_OUTCOMES = ["pass", "warn", "fail"] as const;
export type GateOutcome = (typeof GATE_OUTCOMES)[number];

export type VerdictThresholds = Pick<GateConfig, "withinPoints" | "loraWinsPoints" | "volumeThreshold">;

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
  /** The interval for delta, quoted in the reason. */
  interval?: { lowerPoints: number; upperPoints: number; level: number };
  /** Whether the interval straddles a threshold, quoted in the reason. */
  settle?: SettleEstimate;
  /** Cost figures, quoted when LoRA wins at low volume. */
  cost?: CostEstimate | null;
}

export interface Decision {
  verdict: Verdict;
  gate: GateOutcome;
  deltaPoints: number;
  /** One sentence, quoting the numbers behind the verdict (and any missed must case). */
  reason: string;
}

function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function costClause(cost: CostEstimate | null | undefined): string {
  if (!cost) return "";
  if (cost.cheaperArm !== "lora") return `; the few-shot arm costs no more per call (${formatMoney(cost.fewShot.perDay, cost.currency)}/day vs ${formatMoney(cost.lora.perDay, cost.currency)}/day)`;
  const saving = `LoRA would save ${formatMoney(cost.dailySaving, cost.currency)}/day`;
  if (cost.breakEvenDays === null || cost.fineTuneOneOff === null) return `; ${saving}`;
  return `; ${saving}, repaying the ${formatMoney(cost.fineTuneOneOff, cost.currency)} fine-tune in ${formatDays(cost.breakEvenDays)} days`;
}

function settleClause(settle: SettleEstimate | undefined): string {
  if (!settle || settle.straddled.length === 0) return "";
  const which = listInWords(settle.straddled.map(formatSignedThreshold));
  const plural = settle.straddled.length > 1 ? "thresholds" : "threshold";
  const subject = `the interval straddles the ${which}-point ${plural}`;
  if (settle.casesNeeded !== null) return `; ${subject}, and about ${formatCount(settle.casesNeeded)} cases would settle it`;
  if (settle.unsettled === "delta-on-threshold") return `; ${subject}, and with the delta exactly on it no number of cases settles it`;
  return `; ${subject}, and even 10,000,000 cases at these rates would not settle it`;
}

function mustClause(misses: readonly MustMiss[] | undefined): string {
  if (!misses || misses.length === 0) return "";
  const shown = misses.slice(0, 3).map((miss) => `"${excerpt(miss.input, 40)}" at ${miss.file}:${miss.line} (missed by ${miss.arms.map((arm) => ARM_DISPLAY[arm]).join(" and ")})`);
  const more = misses.length > shown.length ? ` and ${misses.length - shown.length} more` : "";
  const noun = misses.length === 1 ? "a must case was" : `${misses.length} must cases were`;
  return `; the gate fails because ${noun} missed: ${shown.join(", ")}${more}`;
}

/** The verdict, its gate, and the one-sentence reason. */
export function decide(input: DecisionInput): Decision {
  const verdict = decideVerdict(input);
  const mustMisses = input.mustMisses ?? [];
  const gate = decideGate(verdict, input.failOn, mustMisses);
  const delta = deltaPoints(input.fewShotCorrect, input.loraCorrect, input.total);
  const { withinPoints, loraWinsPoints, volumeThreshold } = input.thresholds;
  const thresholds = [withinPoints, -withinPoints, loraWinsPoints];
  const within = formatThreshold(withinPoints);
  const loraWins = formatThreshold(loraWinsPoints);
  const volume = formatThreshold(volumeThreshold);
  const calls = formatThreshold(input.callsPerDay);
  const plural = input.total === 1 ? "case" : "cases";
  const scores = `LoRA scored ${formatPercent(input.loraCorrect / input.total)} and few-shot ${formatPercent(input.fewShotCorrect / input.total)} on the same ${formatCount(input.total)} ${plural}`;
  const interval = input.interval
    ? ` (${Math.round(input.interval.level * 100)}% CI ${formatPoints(input.interval.lowerPoints)} to ${formatPoints(input.interval.upperPoints)})`
    : "";
  const signedDelta = `${formatPoints(delta, thresholds)} points${interval}`;
  const magnitude = `${formatPoints(Math.abs(delta), thresholds, false)} points${interval}`;

  let body: string;
  switch (verdict) {
    case "ship-prompt":
      body = `${scores}, a difference of ${signedDelta} within ±${within}, so ship the prompt`;
      break;
    case "prompt-wins":
      body = `${scores}: LoRA trails by ${magnitude}, more than ${within}, so the adapter underperforms and the prompt ships`;
      break;
    case "fine-tune":
      body = `${scores}: LoRA leads by ${magnitude}, at least ${loraWins}, and ${calls} calls a day reaches the ${volume} volume threshold, so the fine-tune pays off`;
      break;
    case "lora-wins-low-volume":
      body = `${scores}: LoRA leads by ${magnitude}, at least ${loraWins}, but at ${calls} calls a day (under the ${volume} threshold) token savings rarely repay the engineering${costClause(input.cost)}`;
      break;
    case "gray-zone":
      body = `${scores}: LoRA leads by ${magnitude}, more than ${within} but less than ${loraWins}, a gray zone where neither choice is clear`;
      break;
  }
  return { verdict, gate, deltaPoints: delta, reason: `${body}${settleClause(input.settle)}${mustClause(mustMisses)}.` };
}
