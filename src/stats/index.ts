export { computeArmMetrics, type ArmMetrics } from "./arm-metrics.js";
export { confusionMatrix, type ConfusionMatrix, type LabelledPair } from "./confusion.js";
export { compareDeltaToThreshold, decimalToRational, deltaPoints, type Rational } from "./delta.js";
export { labelMetrics, macroF1, PER_LABEL_METHOD_DESCRIPTION, type LabelMetrics } from "./label-metrics.js";
export { MCNEMAR_METHOD, MCNEMAR_METHOD_DESCRIPTION, mcnemarExact } from "./mcnemar.js";
export {
  NEWCOMBE_PAIRED_METHOD,
  NEWCOMBE_PAIRED_METHOD_DESCRIPTION,
  newcombePairedInterval,
  newcombePhi,
  type PairedDifferenceInterval,
} from "./newcombe.js";
export { normalQuantile, zForLevel } from "./normal.js";
export { pairedCountsTotal, tabulatePaired, type PairedCounts } from "./paired.js";
export { mean, percentile, PERCENTILE_METHOD, PERCENTILE_METHOD_DESCRIPTION, summarizeLatency, type LatencySummary } from "./percentile.js";
export { DEFAULT_MAX_CASES, estimateCasesToSettle, type SettleEstimate } from "./sample-size.js";
export { wilsonInterval, type ProportionInterval } from "./wilson.js";
