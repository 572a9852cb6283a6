// Builds SuiteRun values by hand for tests: every number in a test report is chosen, not measured.
import path from "node:path";
import type { ArmRun, CaseArmResult, CostConfig, GateConfig, ScoringMode, SuiteCase, SuiteRun } from "../../src/types.js";

export const ROOT = path.resolve("/repo");

export interface ArmCaseSpec {
  predicted: string;
  latencyMs?: number;
  promptTokens?: number;
  outputTokens?: number;
  scores?: Record<string, number>;
  generated?: string;
}

export interface CaseSpec {
  input: string;
  expected: string;
  must?: boolean;
  line?: number;
  fewShot: ArmCaseSpec | string;
  lora: ArmCaseSpec | string;
}

export interface RunSpec {
  name?: string;
  file?: string;
  labels?: string[];
  scoring?: ScoringMode;
  callsPerDay?: number;
  gate?: Partial<GateConfig>;
  cost?: CostConfig;
  cases: CaseSpec[];
}

function armCase(spec: ArmCaseSpec | string, expected: string, scoring: ScoringMode): CaseArmResult {
  const arm = typeof spec === "string" ? { predicted: spec } : spec;
  const result: CaseArmResult = {
    predicted: arm.predicted,
    correct: arm.predicted === expected,
    scores: arm.scores ?? {},
    confidence: scoring === "generate" ? (arm.predicted === expected ? 1 : 0) : 0.9,
    margin: scoring === "generate" ? 0 : 1.5,
    latencyMs: arm.latencyMs ?? 10,
    promptTokens: arm.promptTokens ?? 100,
    outputTokens: arm.outputTokens ?? 1,
  };
  if (arm.generated !== undefined) result.generated = arm.generated;
  return result;
}

export function makeSuiteRun(spec: RunSpec): SuiteRun {
  const file = path.join(ROOT, spec.file ?? "suites/support.yaml");
  const scoring = spec.scoring ?? "logprob";
  const labels = spec.labels ?? [...new Set(spec.cases.map((c) => c.expected))];
  const cases: SuiteCase[] = spec.cases.map((c, index) => ({
    index,
    input: c.input,
    expected: c.expected,
    must: c.must ?? false,
    location: { file, line: c.line ?? 20 + index * 3, column: 7 },
  }));
  const arm = (name: "few_shot" | "lora"): ArmRun => ({
    arm: name,
    scoring,
    cases: spec.cases.map((c) => armCase(name === "few_shot" ? c.fewShot : c.lora, c.expected, scoring)),
    tokensEvaluated: 5000,
    tokensMinimum: 4000,
    multiTokenLabels: [],
    sharedPrefixTokens: 40,
    contextSize: 4096,
    wallMs: 1234,
  });
  const model = (p: string) => ({ path: path.join(ROOT, p), written: p, envVars: [], location: { file, line: 3, column: 10 } });
  return {
    suite: {
      name: spec.name ?? "support",
      file,
      labels,
      fewShot: {
        model: model("models/base.gguf"),
        role: "a classifier",
        task: "classify",
        format: "one label",
        inputPrefix: "Input:",
        outputPrefix: "Output:",
        examples: [],
      },
      lora: { model: model("models/base.gguf"), adapter: model("models/adapter.gguf"), scale: 1, template: "{input}" },
      cases,
      scoring,
      lengthNormalize: false,
      volume: { callsPerDay: spec.callsPerDay ?? 1000 },
      ...(spec.cost ? { cost: spec.cost } : {}),
      gate: { withinPoints: 5, loraWinsPoints: 15, volumeThreshold: 100_000, failOn: "fine-tune", ...spec.gate },
      misses: "warn",
    },
    arms: { few_shot: arm("few_shot"), lora: arm("lora") },
    engine: { backend: "cpu", threads: 4, armsInParallel: false, contextSize: 4096, modelLoadMs: 321, nodeLlamaCppVersion: "3.21.1", kind: "local" },
  };
}

/** n cases of one label where the arms' correctness follows the given pattern counts. */
export function pairedRun(counts: { both: number; fewShotOnly: number; loraOnly: number; neither: number }, extra: Omit<RunSpec, "cases"> = {}): SuiteRun {
  const cases: CaseSpec[] = [];
  const push = (times: number, few: boolean, lora: boolean) => {
    for (let i = 0; i < times; i += 1) {
      cases.push({ input: `case ${cases.length + 1}`, expected: "yes", fewShot: few ? "yes" : "no", lora: lora ? "yes" : "no" });
    }
  };
  push(counts.both, true, true);
  push(counts.fewShotOnly, true, false);
  push(counts.loraOnly, false, true);
  push(counts.neither, false, false);
  return makeSuiteRun({ labels: ["yes", "no"], ...extra, cases });
}
