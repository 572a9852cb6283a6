// How far two methods give the same answers, case by case over both arms.
import { ARMS, INVALID_PREDICTION, type ArmName } from "../src/types.js";
import type { ArmOutcome } from "./tasks.js";

type Arms = Record<ArmName, ArmOutcome>;

export interface GenerationAgreement {
  cases: number;
  same_prediction: number;
  /** The engine stops once the first word is complete; its output must then be the start of the baseline's. */
  same_output_start: number;
  exact: boolean;
}

export interface ScoringAgreement {
  cases: number;
  same_prediction: number;
  rate: number;
  /** Cases where the baseline's first word is a label at all: the only ones where the two can be compared. */
  baseline_labelled: number;
  same_prediction_when_baseline_labelled: number;
  rate_when_baseline_labelled: number | null;
}

function pairs(a: Arms, b: Arms): Array<[ArmOutcome, ArmOutcome, number]> {
  return ARMS.flatMap((arm) => a[arm].predicted.map((_, i) => [a[arm], b[arm], i] as [ArmOutcome, ArmOutcome, number]));
}

export function generationAgreement(engine: Arms, baseline: Arms): GenerationAgreement {
  const all = pairs(engine, baseline);
  const samePrediction = all.filter(([e, b, i]) => e.predicted[i] === b.predicted[i]).length;
  const sameStart = all.filter(([e, b, i]) => (b.generated?.[i] ?? "").startsWith(e.generated?.[i] ?? "")).length;
  return { cases: all.length, same_prediction: samePrediction, same_output_start: sameStart, exact: samePrediction === all.length && sameStart === all.length };
}

export function scoringAgreement(engine: Arms, baseline: Arms): ScoringAgreement {
  const all = pairs(engine, baseline);
  const same = all.filter(([e, b, i]) => e.predicted[i] === b.predicted[i]);
  const labelled = all.filter(([, b, i]) => b.predicted[i] !== INVALID_PREDICTION);
  const sameLabelled = labelled.filter(([e, b, i]) => e.predicted[i] === b.predicted[i]).length;
  return {
    cases: all.length,
    same_prediction: same.length,
    rate: all.length > 0 ? same.length / all.length : 0,
    baseline_labelled: labelled.length,
    same_prediction_when_baseline_labelled: sameLabelled,
    rate_when_baseline_labelled: labelled.length > 0 ? sameLabelled / labelled.length : null,
  };
}

/** True when every run's predictions equal the first run's: the methods are deterministic. */
export function samePredictions(runs: readonly Arms[]): boolean {
  const first = runs[0];
  return first !== undefined && runs.every((run) => ARMS.every((arm) => run[arm].predicted.every((p, i) => p === first[arm].predicted[i])));
}
