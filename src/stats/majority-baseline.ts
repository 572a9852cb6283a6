// The majority-class baseline: the accuracy of always answering the label most cases expect. An arm that does
// no better has learnt nothing the label counts did not already say.

export interface MajorityBaseline {
  /** The most expected label; ties go to the one listed first in the suite. */
  label: string;
  /** Cases expecting it. */
  correct: number;
  total: number;
  /** correct / total; 0 when there are no cases. */
  accuracy: number;
}

export function majorityBaseline(labels: readonly string[], expected: readonly string[]): MajorityBaseline {
  const counts = new Map<string, number>(labels.map((label) => [label, 0]));
  for (const label of expected) counts.set(label, (counts.get(label) ?? 0) + 1);
  let best = labels[0] ?? expected[0] ?? "";
  for (const [label, count] of counts) if (count > (counts.get(best) ?? 0)) best = label;
  const correct = counts.get(best) ?? 0;
  return { label: best, correct, total: expected.length, accuracy: expected.length === 0 ? 0 : correct / expected.length };
}

/** The one label an arm gave for every case, or undefined when it gave two or more (or there are no cases). */
export function singlePrediction(predicted: readonly string[]): string | undefined {
  const first = predicted[0];
  if (first === undefined || predicted.length < 2) return undefined;
  return predicted.every((label) => label === first) ? first : undefined;
}
