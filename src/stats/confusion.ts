import { INVALID_PREDICTION } from "../types.js";

/** Rows are expected labels, columns predicted labels; `counts[row][column]`. */
export interface ConfusionMatrix {
  rows: string[];
  /** The row labels, then `invalid` when the arm could produce non-label output. */
  columns: string[];
  counts: number[][];
}

export interface LabelledPair {
  expected: string;
  predicted: string;
}

/**
 * Builds the confusion matrix over the suite's labels. An expected value outside `labels` gets its own
 * row rather than vanishing; any prediction that is not a row label lands in the `invalid` column, which
 * is present whenever `withInvalidColumn` is set (generate mode) or such a prediction occurred.
 */
export function confusionMatrix(labels: readonly string[], pairs: readonly LabelledPair[], withInvalidColumn: boolean): ConfusionMatrix {
  const rows = [...labels];
  const rowIndex = new Map(rows.map((label, i) => [label, i]));
  for (const { expected } of pairs) {
    if (!rowIndex.has(expected)) {
      rowIndex.set(expected, rows.length);
      rows.push(expected);
    }
  }
  const needsInvalid = withInvalidColumn || pairs.some(({ predicted }) => !rowIndex.has(predicted));
  const columns = needsInvalid ? [...rows, INVALID_PREDICTION] : [...rows];
  const counts = rows.map(() => columns.map(() => 0));
  for (const { expected, predicted } of pairs) {
    const row = counts[rowIndex.get(expected) as number] as number[];
    const column = rowIndex.get(predicted) ?? rows.length;
    row[column] = (row[column] as number) + 1;
  }
  return { rows, columns, counts };
}
