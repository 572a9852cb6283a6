import path from "node:path";
import { estimateCost, type CostEstimate } from "../cost.js";
import { decide, findMustMisses, verdictBoundaries, worstGate } from "../decision.js";
import { computeArmMetrics, type ArmMetrics } from "../stats/arm-metrics.js";
import { PER_LABEL_METHOD_DESCRIPTION } from "../stats/label-metrics.js";
import { MCNEMAR_METHOD, MCNEMAR_METHOD_DESCRIPTION, mcnemarExact } from "../stats/mcnemar.js";
import { NEWCOMBE_PAIRED_METHOD, NEWCOMBE_PAIRED_METHOD_DESCRIPTION, newcombePairedInterval } from "../stats/newcombe.js";
import { tabulatePaired } from "../stats/paired.js";
import { PERCENTILE_METHOD_DESCRIPTION } from "../stats/percentile.js";
import { majorityBaseline, singlePrediction } from "../stats/majority-baseline.js";
import { DEFAULT_MAX_CASES, estimateCasesToSettle } from "../stats/sample-size.js";
import { ARMS, type ArmName, type ArmRun, type CaseArmResult, type EngineInfo, type ReportedRun, type ReportedSuite, type SuiteCase } from "../types.js";
import { formatCount } from "../text/format.js";
import {
  REPORT_VERSION,
  type ArmCostReport,
  type ArmReport,
  type CaseArmReport,
  type CaseReport,
  type CostReport,
  type EngineReport,
  type Report,
  type ReportMethods,
  type SuiteReport,
} from "./types.js";
import { armWarnings, breakEvenNote, decisionReason, intervalNote, type DeltaInterval } from "./wording.js";

export interface BuildReportOptions {
  /** Directory that file paths in the report are relative to; default `process.cwd()`. */
  root?: string;
  /** Timestamp for `generated_at`; default now. */
  now?: Date;
}

const CONFIDENCE_LEVEL = 0.95;

export const REPORT_METHODS: ReportMethods = {
  delta: "delta_points = 100 · (LoRA correct − few-shot correct) / cases; verdict boundaries are compared exactly, in integers",
  delta_ci95: NEWCOMBE_PAIRED_METHOD_DESCRIPTION,
  p_value: MCNEMAR_METHOD_DESCRIPTION,
  percentile: PERCENTILE_METHOD_DESCRIPTION,
  per_label: PER_LABEL_METHOD_DESCRIPTION,
  sample_size:
    "when the interval straddles a decision threshold: the smallest number of cases at which, with the four " +
    `agreement cells in their observed proportions, the same interval clears every threshold (searched up to ${formatCount(DEFAULT_MAX_CASES)})`,
  cost:
    "cost per call = (mean prompt tokens × input price + mean output tokens × output price) / 1,000,000; " +
    "per day = per call × calls per day; a month is 30 days; break-even = one-off cost / LoRA's daily saving",
};

/** A path relative to `root` with forward slashes, as reports and GitHub links want it. */
export function reportPath(root: string, file: string): string {
  const relative = path.relative(root, file);
  return (relative === "" ? "." : relative).split(path.sep).join("/");
}

/** Links from a page in `folder` to the report's files (relative to `root`): relative paths, `#L` for the line. */
export function linkFrom(root: string, folder: string): (file: string, line: number) => string {
  return (file, line) => `${path.relative(folder, path.resolve(root, file)).split(path.sep).map(encodeURIComponent).join("/")}#L${line}`;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export function caseArmReport(result: CaseArmResult): CaseArmReport {
  const report: CaseArmReport = {
    predicted: result.predicted,
    correct: result.correct,
    scores: Object.fromEntries(Object.entries(result.scores).map(([label, score]) => [label, finiteOrNull(score)])),
    confidence: finiteOrNull(result.confidence),
    margin: finiteOrNull(result.margin),
    latency_ms: result.latencyMs,
    prompt_tokens: result.promptTokens,
    output_tokens: result.outputTokens,
  };
  if (result.generated !== undefined) report.generated = result.generated;
  if (result.cached !== undefined) report.cached = { measured_at: result.cached.measuredAt };
  return report;
}

/** How many results the cache served, and when the oldest and newest of them were measured. */
function cacheReport(run: ReportedRun): NonNullable<SuiteReport["cache"]> {
  const times = ARMS.flatMap((arm) => run.arms[arm].cases.flatMap((result) => (result.cached ? [result.cached.measuredAt] : []))).sort();
  const served = (arm: ArmName): number => run.arms[arm].cases.filter((result) => result.cached !== undefined).length;
  return {
    enabled: run.resultCache === true,
    few_shot: served("few_shot"),
    lora: served("lora"),
    measured_from: times[0] ?? null,
    measured_to: times.at(-1) ?? null,
  };
}

function armReport(metrics: ArmMetrics, run: ArmRun, suite: ReportedSuite, toReportPath: (file: string) => string): ArmReport {
  const isLora = run.arm === "lora";
  return {
    accuracy: metrics.accuracy,
    correct: metrics.correct,
    total: metrics.total,
    invalid: metrics.invalid,
    macro_f1: metrics.macroF1,
    per_label: metrics.perLabel.map((label) => ({ ...label })),
    confusion: { rows: metrics.confusion.rows, columns: metrics.confusion.columns, counts: metrics.confusion.counts },
    latency_ms: { ...metrics.latencyMs },
    prompt_tokens_per_call: metrics.promptTokensPerCall,
    output_tokens_per_call: metrics.outputTokensPerCall,
    tokens_evaluated: metrics.tokensEvaluated,
    tokens_minimum: metrics.tokensMinimum,
    multi_token_labels: [...run.multiTokenLabels],
    wall_ms: run.wallMs,
    model: toReportPath(isLora ? suite.lora.model.path : suite.fewShot.model.path),
    adapter: isLora ? { file: toReportPath(suite.lora.adapter.path), scale: suite.lora.scale } : null,
  };
}

function armCostReport(cost: CostEstimate["fewShot"]): ArmCostReport {
  return {
    prompt_tokens_per_call: cost.promptTokensPerCall,
    output_tokens_per_call: cost.outputTokensPerCall,
    input_per_million: cost.prices.inputPerMillion,
    output_per_million: cost.prices.outputPerMillion,
    cost_per_call: cost.perCall,
    cost_per_day: cost.perDay,
    cost_per_month: cost.perMonth,
  };
}

function costReport(cost: CostEstimate): CostReport {
  return {
    currency: cost.currency,
    calls_per_day: cost.callsPerDay,
    days_per_month: cost.daysPerMonth,
    few_shot: armCostReport(cost.fewShot),
    lora: armCostReport(cost.lora),
    extra_prompt_tokens_per_call: cost.extraPromptTokensPerCall,
    cheaper_arm: cost.cheaperArm,
    daily_saving: cost.dailySaving,
    monthly_saving: cost.monthlySaving,
    fine_tune_one_off: cost.fineTuneOneOff,
    break_even_days: cost.breakEvenDays,
    break_even_note: breakEvenNote(cost),
  };
}

function validateRun(run: ReportedRun): void {
  const n = run.suite.cases.length;
  if (n === 0) throw new RangeError(`suite "${run.suite.name}" has no cases: there is nothing to decide`);
  for (const arm of ARMS) {
    const results = run.arms[arm].cases.length;
    if (results !== n) throw new RangeError(`suite "${run.suite.name}": the ${arm} arm has ${results} results for ${n} cases`);
  }
}

/** The report of one suite run: metrics, comparison, verdict, gate, cost and every case. */
export function buildSuiteReport(run: ReportedRun, options: BuildReportOptions = {}): SuiteReport {
  validateRun(run);
  const root = options.root ?? process.cwd();
  const toReportPath = (file: string): string => reportPath(root, file);
  const { suite, arms } = run;
  const metrics: Record<ArmName, ArmMetrics> = {
    few_shot: computeArmMetrics(suite.labels, suite.cases, arms.few_shot),
    lora: computeArmMetrics(suite.labels, suite.cases, arms.lora),
  };
  // First arm = LoRA, so the interval is for accuracy(LoRA) − accuracy(few-shot), the sign of delta.
  const paired = tabulatePaired(
    arms.lora.cases.map((result) => result.correct),
    arms.few_shot.cases.map((result) => result.correct),
  );
  const interval = newcombePairedInterval(paired, CONFIDENCE_LEVEL);
  const deltaInterval: DeltaInterval = { lowerPoints: interval.lower * 100, upperPoints: interval.upper * 100, level: CONFIDENCE_LEVEL };
  const { lowerPoints, upperPoints } = deltaInterval;
  const { withinPoints, loraWinsPoints, volumeThreshold, failOn } = suite.gate;
  const settle = estimateCasesToSettle(paired, verdictBoundaries(suite.gate), CONFIDENCE_LEVEL);
  const cost = suite.cost
    ? estimateCost(suite.cost, suite.volume.callsPerDay, {
        few_shot: { promptTokensPerCall: metrics.few_shot.promptTokensPerCall, outputTokensPerCall: metrics.few_shot.outputTokensPerCall },
        lora: { promptTokensPerCall: metrics.lora.promptTokensPerCall, outputTokensPerCall: metrics.lora.outputTokensPerCall },
      })
    : null;
  const mustMisses = findMustMisses(suite.cases, arms, toReportPath);
  const baseline = majorityBaseline(suite.labels, suite.cases.map((c) => c.expected));
  const warnings = armWarnings(
    {
      few_shot: { ...metrics.few_shot, single: singlePrediction(arms.few_shot.cases.map((c) => c.predicted)) },
      lora: { ...metrics.lora, single: singlePrediction(arms.lora.cases.map((c) => c.predicted)) },
    },
    baseline,
  );
  const decision = decide({
    fewShotCorrect: metrics.few_shot.correct,
    loraCorrect: metrics.lora.correct,
    total: suite.cases.length,
    callsPerDay: suite.volume.callsPerDay,
    thresholds: suite.gate,
    failOn,
    mustMisses,
  });

  return {
    name: suite.name,
    file: toReportPath(suite.file),
    scoring: suite.scoring,
    labels: [...suite.labels],
    calls_per_day: suite.volume.callsPerDay,
    verdict: decision.verdict,
    gate: decision.gate,
    reason: decisionReason(decision, { interval: deltaInterval, settle, cost }),
    thresholds: { within_points: withinPoints, lora_wins_points: loraWinsPoints, volume_threshold: volumeThreshold, fail_on: failOn },
    delta_points: decision.deltaPoints,
    delta_ci95: [lowerPoints, upperPoints],
    interval: {
      method: NEWCOMBE_PAIRED_METHOD,
      level: CONFIDENCE_LEVEL,
      lower_points: lowerPoints,
      upper_points: upperPoints,
      phi: interval.phi,
      straddled_thresholds: settle.straddled,
      cases_needed: settle.casesNeeded,
      note: intervalNote(deltaInterval, settle),
    },
    mcnemar: {
      method: MCNEMAR_METHOD,
      few_shot_only: paired.secondOnly,
      lora_only: paired.firstOnly,
      both_correct: paired.both,
      both_wrong: paired.neither,
      p_value: mcnemarExact(paired.secondOnly, paired.firstOnly),
    },
    must_misses: mustMisses.map((miss) => ({ ...miss, arms: [...miss.arms] })),
    arms: {
      few_shot: armReport(metrics.few_shot, arms.few_shot, suite, toReportPath),
      lora: armReport(metrics.lora, arms.lora, suite, toReportPath),
    },
    majority_baseline: { label: baseline.label, correct: baseline.correct, accuracy: baseline.accuracy },
    warnings,
    cost: cost ? costReport(cost) : null,
    engine: engineReport(run.engine),
    cache: cacheReport(run),
    cases: suite.cases.map((suiteCase, i) => caseReport(suiteCase, { few_shot: arms.few_shot.cases[i]!, lora: arms.lora.cases[i]! }, toReportPath)),
  };
}

/** The engine block a report writes (the same fields as the full report's). */
export function engineReport(engine: EngineInfo): EngineReport {
  return {
    backend: engine.backend,
    threads: engine.threads,
    arms_in_parallel: engine.armsInParallel,
    context_size: engine.contextSize,
    model_load_ms: engine.modelLoadMs,
    node_llama_cpp_version: engine.nodeLlamaCppVersion,
    kind: engine.kind,
    ...(engine.remote ? { url: engine.remote.url, version: engine.remote.version, concurrency: engine.remote.concurrency } : {}),
  };
}

/** One case as reports list it: where it is, what it expects, and both arms' results. */
export function caseReport(suiteCase: SuiteCase, results: Record<ArmName, CaseArmResult>, toReportPath: (file: string) => string): CaseReport {
  return {
    index: suiteCase.index,
    input: suiteCase.input,
    expected: suiteCase.expected,
    file: toReportPath(suiteCase.location.file),
    line: suiteCase.location.line,
    column: suiteCase.location.column,
    must: suiteCase.must,
    few_shot: caseArmReport(results.few_shot),
    lora: caseArmReport(results.lora),
  };
}

/** The one result object for a run of one or more suites; its gate is the worst suite's. */
/**
 * Suites by file path (as the report writes it) and then name, in code-unit order, so a report reads the same
 * whatever order the suites ran in and on any machine's locale.
 */
export function byFileThenName(a: { file: string; name: string }, b: { file: string; name: string }): number {
  const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return compare(a.file, b.file) || compare(a.name, b.name);
}

export function buildReport(runs: readonly ReportedRun[], options: BuildReportOptions = {}): Report {
  const suites = runs.map((run) => buildSuiteReport(run, options)).sort(byFileThenName);
  const count = (gate: SuiteReport["gate"]): number => suites.filter((suite) => suite.gate === gate).length;
  return {
    version: REPORT_VERSION,
    tool: "tunegate",
    generated_at: (options.now ?? new Date()).toISOString(),
    gate: worstGate(suites.map((suite) => suite.gate)),
    summary: { suites: suites.length, pass: count("pass"), warn: count("warn"), fail: count("fail") },
    methods: { ...REPORT_METHODS },
    suites,
  };
}

/** The report as the JSON file other tools read: two-space indented, newline-terminated. */
export function reportToJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
