import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport, reportPath, reportToJson } from "../../src/report/build.js";
import type { Report } from "../../src/report/types.js";
import type { SuiteRun } from "../../src/types.js";
import { mulberry32 } from "../stats/prng.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { reportSchema, reportValidator } from "./schema-validator.js";
import { makeSuiteRun, pairedRun, ROOT, type CaseSpec } from "./suite-run-factory.js";

const NOW = new Date("2025-01-02T03:04:05.000Z");
const build = (runs: SuiteRun[]) => buildReport(runs, { root: ROOT, now: NOW });
const validate = reportValidator();

function expectValid(report: Report): void {
  const ok = validate(JSON.parse(reportToJson(report)));
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

const PRICED = {
  currency: "USD",
  fewShot: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  lora: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  fineTuneOneOff: 810,
};

function supportRun(): SuiteRun {
  return makeSuiteRun({
    labels: ["complaint", "inquiry", "praise"],
    callsPerDay: 100_000,
    cost: PRICED,
    cases: [
      { input: "The shipment arrived damaged.", expected: "complaint", fewShot: { predicted: "complaint", latencyMs: 120, promptTokens: 600, outputTokens: 2, scores: { complaint: -0.1, inquiry: -3, praise: -4 } }, lora: { predicted: "complaint", latencyMs: 40, promptTokens: 60, outputTokens: 2, scores: { complaint: -0.05, inquiry: -5, praise: -6 } } },
      { input: "What are your hours?", expected: "inquiry", must: true, fewShot: { predicted: "inquiry", latencyMs: 130, promptTokens: 600, outputTokens: 2 }, lora: { predicted: "complaint", latencyMs: 42, promptTokens: 60, outputTokens: 2 } },
      { input: "Love it!", expected: "praise", fewShot: { predicted: "inquiry", latencyMs: 125, promptTokens: 600, outputTokens: 2 }, lora: { predicted: "praise", latencyMs: 41, promptTokens: 60, outputTokens: 2 } },
    ],
  });
}

describe("buildReport: the issue's minimum fields", () => {
  const report = build([supportRun()]);
  const suite = report.suites[0]!;

  it("has the top-level fields", () => {
    expect(report.version).toBe(1);
    expect(report.gate).toBe("fail");
    expect(report.generated_at).toBe("2025-01-02T03:04:05.000Z");
    expect(report.suites).toHaveLength(1);
  });

  it("has every listed per-suite field with its meaning", () => {
    expect(suite.name).toBe("support");
    expect(suite.file).toBe("suites/support.yaml");
    expect(suite.verdict).toBe("ship-prompt");
    expect(suite.gate).toBe("fail"); // a must case was missed by LoRA
    expect(suite.reason).toMatch(/must case was missed: "What are your hours\?" at suites\/support\.yaml:23 \(missed by LoRA\)\.$/);
    expect(suite.delta_points).toBe(0);
    expect(suite.delta_ci95).toHaveLength(2);
    expect(suite.delta_ci95[0]).toBeLessThan(0);
    expect(suite.delta_ci95[1]).toBeGreaterThan(0);
    expect(suite.mcnemar).toMatchObject({ few_shot_only: 1, lora_only: 1, p_value: 1 });
  });

  it("has the listed arm fields, accuracies as fractions", () => {
    expect(suite.arms.few_shot).toMatchObject({
      accuracy: 2 / 3,
      correct: 2,
      total: 3,
      latency_ms: { mean: 125, p50: 125, p95: 129.5 },
      prompt_tokens_per_call: 600,
      tokens_evaluated: 5000,
      tokens_minimum: 4000,
    });
    expect(suite.arms.lora).toMatchObject({ accuracy: 2 / 3, correct: 2, total: 3, prompt_tokens_per_call: 60 });
    expect(typeof suite.arms.lora.macro_f1).toBe("number");
  });

  it("has every case with its source location and both arms' results", () => {
    expect(suite.cases[1]).toEqual({
      index: 1,
      input: "What are your hours?",
      expected: "inquiry",
      file: "suites/support.yaml",
      line: 23,
      column: 7,
      must: true,
      few_shot: { predicted: "inquiry", correct: true, scores: {}, confidence: 0.9, margin: 1.5, latency_ms: 130, prompt_tokens: 600, output_tokens: 2 },
      lora: { predicted: "complaint", correct: false, scores: {}, confidence: 0.9, margin: 1.5, latency_ms: 42, prompt_tokens: 60, output_tokens: 2 },
    });
    expect(suite.cases[0]!.few_shot.scores).toEqual({ complaint: -0.1, inquiry: -3, praise: -4 });
  });

  it("has the cost block when prices are given", () => {
    expect(suite.cost).toMatchObject({
      currency: "USD",
      calls_per_day: 100_000,
      few_shot: { cost_per_call: 0.0000912, cost_per_day: 9.12, cost_per_month: 273.6 },
      lora: { cost_per_call: 0.0000102, cost_per_day: 1.02, cost_per_month: 30.6 },
      extra_prompt_tokens_per_call: 540,
      cheaper_arm: "lora",
      daily_saving: 8.1,
      break_even_days: 100,
    });
    expect(suite.cost!.break_even_note).toBe("LoRA saves 8.10 USD a day, which repays the 810.00 USD fine-tune in 100.0 days");
  });

  it("adds thresholds, interval method, per-label metrics, confusion, engine and methods", () => {
    expect(suite.thresholds).toEqual({ within_points: 5, lora_wins_points: 15, volume_threshold: 100_000, fail_on: "fine-tune" });
    expect(suite.interval.method).toBe("newcombe-paired-hybrid-score");
    expect(suite.interval.straddled_thresholds).toEqual([-5, 5, 15]);
    expect(suite.arms.lora.confusion).toEqual({
      rows: ["complaint", "inquiry", "praise"],
      columns: ["complaint", "inquiry", "praise"],
      counts: [[1, 0, 0], [1, 0, 0], [0, 0, 1]],
    });
    expect(suite.arms.lora.per_label[1]).toEqual({ label: "inquiry", precision: null, recall: 0, f1: 0, support: 1, predicted: 0 });
    expect(suite.arms.lora.model).toBe("models/base.gguf");
    expect(suite.arms.lora.adapter).toEqual({ file: "models/adapter.gguf", scale: 1 });
    expect(suite.arms.few_shot.adapter).toBeNull();
    expect(suite.engine).toEqual({ backend: "cpu", threads: 4, arms_in_parallel: false, context_size: 4096, model_load_ms: 321, node_llama_cpp_version: "3.21.1", kind: "local" });
    expect(report.methods.delta_ci95).toMatch(/Newcombe/);
    expect(report.methods.percentile).toMatch(/type 7/);
    expect(suite.must_misses).toEqual([{ index: 1, input: "What are your hours?", expected: "inquiry", file: "suites/support.yaml", line: 23, arms: ["lora"] }]);
  });

  it("validates against the shipped schema", () => {
    expectValid(report);
  });
});

describe("buildReport: variations", () => {
  it("has cost null without prices", () => {
    const report = build([pairedRun({ both: 5, fewShotOnly: 0, loraOnly: 0, neither: 0 })]);
    expect(report.suites[0]!.cost).toBeNull();
    expectValid(report);
  });

  it("writes a non-finite score as null and keeps generate-mode output", () => {
    const logprob = makeSuiteRun({
      labels: ["a", "b"],
      cases: [{ input: "x", expected: "a", fewShot: { predicted: "a", scores: { a: -0.1, b: Number.NEGATIVE_INFINITY } }, lora: "a" }],
    });
    const generate = makeSuiteRun({
      scoring: "generate",
      labels: ["a", "b"],
      cases: [{ input: "x", expected: "a", fewShot: { predicted: "invalid", generated: "I think it is c" }, lora: { predicted: "a", generated: "a" } }],
    });
    const report = build([logprob, generate]);
    expect(report.suites[0]!.cases[0]!.few_shot.scores).toEqual({ a: -0.1, b: null });
    expect(report.suites[1]!.cases[0]!.few_shot.generated).toBe("I think it is c");
    expect(report.suites[1]!.arms.few_shot.invalid).toBe(1);
    expect(report.suites[1]!.arms.few_shot.confusion.columns).toEqual(["a", "b", "invalid"]);
    expect(JSON.parse(reportToJson(report))).toEqual(report);
    expectValid(report);
  });

  it("takes the worst gate of the suites and counts them", () => {
    const pass = pairedRun({ both: 20, fewShotOnly: 0, loraOnly: 0, neither: 0 });
    const warn = pairedRun({ both: 10, fewShotOnly: 0, loraOnly: 2, neither: 8 }); // +10: gray zone
    const fail = pairedRun({ both: 10, fewShotOnly: 0, loraOnly: 4, neither: 6 }, { callsPerDay: 100_000 }); // +20 at volume
    expect(build([pass, warn]).gate).toBe("warn");
    const all = build([pass, warn, fail]);
    expect(all.gate).toBe("fail");
    expect(all.summary).toEqual({ suites: 3, pass: 1, warn: 1, fail: 1 });
    expect(all.suites.map((s) => s.verdict)).toEqual(["ship-prompt", "gray-zone", "fine-tune"]);
    expectValid(all);
  });

  it("warns for a run of no suites, and the empty report is valid", () => {
    const report = build([]);
    expect(report.gate).toBe("warn");
    expectValid(report);
  });

  it("refuses a suite without cases or with misaligned arms", () => {
    const empty = makeSuiteRun({ labels: ["a"], cases: [] });
    expect(() => build([empty])).toThrow(/no cases/);
    const run = pairedRun({ both: 2, fewShotOnly: 0, loraOnly: 0, neither: 0 });
    run.arms.lora.cases.pop();
    expect(() => build([run])).toThrow(/1 results for 2 cases/);
  });

  it("makes paths relative to the root with forward slashes", () => {
    expect(reportPath("/repo", "/repo/suites/a.yaml")).toBe("suites/a.yaml");
    expect(reportPath("/repo/sub", "/repo/suites/a.yaml")).toBe("../suites/a.yaml");
    const run = pairedRun({ both: 1, fewShotOnly: 0, loraOnly: 0, neither: 0 });
    expect(buildReport([run], { root: path.join(ROOT, "suites"), now: NOW }).suites[0]!.file).toBe("support.yaml");
    // Default root: the working directory.
    const relative = buildReport([run], { now: NOW }).suites[0]!.file;
    expect(relative).toBe(path.relative(process.cwd(), run.suite.file).split(path.sep).join("/"));
  });

  it("lists suites by file path and then name, whatever order they ran in", () => {
    const counts = { both: 1, fewShotOnly: 0, loraOnly: 0, neither: 0 };
    const runs = [
      pairedRun(counts, { file: "suites/b.yaml", name: "one" }),
      pairedRun(counts, { file: "suites/a.yaml", name: "zeta" }),
      pairedRun(counts, { file: "suites/B.yaml", name: "upper" }),
      pairedRun(counts, { file: "suites/a.yaml", name: "alpha" }),
    ];
    const order = (report: Report) => report.suites.map((s) => `${s.file} ${s.name}`);
    // Code-unit order: "B" sorts before "a", on every machine's locale.
    expect(order(build(runs))).toEqual(["suites/B.yaml upper", "suites/a.yaml alpha", "suites/a.yaml zeta", "suites/b.yaml one"]);
    expect(order(build([...runs].reverse()))).toEqual(order(build(runs)));
  });

  it("reports the cases needed when the interval straddles a threshold", () => {
    const report = build([pairedRun({ both: 30, fewShotOnly: 3, loraOnly: 8, neither: 9 })]);
    const interval = report.suites[0]!.interval;
    expect(interval.straddled_thresholds.length).toBeGreaterThan(0);
    expect(interval.cases_needed).toBeGreaterThan(50);
    expect(interval.note).toContain(`about ${interval.cases_needed!.toLocaleString("en-US")} cases`);
    expect(report.suites[0]!.reason).toContain("cases would settle it");
  });

  it("says so when the interval settles the verdict", () => {
    const report = build([pairedRun({ both: 500, fewShotOnly: 0, loraOnly: 0, neither: 500 })]);
    expect(report.suites[0]!.interval.straddled_thresholds).toEqual([]);
    expect(report.suites[0]!.interval.cases_needed).toBeNull();
    expect(report.suites[0]!.interval.note).toContain("lies on one side of every threshold");
  });
});

describe("buildReport: the majority-class baseline and the warnings", () => {
  it("reports always answering the most expected label beside both arms", () => {
    const suite = build([supportRun()]).suites[0]!;
    // complaint, inquiry, praise once each: a tie, which goes to the first label in the suite's order.
    expect(suite.majority_baseline).toEqual({ label: "complaint", correct: 1, accuracy: 1 / 3 });
    expect(suite.warnings).toEqual([]);
  });

  it("warns of an arm that gave one label for every case, and of one no better than the baseline", () => {
    const run = makeSuiteRun({
      labels: ["a", "b", "c"],
      cases: [
        { input: "1", expected: "b", fewShot: "b", lora: "b" },
        { input: "2", expected: "b", fewShot: "b", lora: "a" },
        { input: "3", expected: "b", fewShot: "b", lora: "b" },
        { input: "4", expected: "a", fewShot: "b", lora: "c" },
      ],
    });
    const suite = build([run]).suites[0]!;
    expect(suite.majority_baseline).toEqual({ label: "b", correct: 3, accuracy: 0.75 });
    expect(suite.warnings).toEqual([
      'Few-shot predicted "b" for all 4 cases: check the few-shot examples and prompt',
      'LoRA scored 50.0%, no better than always answering "b" (75.0%, the majority-class baseline)',
    ]);
    expectValid(build([run]));
  });

  it("accepts a report written before the baseline existed (a stored baseline report)", () => {
    const old = JSON.parse(reportToJson(build([supportRun()]))) as { suites: Array<Record<string, unknown>> };
    delete old.suites[0]!.majority_baseline;
    delete old.suites[0]!.warnings;
    expect(validate(old)).toBe(true);
  });
});

describe("schema rejects what a report must not be", () => {
  const good = JSON.parse(reportToJson(build([supportRun()]))) as Record<string, unknown> & { suites: Record<string, unknown>[] };
  const mutate = (change: (copy: typeof good) => void) => {
    const copy = structuredClone(good);
    change(copy);
    return validate(copy);
  };

  it("accepts the original", () => {
    expect(validate(good)).toBe(true);
  });

  it.each([
    ["a missing minimum field", (r: typeof good) => delete r.suites[0]!.delta_points],
    ["an unknown field", (r: typeof good) => (r.suites[0]!.surprise = 1)],
    ["an accuracy above 1", (r: typeof good) => ((r.suites[0]!.arms as { lora: { accuracy: number } }).lora.accuracy = 95)],
    ["another version", (r: typeof good) => (r.version = 2)],
    ["an unknown verdict", (r: typeof good) => (r.suites[0]!.verdict = "maybe")],
    ["a one-ended interval", (r: typeof good) => (r.suites[0]!.delta_ci95 = [1])],
    ["a p-value as a string", (r: typeof good) => ((r.suites[0]!.mcnemar as { p_value: unknown }).p_value = "0.5")],
  ])("rejects %s", (_name, change) => {
    expect(mutate(change)).toBe(false);
  });
});

describe("the report agrees with its own case records (what an outside check recomputes)", () => {
  function randomRun(seed: number): SuiteRun {
    const random = mulberry32(seed);
    const labels = ["a", "b", "c"];
    const n = 1 + Math.floor(random() * 120);
    const fewSkill = random();
    const loraSkill = random();
    const cases: CaseSpec[] = Array.from({ length: n }, (_, i) => {
      const expected = labels[Math.floor(random() * 3)]!;
      const guess = (skill: number) => (random() < skill ? expected : labels[(labels.indexOf(expected) + 1) % 3]!);
      return { input: `case ${i}`, expected, must: false, fewShot: { predicted: guess(fewSkill), latencyMs: random() * 100 }, lora: { predicted: guess(loraSkill), latencyMs: random() * 50 } };
    });
    return makeSuiteRun({ labels, cases, callsPerDay: random() < 0.5 ? 100_000 : 1_000, gate: { failOn: (["fine-tune", "gray-zone", "never"] as const)[seed % 3] } });
  }

  /** The rule restated with integer cross-multiplication (thresholds here are whole numbers). */
  function expectedVerdict(fewCorrect: number, loraCorrect: number, n: number, calls: number): string {
    const d100 = 100 * (loraCorrect - fewCorrect);
    if (Math.abs(d100) <= 5 * n) return "ship-prompt";
    if (d100 < -5 * n) return "prompt-wins";
    if (d100 >= 15 * n) return calls >= 100_000 ? "fine-tune" : "lora-wins-low-volume";
    return "gray-zone";
  }

  function binomialTwoSided(b: number, c: number): number {
    // Direct sum in floating point with a running term: fine for these small tables.
    const n = b + c;
    const m = Math.min(b, c);
    let term = 0.5 ** n;
    let tail = term;
    for (let k = 1; k <= m; k += 1) {
      term = (term * (n - k + 1)) / k;
      tail += term;
    }
    return Math.min(1, 2 * tail);
  }

  it("for 200 random suites: verdict, delta, McNemar counts and p, and schema validity", () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const run = randomRun(seed);
      const report = build([run]);
      const suite = report.suites[0]!;
      const fewCorrect = suite.cases.filter((c) => c.few_shot.correct).length;
      const loraCorrect = suite.cases.filter((c) => c.lora.correct).length;
      const b = suite.cases.filter((c) => c.few_shot.correct && !c.lora.correct).length;
      const c = suite.cases.filter((c2) => !c2.few_shot.correct && c2.lora.correct).length;
      const n = suite.cases.length;
      expect(suite.delta_points).toBeCloseTo(((loraCorrect - fewCorrect) / n) * 100, 10);
      expect(suite.verdict).toBe(expectedVerdict(fewCorrect, loraCorrect, n, run.suite.volume.callsPerDay));
      expect(suite.mcnemar.few_shot_only).toBe(b);
      expect(suite.mcnemar.lora_only).toBe(c);
      expect(suite.mcnemar.p_value).toBeCloseTo(binomialTwoSided(b, c), 12);
      expect(suite.arms.few_shot.accuracy).toBeCloseTo(fewCorrect / n, 15);
      expect(suite.delta_ci95[0]).toBeLessThanOrEqual(suite.delta_points + 1e-9);
      expect(suite.delta_ci95[1]).toBeGreaterThanOrEqual(suite.delta_points - 1e-9);
      expect(validate(JSON.parse(reportToJson(report)))).toBe(true);
    }
  });
});

describe("the shipped schema", () => {
  it("compiles with a default Ajv2020 and warns about nothing", () => {
    const warnings: unknown[] = [];
    const logger = { log: () => undefined, warn: (...args: unknown[]) => warnings.push(args), error: (...args: unknown[]) => warnings.push(args) };
    const ajv = new Ajv2020({ logger });
    expect(() => ajv.compile(reportSchema)).not.toThrow();
    expect(warnings).toEqual([]);
  });

  it("rejects a malformed timestamp", () => {
    const report = JSON.parse(reportToJson(build([]))) as { generated_at: string };
    report.generated_at = "yesterday";
    expect(validate(report)).toBe(false);
  });
});
