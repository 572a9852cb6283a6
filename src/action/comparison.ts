// This run against the baseline report: per suite the accuracy change of each arm, the cases whose result
// changed, and the regression check on the few-shot arm.
//
// Matching. Suites are matched by name (files move, names are what people see); a name that occurs more than
// once in either report is matched by name and file. Cases are matched within their suite by input text;
// repeated inputs by input and occurrence (the 2nd "Hi" matches the 2nd "Hi"). A case or suite present on
// one side only is counted (new / removed) but is part of no per-case diff. The accuracies compared are the
// suites' reported accuracies over all their cases, matched or not, as the reports show them.
import type { CaseReport, Report, SuiteReport } from "../report/types.js";
import { ARMS, type ArmName } from "../types.js";
import type { BaselineCase, BaselineReport, BaselineSuite } from "./baseline.js";

export interface AccuracyChange {
  /** Fractions in [0, 1]. */
  before: number;
  after: number;
  /** (after − before) × 100. */
  changePoints: number;
}

export type CaseArmChange = "newly-failing" | "newly-passing" | "still-passing" | "still-failing";

export interface CaseChange {
  case: CaseReport;
  arms: Record<ArmName, CaseArmChange>;
}

export interface RegressionCheck {
  /** Few-shot accuracy lost, points (negative when it rose). */
  dropPoints: number;
  limitPoints: number;
  failed: boolean;
}

export interface SuiteComparison {
  suite: SuiteReport;
  accuracy: Record<ArmName, AccuracyChange>;
  /** Cases that some arm got right in the baseline and wrong now. */
  newlyFailing: CaseChange[];
  /** Cases that some arm got wrong in the baseline and right now. */
  newlyPassing: CaseChange[];
  matchedCases: number;
  /** Cases of this run with no counterpart in the baseline. */
  newCases: number;
  /** Baseline cases with no counterpart in this run. */
  removedCases: number;
  /** Present when `max-regression-points` is set. */
  regression: RegressionCheck | undefined;
}

export interface BaselineComparison {
  suites: SuiteComparison[];
  /** Suites of this run the baseline does not have. */
  newSuites: string[];
  /** Baseline suites this run does not have. */
  removedSuites: string[];
  maxRegressionPoints: number | undefined;
  /** The compared suites whose regression check failed. */
  regressed: SuiteComparison[];
}

/** Below this, a difference in points is rounding noise of the fractions, not a change. */
const POINTS_EPSILON = 1e-9;

function suiteKeys<S extends { name: string; file: string }>(suites: readonly S[], ambiguous: ReadonlySet<string>): Map<string, S> {
  const keyed = new Map<string, S>();
  for (const suite of suites) {
    const key = ambiguous.has(suite.name) ? `${suite.name}\u0000${suite.file}` : suite.name;
    if (!keyed.has(key)) keyed.set(key, suite);
  }
  return keyed;
}

function repeatedNames(suites: readonly { name: string }[]): string[] {
  const seen = new Set<string>();
  return suites.map((s) => s.name).filter((name) => seen.has(name) || !seen.add(name));
}

function caseKeys<C extends { input: string }>(cases: readonly C[]): Map<string, C> {
  const occurrences = new Map<string, number>();
  const keyed = new Map<string, C>();
  for (const c of cases) {
    const n = (occurrences.get(c.input) ?? 0) + 1;
    occurrences.set(c.input, n);
    keyed.set(`${c.input}\u0000${n}`, c);
  }
  return keyed;
}

function armChange(before: boolean, after: boolean): CaseArmChange {
  if (before === after) return after ? "still-passing" : "still-failing";
  return after ? "newly-passing" : "newly-failing";
}

function compareSuite(now: SuiteReport, before: BaselineSuite, maxRegressionPoints: number | undefined): SuiteComparison {
  const accuracy = Object.fromEntries(
    ARMS.map((arm) => {
      const a = before.arms[arm].accuracy;
      const b = now.arms[arm].accuracy;
      return [arm, { before: a, after: b, changePoints: (b - a) * 100 }];
    }),
  ) as Record<ArmName, AccuracyChange>;

  const beforeCases = caseKeys<BaselineCase>(before.cases);
  const newlyFailing: CaseChange[] = [];
  const newlyPassing: CaseChange[] = [];
  let matchedCases = 0;
  for (const [key, c] of caseKeys(now.cases)) {
    const old = beforeCases.get(key);
    if (old === undefined) continue;
    matchedCases += 1;
    const arms = { few_shot: armChange(old.few_shot.correct, c.few_shot.correct), lora: armChange(old.lora.correct, c.lora.correct) };
    const change = { case: c, arms };
    if (ARMS.some((arm) => arms[arm] === "newly-failing")) newlyFailing.push(change);
    if (ARMS.some((arm) => arms[arm] === "newly-passing")) newlyPassing.push(change);
  }

  const dropPoints = -accuracy.few_shot.changePoints;
  return {
    suite: now,
    accuracy,
    newlyFailing,
    newlyPassing,
    matchedCases,
    newCases: now.cases.length - matchedCases,
    removedCases: before.cases.length - matchedCases,
    regression:
      maxRegressionPoints === undefined
        ? undefined
        : { dropPoints, limitPoints: maxRegressionPoints, failed: dropPoints > maxRegressionPoints + POINTS_EPSILON },
  };
}

export function compareWithBaseline(report: Report, baseline: BaselineReport, maxRegressionPoints: number | undefined): BaselineComparison {
  const ambiguous = new Set([...repeatedNames(report.suites), ...repeatedNames(baseline.suites)]);
  const nowSuites = suiteKeys(report.suites, ambiguous);
  const beforeSuites = suiteKeys(baseline.suites, ambiguous);
  const suites: SuiteComparison[] = [];
  const newSuites: string[] = [];
  for (const [key, suite] of nowSuites) {
    const before = beforeSuites.get(key);
    if (before === undefined) newSuites.push(suite.name);
    else suites.push(compareSuite(suite, before, maxRegressionPoints));
  }
  const removedSuites = [...beforeSuites].filter(([key]) => !nowSuites.has(key)).map(([, suite]) => suite.name);
  return { suites, newSuites, removedSuites, maxRegressionPoints, regressed: suites.filter((s) => s.regression?.failed === true) };
}

/** Newly failing cases by their identity in this run's report, for marking their annotations. */
export function newlyFailingCases(comparison: BaselineComparison | undefined): Set<CaseReport> {
  return new Set(comparison?.suites.flatMap((s) => s.newlyFailing.map((change) => change.case)) ?? []);
}
