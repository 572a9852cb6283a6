// Hand-made reports for the Action's pure logic: each case written as [input, expected, few-shot, LoRA].
import { buildReport } from "../../src/report/build.js";
import type { Report } from "../../src/report/types.js";
import type { GateConfig } from "../../src/types.js";
import { makeSuiteRun, ROOT } from "../report/suite-run-factory.js";

export { ROOT };

export type CaseRow = readonly [input: string, expected: string, fewShot: string, lora: string, must?: "must"];

export interface SuiteSpec {
  name?: string;
  file?: string;
  gate?: Partial<GateConfig>;
  callsPerDay?: number;
  cases: readonly CaseRow[];
}

export function reportOf(...suites: SuiteSpec[]): Report {
  const runs = suites.map((suite) =>
    makeSuiteRun({
      name: suite.name ?? "support",
      file: suite.file ?? "suites/support.cases.yaml",
      labels: ["yes", "no"],
      ...(suite.gate ? { gate: suite.gate } : {}),
      ...(suite.callsPerDay !== undefined ? { callsPerDay: suite.callsPerDay } : {}),
      cases: suite.cases.map(([input, expected, fewShot, lora, must], index) => ({ input, expected, fewShot, lora, must: must === "must", line: 10 + index })),
    }),
  );
  return buildReport(runs, { root: ROOT, now: new Date("2026-01-02T03:04:05.000Z") });
}

/** n cases "case 1".."case n", each right in both arms unless listed as missed by an arm. */
export function rows(n: number, missed: { fewShot?: number[]; lora?: number[] } = {}): CaseRow[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i + 1;
    return [`case ${k}`, "yes", missed.fewShot?.includes(k) ? "no" : "yes", missed.lora?.includes(k) ? "no" : "yes"] as const;
  });
}
