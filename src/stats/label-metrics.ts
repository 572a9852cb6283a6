import type { ConfusionMatrix } from "./confusion.js";

export const PER_LABEL_METHOD_DESCRIPTION =
  "precision = TP/(TP+FP), null when the label was never predicted; recall = TP/support, null when the " +
  "label never occurs; F1 = 2TP/(2TP+FP+FN), null when the label neither occurs nor is predicted; " +
  "macro-F1 = mean F1 over labels whose F1 is not null (an invalid prediction counts as a miss)";

export interface LabelMetrics {
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Cases whose expected label is this one. */
  support: number;
  /** Cases this arm predicted as this label. */
  predicted: number;
}

/**
 * Per-label precision, recall and F1 from a confusion matrix.
 * F1 is written as 2TP/(2TP+FP+FN) so that a label with support but never predicted scores 0 rather than
 * being dropped, while a label absent from both sides (nothing to judge) is null.
 */
export function labelMetrics(matrix: ConfusionMatrix): LabelMetrics[] {
  return matrix.rows.map((label, r) => {
    const row = matrix.counts[r] as number[];
    const truePositives = row[r] as number;
    const support = row.reduce((sum, count) => sum + count, 0);
    const predicted = matrix.counts.reduce((sum, otherRow) => sum + (otherRow[r] as number), 0);
    const falsePositives = predicted - truePositives;
    const falseNegatives = support - truePositives;
    const f1Denominator = 2 * truePositives + falsePositives + falseNegatives;
    return {
      label,
      precision: predicted === 0 ? null : truePositives / predicted,
      recall: support === 0 ? null : truePositives / support,
      f1: f1Denominator === 0 ? null : (2 * truePositives) / f1Denominator,
      support,
      predicted,
    };
  });
}

/** Mean of the non-null per-label F1 values; 0 when there are none. */
export function macroF1(metrics: readonly LabelMetrics[]): number {
  const scores = metrics.flatMap(({ f1 }) => (f1 === null ? [] : [f1]));
  if (scores.length === 0) return 0;
  return scores.reduce((sum, f1) => sum + f1, 0) / scores.length;
}
