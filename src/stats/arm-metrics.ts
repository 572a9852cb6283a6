import type { ArmRun, SuiteCase } from "../types.js";
import { confusionMatrix, type ConfusionMatrix } from "./confusion.js";
import { labelMetrics, macroF1, type LabelMetrics } from "./label-metrics.js";
import { mean, summarizeLatency, type LatencySummary } from "./percentile.js";

export interface ArmMetrics {
  /** correct / total, in [0, 1]; 0 when there are no cases. */
  accuracy: number;
  correct: number;
  total: number;
  /** Predictions that were no label of the suite (the confusion matrix's `invalid` column). */
  invalid: number;
  macroF1: number;
  perLabel: LabelMetrics[];
  confusion: ConfusionMatrix;
  latencyMs: LatencySummary;
  promptTokensPerCall: number;
  outputTokensPerCall: number;
  tokensEvaluated: number;
  tokensMinimum: number;
}

/**
 * Everything measured about one arm. `correct` is taken from the engine's per-case records (the same
 * records the comparison uses), while the confusion matrix is built from expected vs predicted labels.
 */
export function computeArmMetrics(labels: readonly string[], cases: readonly SuiteCase[], run: ArmRun): ArmMetrics {
  if (run.cases.length !== cases.length) {
    throw new RangeError(`arm ${run.arm} has ${run.cases.length} results for ${cases.length} cases`);
  }
  const total = cases.length;
  const correct = run.cases.filter((result) => result.correct).length;
  const confusion = confusionMatrix(
    labels,
    cases.map((suiteCase, i) => ({ expected: suiteCase.expected, predicted: (run.cases[i] as ArmRun["cases"][number]).predicted })),
    run.scoring === "generate",
  );
  const perLabel = labelMetrics(confusion);
  const invalidColumn = confusion.columns.length > confusion.rows.length ? confusion.rows.length : -1;
  const invalid = invalidColumn < 0 ? 0 : confusion.counts.reduce((sum, row) => sum + (row[invalidColumn] as number), 0);
  return {
    accuracy: total === 0 ? 0 : correct / total,
    correct,
    total,
    invalid,
    macroF1: macroF1(perLabel),
    perLabel,
    confusion,
    latencyMs: summarizeLatency(run.cases.map((result) => result.latencyMs)),
    promptTokensPerCall: mean(run.cases.map((result) => result.promptTokens)) ?? 0,
    outputTokensPerCall: mean(run.cases.map((result) => result.outputTokens)) ?? 0,
    tokensEvaluated: run.tokensEvaluated,
    tokensMinimum: run.tokensMinimum,
  };
}
