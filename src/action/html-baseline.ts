// The baseline as the HTML report shows it: the comparison's per-suite changes, plus the baseline's own
// interval where its report has one (the baseline is read with a relaxed schema, so it may lack it).
import type { HtmlBaseline } from "../report/html/render.js";
import type { BaselineReport } from "./baseline.js";
import type { BaselineComparison } from "./comparison.js";

function interval(suite: object | undefined): { deltaPoints: number; lower: number; upper: number } | undefined {
  const { delta_points: delta, delta_ci95: ci } = (suite ?? {}) as { delta_points?: unknown; delta_ci95?: unknown };
  if (typeof delta !== "number" || !Array.isArray(ci) || ci.length !== 2) return undefined;
  const [lower, upper] = ci as unknown[];
  if (typeof lower !== "number" || typeof upper !== "number" || ![delta, lower, upper].every(Number.isFinite)) return undefined;
  return { deltaPoints: delta, lower, upper };
}

export function htmlBaseline(comparison: BaselineComparison, baseline: BaselineReport, label: string): HtmlBaseline {
  return {
    label,
    suites: comparison.suites.map((s) => {
      const before = baseline.suites.find((b) => b.name === s.suite.name && b.file === s.suite.file) ?? baseline.suites.find((b) => b.name === s.suite.name);
      const previous = interval(before);
      return {
        name: s.suite.name,
        file: s.suite.file,
        ...(previous ? { previous } : {}),
        accuracy: s.accuracy,
        newlyFailing: s.newlyFailing,
        newlyPassing: s.newlyPassing,
      };
    }),
  };
}
