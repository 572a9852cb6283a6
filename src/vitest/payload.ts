// What a generated test module carries into the worker: the recorded result of every case and the gate,
// already decided in Vitest's main process, and the suite's constants. Plain JSON (non-finite numbers tagged,
// see text/json-numbers.ts), so it survives being written into source code; the tests hand it on in their
// `meta`, from which the reporter rebuilds the run (also in a `vitest --merge-reports` process).
import type { SuiteReport } from "../report/types.js";
import { gateHeadline } from "../report/wording.js";
import type { ArmName, ArmRun, CaseArmResult, MissPolicy, SourceLocation, Suite, SuiteRun } from "../types.js";

/** A case's result in one arm, as the engine recorded it. */
export type CaseArmPayload = CaseArmResult;

export interface CasePayload {
  /** The case's position in the whole suite (a shard runs only some of them). */
  index: number;
  input: string;
  expected: string;
  must: boolean;
  location: SourceLocation;
  arms: Record<ArmName, CaseArmPayload>;
}

/** Everything of a suite run except its cases and their results: carried by the gate test's meta. */
export interface SuiteConstants {
  suite: Omit<Suite, "cases">;
  arms: Record<ArmName, Omit<ArmRun, "cases">>;
  /** Every other field of the run (the engine, whether the result cache was on, what comes next), whole. */
  run: Omit<SuiteRun, "suite" | "arms">;
  /** How many cases the suite has: a rebuilt run with fewer case records is incomplete. */
  cases: number;
}

export interface SuitePayload {
  name: string;
  file: string;
  misses: MissPolicy;
  cases: CasePayload[];
  /** Set when only this shard of the suite's cases ran (`tunegate run --shard`): then there is no gate. */
  shard?: { index: number; count: number };
  /** The suite's gate; null for a shard, whose verdict `tunegate merge` decides from every shard's cases. */
  gate: {
    outcome: SuiteReport["gate"];
    verdict: SuiteReport["verdict"];
    reason: string;
    failOn: string;
    /** What the gate test says first: `gate FAIL: must case missed at file:line` (report/wording.ts). */
    headline: string;
    /** Indices of the must cases an arm missed, in case order: the first is where a failed gate points. */
    mustMisses: number[];
    accuracy: Record<ArmName, number>;
    deltaPoints: number;
  } | null;
  constants: SuiteConstants;
}

export function suiteConstants(run: SuiteRun): SuiteConstants {
  const { suite: { cases, ...suite }, arms: _arms, ...rest } = run;
  const withoutCases = (arm: ArmRun): Omit<ArmRun, "cases"> => {
    const { cases: _results, ...rest } = arm;
    return rest;
  };
  return { suite, arms: { few_shot: withoutCases(run.arms.few_shot), lora: withoutCases(run.arms.lora) }, run: rest, cases: cases.length };
}

/** The payload of a suite run; `report` is the run's report, absent for a shard's run, which has none. */
export function buildSuitePayload(run: SuiteRun, report: SuiteReport | undefined): SuitePayload {
  const { suite } = run;
  return {
    name: suite.name,
    file: suite.file,
    misses: suite.misses,
    ...(run.shard ? { shard: { index: run.shard.index, count: run.shard.count } } : {}),
    cases: suite.cases.map((c, i) => ({
      index: c.index,
      input: c.input,
      expected: c.expected,
      must: c.must,
      location: c.location,
      arms: { few_shot: run.arms.few_shot.cases[i]!, lora: run.arms.lora.cases[i]! },
    })),
    gate: report === undefined ? null : {
      outcome: report.gate,
      verdict: report.verdict,
      reason: report.reason,
      failOn: suite.gate.failOn,
      headline: gateHeadline(report),
      mustMisses: report.must_misses.map((miss) => miss.index),
      accuracy: { few_shot: report.arms.few_shot.accuracy, lora: report.arms.lora.accuracy },
      deltaPoints: report.delta_points,
    },
    constants: suiteConstants(run),
  };
}
