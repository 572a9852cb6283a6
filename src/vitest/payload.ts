// What a generated test module carries into the worker: the recorded result of every case and the gate,
// already decided in Vitest's main process. Plain JSON, so it survives being written into source code.
import type { SuiteReport } from "../report/types.js";
import { gateHeadline } from "../report/wording.js";
import type { ArmName, CaseArmResult, MissPolicy, SourceLocation, SuiteRun } from "../types.js";

/** The part of a case's result that the worker's test reports. */
export type CaseArmPayload = Pick<CaseArmResult, "predicted" | "correct" | "scores" | "latencyMs" | "generated">;

export interface CasePayload {
  input: string;
  expected: string;
  must: boolean;
  location: SourceLocation;
  arms: Record<ArmName, CaseArmPayload>;
}

export interface SuitePayload {
  name: string;
  file: string;
  misses: MissPolicy;
  cases: CasePayload[];
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
  };
}

export function buildSuitePayload(run: SuiteRun, report: SuiteReport): SuitePayload {
  const { suite } = run;
  return {
    name: suite.name,
    file: suite.file,
    misses: suite.misses,
    cases: suite.cases.map((c, i) => ({
      input: c.input,
      expected: c.expected,
      must: c.must,
      location: c.location,
      arms: {
        few_shot: armPayload(run, "few_shot", i),
        lora: armPayload(run, "lora", i),
      },
    })),
    gate: {
      outcome: report.gate,
      verdict: report.verdict,
      reason: report.reason,
      failOn: suite.gate.failOn,
      headline: gateHeadline(report),
      mustMisses: report.must_misses.map((miss) => miss.index),
      accuracy: { few_shot: report.arms.few_shot.accuracy, lora: report.arms.lora.accuracy },
      deltaPoints: report.delta_points,
    },
  };
}

function armPayload(run: SuiteRun, arm: ArmName, index: number): CaseArmPayload {
  const result = run.arms[arm].cases[index]!;
  return {
    predicted: result.predicted,
    correct: result.correct,
    scores: result.scores,
    latencyMs: result.latencyMs,
    ...(result.generated !== undefined ? { generated: result.generated } : {}),
  };
}
