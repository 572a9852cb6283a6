// What each tunegate test leaves in its `meta` for reporters: a case test its case and its arm's full result,
// the gate test the suite's constants. Declared when the test is collected (not when it runs), so a test that
// `-t` skips carries it too, and a blob report carries it to `vitest --merge-reports`, where the reporter
// rebuilds the same suite runs, and so the same table, verdicts and report files, as in the process that ran
// them. Numbers go through text/json-numbers.ts, since blob reports are JSON.
import { decodeNumbers, encodeNumbers } from "../text/json-numbers.js";
import { ARMS, type ArmName, type CaseArmResult, type SuiteCase, type SuiteRun } from "../types.js";
import type { SuiteConstants, SuitePayload } from "./payload.js";

/** What each tunegate test leaves for reporters (Vitest's TaskMeta, readable through TestCase.meta()). */
export interface TunegateTestMeta {
  /** The suite file, as the plugin read it. */
  suiteFile: string;
  kind: "case" | "gate";
  arm?: ArmName;
  index?: number;
  correct?: boolean;
  /** What the arm predicted (the test's name holds only the input and the expected label). */
  predicted?: string;
  /** Whether a miss fails this test (a must case, or misses: fail); a miss that does not only warns. */
  failsOnMiss?: boolean;
  latencyMs?: number;
  gate?: NonNullable<SuitePayload["gate"]>["outcome"];
  /** Case tests: the case and this arm's result, JSON-safe (read with readCaseRecord). */
  record?: unknown;
  /** The gate test: the suite's constants, JSON-safe (read with rebuildSuiteRun). */
  constants?: unknown;
}

declare module "vitest" {
  interface TaskMeta {
    tunegate?: TunegateTestMeta;
  }
}

export interface CaseRecord {
  case: SuiteCase;
  result: CaseArmResult;
}

export function caseMeta(payload: SuitePayload, arm: ArmName, index: number): { tunegate: TunegateTestMeta } {
  const c = payload.cases[index]!;
  const result = c.arms[arm];
  const record: CaseRecord = { case: { index: c.index, input: c.input, expected: c.expected, must: c.must, location: c.location }, result };
  return {
    tunegate: {
      suiteFile: payload.file,
      kind: "case",
      arm,
      index,
      correct: result.correct,
      predicted: result.predicted,
      // A shard's misses neither fail nor warn: the merge decides (and its run's counts leave them out).
      ...(payload.shard ? {} : { failsOnMiss: c.must || payload.misses === "fail" }),
      latencyMs: result.latencyMs,
      record: encodeNumbers(record),
    },
  };
}

export function gateMeta(payload: SuitePayload): { tunegate: TunegateTestMeta } {
  const gate = payload.gate ? { gate: payload.gate.outcome } : {};
  return { tunegate: { suiteFile: payload.file, kind: "gate", ...gate, constants: encodeNumbers(payload.constants) } };
}

/**
 * The suite run that a suite's tests carry, or why it cannot be rebuilt (a test missing, e.g. a blob from an
 * older tunegate or a report merged from some shards only).
 */
export function rebuildSuiteRun(metas: readonly TunegateTestMeta[]): SuiteRun | string {
  const gate = metas.find((meta) => meta.kind === "gate" && meta.constants !== undefined);
  if (!gate) return "its results are missing (no gate test with tunegate's record)";
  const constants = decodeNumbers<SuiteConstants>(gate.constants);
  const records: Record<ArmName, Array<CaseRecord | undefined>> = { few_shot: [], lora: [] };
  for (const meta of metas) {
    if (meta.kind !== "case" || meta.arm === undefined || meta.index === undefined || meta.record === undefined) continue;
    if (!ARMS.includes(meta.arm) || !Number.isInteger(meta.index) || meta.index < 0 || meta.index >= constants.cases) continue;
    records[meta.arm][meta.index] = decodeNumbers<CaseRecord>(meta.record);
  }
  for (const arm of ARMS) {
    const found = records[arm].filter((record) => record !== undefined).length;
    if (found !== constants.cases) return `its results are incomplete (${found} of ${constants.cases} ${arm} cases recorded)`;
  }
  const cases = records.few_shot.map((record) => record!.case);
  const results = (arm: ArmName) => records[arm].map((record) => record!.result);
  return {
    ...constants.run,
    suite: { ...constants.suite, cases },
    arms: { few_shot: { ...constants.arms.few_shot, cases: results("few_shot") }, lora: { ...constants.arms.lora, cases: results("lora") } },
  };
}

/** Whether a test's result is a miss that passed because the suite only warns about it. */
export function isWarnedMiss(meta: TunegateTestMeta | undefined): boolean {
  return meta?.kind === "case" && meta.correct === false && meta.failsOnMiss === false;
}
