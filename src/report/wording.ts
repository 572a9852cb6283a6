// Every sentence a reader sees about the decision and the figures behind it. decision.ts, cost.ts and the
// statistics return data; the report builder and the renderers turn it into words here, so that one fact
// has one phrasing and one set of numbers behind it.
import type { CostEstimate } from "../cost.js";
import { verdictBoundaries, type Decision, type MustMiss } from "../decision.js";
import { DEFAULT_MAX_CASES, type SettleEstimate } from "../stats/sample-size.js";
import { formatCount, formatCountOf, formatDays, formatMoney, formatPercent, formatPoints, formatSignedThreshold, formatThreshold, listInWords } from "../text/format.js";
import { truncate } from "../text/width.js";
import { ARM_DISPLAY, INVALID_PREDICTION, type ArmName } from "../types.js";
import type { SuiteReport } from "./types.js";

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An arm's name at the start of a sentence or as a column heading. */
export function armHeading(arm: ArmName): string {
  return capitalise(ARM_DISPLAY[arm]);
}

/** The interval for delta = accuracy(LoRA) − accuracy(few-shot), in percentage points. */
export interface DeltaInterval {
  lowerPoints: number;
  upperPoints: number;
  /** Confidence level, in (0, 1). */
  level: number;
}

/** What the reason quotes besides the decision itself. */
export interface ReasonEvidence {
  interval?: DeltaInterval;
  /** Whether the interval straddles a threshold, and how many cases would settle it. */
  settle?: SettleEstimate;
  /** Quoted when LoRA wins at low volume. */
  cost?: CostEstimate | null;
}

/** A delta with enough decimals that it never reads as a verdict boundary it is not on. */
function formatDeltaPoints(points: number, thresholds: { withinPoints: number; loraWinsPoints: number }, signed = true): string {
  return formatPoints(points, verdictBoundaries(thresholds), signed);
}

/** `formatDeltaPoints` for a suite of the JSON report. */
export function formatSuiteDelta(suite: Pick<SuiteReport, "delta_points" | "thresholds">): string {
  return formatDeltaPoints(suite.delta_points, { withinPoints: suite.thresholds.within_points, loraWinsPoints: suite.thresholds.lora_wins_points });
}

function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The thresholds an interval straddles, signed and listed: "-5, +5 and +15". */
function straddledThresholds(settle: SettleEstimate): string {
  return listInWords(settle.straddled.map(formatSignedThreshold));
}

/** The largest number of cases the sample-size search tries, for "even … cases would not settle it". */
const MOST_CASES_SEARCHED = formatCount(DEFAULT_MAX_CASES);

function costClause(cost: CostEstimate | null | undefined): string {
  if (!cost) return "";
  if (cost.cheaperArm !== "lora") return `; the few-shot arm costs no more per call (${formatMoney(cost.fewShot.perDay, cost.currency)}/day vs ${formatMoney(cost.lora.perDay, cost.currency)}/day)`;
  const saving = `LoRA would save ${formatMoney(cost.dailySaving, cost.currency)}/day`;
  if (cost.breakEvenDays === null || cost.fineTuneOneOff === null) return `; ${saving}`;
  return `; ${saving}, repaying the ${formatMoney(cost.fineTuneOneOff, cost.currency)} fine-tune in ${formatDays(cost.breakEvenDays)} days`;
}

function settleClause(settle: SettleEstimate | undefined): string {
  if (!settle || settle.straddled.length === 0) return "";
  const plural = settle.straddled.length > 1 ? "thresholds" : "threshold";
  const subject = `the interval straddles the ${straddledThresholds(settle)}-point ${plural}`;
  if (settle.casesNeeded !== null) return `; ${subject}, and about ${formatCount(settle.casesNeeded)} cases would settle it`;
  if (settle.unsettled === "delta-on-threshold") return `; ${subject}, and with the delta exactly on it no number of cases settles it`;
  return `; ${subject}, and even ${MOST_CASES_SEARCHED} cases at these rates would not settle it`;
}

function mustClause(misses: readonly MustMiss[]): string {
  if (misses.length === 0) return "";
  const shown = misses.slice(0, 3).map((miss) => `"${excerpt(miss.input, 40)}" at ${miss.file}:${miss.line} (missed by ${miss.arms.map((arm) => ARM_DISPLAY[arm]).join(" and ")})`);
  const more = misses.length > shown.length ? ` and ${misses.length - shown.length} more` : "";
  const noun = misses.length === 1 ? "a must case was" : `${misses.length} must cases were`;
  return `; the gate fails because ${noun} missed: ${shown.join(", ")}${more}`;
}

/** One sentence: the verdict and the numbers behind it, then the interval, cost and any missed must case. */
export function decisionReason(decision: Decision, evidence: ReasonEvidence = {}): string {
  const { verdict, deltaPoints: delta, reason } = decision;
  const { fewShotCorrect, loraCorrect, total, callsPerDay, thresholds } = reason;
  const within = formatThreshold(thresholds.withinPoints);
  const loraWins = formatThreshold(thresholds.loraWinsPoints);
  const volume = formatThreshold(thresholds.volumeThreshold);
  const calls = formatThreshold(callsPerDay);
  const plural = total === 1 ? "case" : "cases";
  const scores = `LoRA scored ${formatPercent(loraCorrect / total)} and few-shot ${formatPercent(fewShotCorrect / total)} on the same ${formatCount(total)} ${plural}`;
  const interval = evidence.interval
    ? ` (${Math.round(evidence.interval.level * 100)}% CI ${formatPoints(evidence.interval.lowerPoints)} to ${formatPoints(evidence.interval.upperPoints)})`
    : "";
  const signedDelta = `${formatDeltaPoints(delta, thresholds)} points${interval}`;
  const magnitude = `${formatDeltaPoints(Math.abs(delta), thresholds, false)} points${interval}`;

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
      body = `${scores}: LoRA leads by ${magnitude}, at least ${loraWins}, but at ${calls} calls a day (under the ${volume} threshold) token savings rarely repay the engineering${costClause(evidence.cost)}`;
      break;
    case "gray-zone":
      body = `${scores}: LoRA leads by ${magnitude}, more than ${within} but less than ${loraWins}, a gray zone where neither choice is clear`;
      break;
  }
  return `${body}${settleClause(evidence.settle)}${mustClause(reason.mustMisses)}.`;
}

/** Whether the interval settles the verdict, and if not what would. */
export function intervalNote(interval: DeltaInterval, settle: SettleEstimate): string {
  const range = `the ${Math.round(interval.level * 100)}% interval (${formatPoints(interval.lowerPoints)} to ${formatPoints(interval.upperPoints)} points)`;
  if (settle.straddled.length === 0) return `${range} lies on one side of every threshold, so more cases would not change the verdict`;
  const straddles = `${range} straddles ${straddledThresholds(settle)} points, so the verdict could fall either way`;
  if (settle.casesNeeded !== null) return `${straddles}; about ${formatCount(settle.casesNeeded)} cases at the observed rates would settle it`;
  if (settle.unsettled === "delta-on-threshold") return `${straddles}; the delta sits exactly on a threshold, so no number of cases settles it`;
  return `${straddles}; even ${MOST_CASES_SEARCHED} cases at the observed rates would not settle it`;
}

/** The break-even figure in words, or why there is none. */
export function breakEvenNote(cost: CostEstimate): string {
  if (cost.breakEvenDays !== null && cost.fineTuneOneOff !== null) {
    return `LoRA saves ${formatMoney(cost.dailySaving, cost.currency)} a day, which repays the ${formatMoney(cost.fineTuneOneOff, cost.currency)} fine-tune in ${formatDays(cost.breakEvenDays)} days`;
  }
  switch (cost.noBreakEven) {
    case "no-one-off-cost":
      return "no fine_tune_one_off was given, so there is no break-even figure";
    case "few-shot-cheaper":
      return "the few-shot arm is the cheaper one per call, so token savings never repay a fine-tune";
    default:
      return "both arms cost the same per day at this volume, so token savings never repay a fine-tune";
  }
}

/** A measurement time as people read it: minutes, UTC ("2026-12-01 05:10 UTC"). */
function minuteUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * What the result cache served, in one sentence, or undefined when it served nothing: cached latencies are not
 * new measurements, and the reader has to know.
 */
export function cacheNote(suite: Pick<SuiteReport, "cache" | "cases">): string | undefined {
  const cache = suite.cache;
  if (!cache || (cache.few_shot === 0 && cache.lora === 0) || cache.measured_from === null || cache.measured_to === null) return undefined;
  const total = suite.cases.length;
  const counts =
    cache.few_shot === cache.lora
      ? `${formatCount(cache.few_shot)} of ${formatCount(total)} cases`
      : `${formatCount(cache.few_shot)} few-shot and ${formatCount(cache.lora)} LoRA results of ${formatCount(total)} cases`;
  const from = minuteUtc(cache.measured_from);
  const to = minuteUtc(cache.measured_to);
  const when = from === to ? `measured ${from}` : `measured between ${from} and ${to}`;
  return `${counts} from the result cache, ${when}: their latencies are from then, and the tokens evaluated count only this run's work`;
}

/**
 * What an arm predicted, as a reader should see it: the label, or for a generation that named no label what the
 * model wrote, escaped (JSON string escapes: no control character or line break gets through) and shortened:
 * `invalid ("You c…")`.
 */
export function describePrediction(result: { predicted: string; generated?: string | undefined }, maxWritten = 12): string {
  if (result.predicted !== INVALID_PREDICTION || result.generated === undefined) return result.predicted;
  const escaped = JSON.stringify(result.generated).slice(1, -1);
  return `${INVALID_PREDICTION} ("${truncate(escaped, maxWritten)}")`;
}

/** Why a suite's gate is what it is, in a few words: the missed must cases' places, or the verdict and fail_on. */
export function gateCause(suite: Pick<SuiteReport, "verdict" | "must_misses" | "thresholds">): string {
  const misses = suite.must_misses;
  if (misses.length > 0) {
    const shown = misses.slice(0, 3).map((miss) => `${miss.file}:${miss.line}`);
    const more = misses.length > shown.length ? ` and ${misses.length - shown.length} more` : "";
    return `must case${misses.length === 1 ? "" : "s"} missed at ${shown.join(", ")}${more}`;
  }
  return `verdict ${suite.verdict} and fail_on: ${suite.thresholds.fail_on}`;
}

/** The gate and its cause, the line a failed gate leads with: `gate FAIL: must case missed at a.cases.yaml:12`. */
export function gateHeadline(suite: Pick<SuiteReport, "gate" | "verdict" | "must_misses" | "thresholds">): string {
  return `gate ${suite.gate.toUpperCase()}: ${gateCause(suite)}`;
}

/** Warnings about arms that look as if they learnt nothing: one label for every case, or no better than the majority-class baseline. */
export function armWarnings(
  arms: Record<ArmName, { correct: number; total: number; single: string | undefined }>,
  baseline: { label: string; correct: number; total: number },
): string[] {
  const warnings: string[] = [];
  for (const arm of ["few_shot", "lora"] as const) {
    const { correct, total, single } = arms[arm];
    const name = armHeading(arm);
    if (single !== undefined) {
      const check = arm === "lora" ? "check the adapter, lora.scale and lora.template" : "check the few-shot examples and prompt";
      warnings.push(`${name} predicted ${JSON.stringify(single)} for all ${formatCount(total)} cases: ${check}`);
    } else if (total > 0 && correct <= baseline.correct) {
      warnings.push(
        `${name} scored ${formatPercent(correct / total)}, no better than always answering ${JSON.stringify(baseline.label)} (${formatPercent(baseline.correct / baseline.total)}, the majority-class baseline)`,
      );
    }
  }
  return warnings;
}

/**
 * Which engine produced a suite's numbers, for the summary and comment. A server's URL stays in the JSON
 * report only: it may come from the environment, and a summary or PR comment is public.
 */
export function measuredOn(engine: SuiteReport["engine"]): string {
  if (engine.kind !== "local") {
    const inFlight = engine.concurrency === undefined ? "" : ` (${formatCountOf(engine.concurrency, "request")} in flight)`;
    return `measured on ${engine.kind} ${engine.version ?? ""}`.trimEnd() + inFlight;
  }
  const threads = engine.threads > 0 ? `, ${formatCountOf(engine.threads, "thread")} per arm` : "";
  return `measured in-process (node-llama-cpp ${engine.node_llama_cpp_version}, ${engine.backend}${threads}${engine.arms_in_parallel ? ", arms side by side" : ""})`;
}
