// The step's outputs, from the report. With several suites one suite speaks for the run: the deciding suite,
// the suite whose gate is the run's gate (the worst of all) and, among several such, the first in the report,
// which lists suites by file path and then name. Its verdict and figures are output verbatim, so every output
// value can be found in the JSON report, and verdict, accuracies and delta always describe the same suite.
// `suites` carries every suite's figures, in the report's order.
import type { Report, SuiteReport } from "../report/types.js";

export interface ActionOutputs {
  verdict: string;
  gate: string;
  "few-shot-accuracy": string;
  "lora-accuracy": string;
  "delta-points": string;
  "report-path": string;
  /** JSON array, one object a suite, by file path then name. */
  suites: string;
}

/** Every output action.yml declares: each is written on every run, "" where the run has no value for it. */
export const OUTPUT_NAMES = ["verdict", "gate", "few-shot-accuracy", "lora-accuracy", "delta-points", "report-path", "suites", "regression"] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

export function decidingSuite(report: Report): SuiteReport {
  const suite = report.suites.find((s) => s.gate === report.gate);
  if (suite === undefined) throw new RangeError(`the report's gate ${report.gate} is the gate of none of its ${report.suites.length} suites`);
  return suite;
}

/** Numbers as JSON writes them (full precision), so an output equals the report's value exactly. */
function exact(value: number): string {
  return JSON.stringify(value);
}

export function actionOutputs(report: Report, reportPath: string): ActionOutputs {
  const suite = decidingSuite(report);
  return {
    verdict: suite.verdict,
    gate: report.gate,
    "few-shot-accuracy": exact(suite.arms.few_shot.accuracy),
    "lora-accuracy": exact(suite.arms.lora.accuracy),
    "delta-points": exact(suite.delta_points),
    "report-path": reportPath,
    suites: JSON.stringify(
      report.suites.map((s) => ({
        name: s.name,
        file: s.file,
        verdict: s.verdict,
        gate: s.gate,
        few_shot_accuracy: s.arms.few_shot.accuracy,
        lora_accuracy: s.arms.lora.accuracy,
        delta_points: s.delta_points,
      })),
    ),
  };
}
