// The JSON report: one result object for every rendering. Field names are snake_case and are read by
// other tools; the shipped schema (schema/report.schema.json) describes exactly this shape.

import type { GateOutcome, Verdict } from "../decision.js";
import type { ArmName, FailOn, ScoringMode } from "../types.js";

export const REPORT_VERSION = 1;

export interface Report {
  version: typeof REPORT_VERSION;
  tool: "tunegate";
  generated_at: string;
  /** The worst gate of all suites. */
  gate: GateOutcome;
  summary: ReportSummary;
  /** How the figures were computed, in words. */
  methods: ReportMethods;
  suites: SuiteReport[];
}

export interface ReportSummary {
  suites: number;
  pass: number;
  warn: number;
  fail: number;
}

export interface ReportMethods {
  delta: string;
  delta_ci95: string;
  p_value: string;
  percentile: string;
  per_label: string;
  sample_size: string;
  cost: string;
}

export interface SuiteReport {
  name: string;
  /** Suite file, relative to the report's root, forward slashes. */
  file: string;
  scoring: ScoringMode;
  labels: string[];
  calls_per_day: number;
  verdict: Verdict;
  gate: GateOutcome;
  reason: string;
  thresholds: ThresholdsReport;
  /** accuracy(LoRA) − accuracy(few-shot), percentage points. */
  delta_points: number;
  /** 95 % interval for `delta_points`, percentage points. */
  delta_ci95: [number, number];
  interval: IntervalReport;
  mcnemar: McNemarReport;
  must_misses: MustMissReport[];
  arms: Record<ArmName, ArmReport>;
  /** Present when the suite gives prices; null otherwise. */
  cost: CostReport | null;
  engine: EngineReport;
  cases: CaseReport[];
}

export interface ThresholdsReport {
  within_points: number;
  lora_wins_points: number;
  volume_threshold: number;
  fail_on: FailOn;
}

export interface IntervalReport {
  method: string;
  level: number;
  lower_points: number;
  upper_points: number;
  /** The phi correlation estimate the interval used for the pairing. */
  phi: number;
  /** Decision thresholds (points) strictly inside the interval. */
  straddled_thresholds: number[];
  /** Cases needed for the interval to clear them at the observed rates; null when none straddled or unreachable. */
  cases_needed: number | null;
  /** In words: whether the interval settles the verdict, and if not what would. */
  note: string;
}

export interface McNemarReport {
  method: string;
  /** Cases only the few-shot arm got right. */
  few_shot_only: number;
  /** Cases only the LoRA arm got right. */
  lora_only: number;
  both_correct: number;
  both_wrong: number;
  p_value: number;
}

export interface MustMissReport {
  index: number;
  input: string;
  expected: string;
  file: string;
  line: number;
  arms: ArmName[];
}

export interface LabelMetricsReport {
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number;
  predicted: number;
}

export interface ConfusionReport {
  /** Expected labels. */
  rows: string[];
  /** Predicted labels, then `invalid` in generate mode. */
  columns: string[];
  counts: number[][];
}

export interface ArmReport {
  /** Fraction in [0, 1]. */
  accuracy: number;
  correct: number;
  total: number;
  invalid: number;
  macro_f1: number;
  per_label: LabelMetricsReport[];
  confusion: ConfusionReport;
  latency_ms: { mean: number; p50: number; p95: number; min: number; max: number };
  prompt_tokens_per_call: number;
  output_tokens_per_call: number;
  tokens_evaluated: number;
  tokens_minimum: number;
  multi_token_labels: string[];
  wall_ms: number;
  /** Base model file, relative to the root. */
  model: string;
  /** The LoRA adapter (LoRA arm only). */
  adapter: { file: string; scale: number } | null;
}

export interface ArmCostReport {
  prompt_tokens_per_call: number;
  output_tokens_per_call: number;
  input_per_million: number;
  output_per_million: number;
  cost_per_call: number;
  cost_per_day: number;
  cost_per_month: number;
}

export interface CostReport {
  currency: string;
  calls_per_day: number;
  days_per_month: number;
  few_shot: ArmCostReport;
  lora: ArmCostReport;
  extra_prompt_tokens_per_call: number;
  cheaper_arm: ArmName | null;
  daily_saving: number;
  monthly_saving: number;
  fine_tune_one_off: number | null;
  break_even_days: number | null;
  /** Why there is no break-even figure, or what the figure means. */
  break_even_note: string;
}

export interface EngineReport {
  backend: string;
  threads: number;
  /** The arms ran side by side: each arm's latency includes contention with the other. */
  arms_in_parallel: boolean;
  context_size: number;
  model_load_ms: number;
  node_llama_cpp_version: string;
}

export interface CaseArmReport {
  predicted: string;
  correct: boolean;
  /** Log-probabilities per label (logprob mode); a non-finite score is written as null. */
  scores: Record<string, number | null>;
  /** Non-finite values are written as null. */
  confidence: number | null;
  margin: number | null;
  latency_ms: number;
  prompt_tokens: number;
  output_tokens: number;
  generated?: string;
}

export interface CaseReport {
  index: number;
  input: string;
  expected: string;
  file: string;
  line: number;
  column: number;
  must: boolean;
  few_shot: CaseArmReport;
  lora: CaseArmReport;
}
