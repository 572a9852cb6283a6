// The result cache in front of the real local engine, on the forged demo models through llama.cpp. Each run
// uses a fresh engine (a new process would), so the model loads and tokens counted are this run's own.
import { readFileSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { withResultCache, type CachingEngine } from "../../src/cache/caching-engine.js";
import { resultsPath } from "../../src/cache/store.js";
import { createLocalEngine, type LocalEngine } from "../../src/engine/local/local-engine.js";
import { buildSuiteReport } from "../../src/report/build.js";
import { ARMS, type Suite, type SuiteRun } from "../../src/types.js";
import { forgeDemo, loadDemoSuite, temporaryDir } from "../helpers/forged.js";
import { reportValidator } from "../report/schema-validator.js";

const forged = forgeDemo();
const OPTIONS = { threads: 1, parallelArms: false };

interface Fresh {
  engine: LocalEngine;
  cached: CachingEngine;
  lines: string[];
}

/** A new engine with the cache in `dir` in front of it, disposed after the test file. */
const engines: LocalEngine[] = [];
function fresh(dir: string): Fresh {
  const engine = createLocalEngine();
  engines.push(engine);
  const lines: string[] = [];
  return { engine, cached: withResultCache(engine, { dir, log: (line) => lines.push(line) }), lines };
}

const cachedCount = (run: SuiteRun) => ARMS.map((arm) => run.arms[arm].cases.filter((c) => c.cached !== undefined).length);
/** What a case's result is, without when and how long: the part the cache must give back unchanged. */
const outcome = (run: SuiteRun) => ARMS.map((arm) => run.arms[arm].cases.map(({ predicted, scores, confidence, margin, promptTokens, outputTokens }) => ({ predicted, scores, confidence, margin, promptTokens, outputTokens })));

let suite: Suite;
let dir: string;
let first: SuiteRun;

beforeAll(async () => {
  suite = await loadDemoSuite(forged);
  dir = temporaryDir("tunegate-cache-");
  const { engine, cached } = fresh(dir);
  first = await cached.runSuite(suite, OPTIONS);
  expect(engine.modelLoads).toBe(1);
  return async () => {
    for (const engine of engines) await engine.dispose();
  };
});

describe("the result cache on the demo suite", () => {
  it("measures every case on the first run and says the cache was on", () => {
    expect(cachedCount(first)).toEqual([0, 0]);
    expect(first.resultCache).toBe(true);
    expect(first.arms.few_shot.tokensEvaluated).toBeGreaterThan(0);
  });

  it("re-reports a volume, cost, gate and misses change without loading a model or evaluating a token", async () => {
    const { engine, cached, lines } = fresh(dir);
    const changed: Suite = {
      ...suite,
      volume: { callsPerDay: 5 },
      cost: suite.cost ? { ...suite.cost, fineTuneOneOff: 1 } : undefined,
      gate: { ...suite.gate, withinPoints: 1, failOn: "never" },
      misses: "fail",
    };
    const again = await cached.runSuite(changed, OPTIONS);
    expect(engine.modelLoads).toBe(0);
    expect(await cached.filesHashed()).toBe(0);
    expect(cachedCount(again)).toEqual([suite.cases.length, suite.cases.length]);
    for (const arm of ARMS) {
      expect(again.arms[arm].tokensEvaluated).toBe(0);
      expect(again.arms[arm].wallMs).toBe(0);
      expect(again.arms[arm].cases.map((c) => c.latencyMs)).toEqual(first.arms[arm].cases.map((c) => c.latencyMs));
    }
    expect(outcome(again)).toEqual(outcome(first));
    expect(lines).toEqual([`tunegate ▸ ${suite.name}: ${suite.cases.length} of ${suite.cases.length} cases from the result cache`]);

    const before = buildSuiteReport(first);
    const after = buildSuiteReport(again);
    expect(after.verdict).not.toBe(before.verdict);
    expect(after.cache).toMatchObject({ enabled: true, few_shot: suite.cases.length, lora: suite.cases.length });
    expect(after.cache!.measured_from).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(after.cases.every((c) => c.lora.cached?.measured_at !== undefined)).toBe(true);
    expect(before.cache).toEqual({ enabled: true, few_shot: 0, lora: 0, measured_from: null, measured_to: null });
    const validate = reportValidator();
    expect(validate({ version: 1, tool: "tunegate", generated_at: "2026-12-01T00:00:00Z", gate: "pass", summary: { suites: 1, pass: 1, warn: 0, fail: 0 }, methods: {
      delta: "", delta_ci95: "", p_value: "", percentile: "", per_label: "", sample_size: "", cost: "" }, suites: [after] }), JSON.stringify(validate.errors)).toBe(true);
  });

  it("re-decides correctness from the expected labels as they are now, without inference", async () => {
    const { engine, cached } = fresh(dir);
    const flipped = { ...suite, cases: suite.cases.map((c, i) => (i === 0 ? { ...c, expected: suite.labels.find((l) => l !== c.expected)! } : c)) };
    const again = await cached.runSuite(flipped, OPTIONS);
    expect(engine.modelLoads).toBe(0);
    for (const arm of ARMS) {
      expect(again.arms[arm].cases[0]!.correct).toBe(again.arms[arm].cases[0]!.predicted === flipped.cases[0]!.expected);
      expect(again.arms[arm].cases[0]!.predicted).toBe(first.arms[arm].cases[0]!.predicted);
    }
  });

  it("re-runs only an edited case: the tokens evaluated are that case's alone", async () => {
    const editDir = temporaryDir("tunegate-cache-edit-");
    await fresh(editDir).cached.runSuite(suite, OPTIONS);
    const index = 4;
    // Words the forged vocabulary knows, in a text no case has.
    const input = `${suite.cases[index + 1]!.input} ${suite.cases[index + 2]!.input}`;
    const edited: Suite = { ...suite, cases: suite.cases.map((c, i) => (i === index ? { ...c, input } : c)) };

    const { engine, cached, lines } = fresh(editDir);
    const again = await cached.runSuite(edited, OPTIONS);
    expect(engine.modelLoads).toBe(1);
    expect(cachedCount(again)).toEqual([suite.cases.length - 1, suite.cases.length - 1]);
    expect(lines).toEqual([`tunegate ▸ ${suite.name}: ${suite.cases.length - 1} of ${suite.cases.length} cases from the result cache; 1 run now`]);

    // The same one case on its own, without a cache: the same tokens, the same prediction.
    const alone = await engine.runSuite({ ...edited, cases: [edited.cases[index]!] }, OPTIONS);
    for (const arm of ARMS) {
      expect(again.arms[arm].cases[index]!.cached).toBeUndefined();
      expect(again.arms[arm].tokensEvaluated).toBe(alone.arms[arm].tokensEvaluated);
      expect(again.arms[arm].tokensEvaluated).toBeLessThan(first.arms[arm].tokensEvaluated);
      // The case's prompt and its labels' tokens, nothing of any other case.
      expect(again.arms[arm].tokensEvaluated).toBeGreaterThanOrEqual(again.arms[arm].cases[index]!.promptTokens);
      expect(again.arms[arm].tokensEvaluated).toBeLessThanOrEqual(again.arms[arm].cases[index]!.promptTokens + 4 * suite.labels.length);
      expect(again.arms[arm].cases[index]!.predicted).toBe(alone.arms[arm].cases[0]!.predicted);
      // Every other case keeps its place and its result.
      expect(again.arms[arm].cases.filter((_, i) => i !== index).map((c) => c.predicted)).toEqual(first.arms[arm].cases.filter((_, i) => i !== index).map((c) => c.predicted));
    }

    // The edited case is now cached too; the old text's result was dropped from the file.
    const third = fresh(editDir);
    const later = await third.cached.runSuite(edited, OPTIONS);
    expect(third.engine.modelLoads).toBe(0);
    expect(cachedCount(later)).toEqual([suite.cases.length, suite.cases.length]);
    const stored = JSON.parse(readFileSync(resultsPath(editDir, suite.file), "utf8")) as { entries: object };
    expect(Object.keys(stored.entries)).toHaveLength(2 * suite.cases.length);
  });

  it("serves a case edited to another case's text from the cache: results are keyed by content, not position", async () => {
    const { engine, cached } = fresh(dir);
    const copied = { ...suite, cases: suite.cases.map((c, i) => (i === 4 ? { ...c, input: suite.cases[5]!.input } : c)) };
    const again = await cached.runSuite(copied, OPTIONS);
    expect(engine.modelLoads).toBe(0);
    for (const arm of ARMS) expect(again.arms[arm].cases[4]!.scores).toEqual(first.arms[arm].cases[5]!.scores);
  });

  it("runs every case again for another LoRA scale", async () => {
    const { engine, cached } = fresh(dir);
    const again = await cached.runSuite({ ...suite, lora: { ...suite.lora, scale: 0.5 } }, OPTIONS);
    expect(engine.modelLoads).toBe(1);
    expect(cachedCount(again)).toEqual([0, 0]);
  });

  it("ignores a truncated results file with a warning and runs every case again", async () => {
    const damagedDir = temporaryDir("tunegate-cache-damaged-");
    await fresh(damagedDir).cached.runSuite(suite, OPTIONS);
    const path = resultsPath(damagedDir, suite.file);
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.slice(0, text.length >> 1));

    const { engine, cached, lines } = fresh(damagedDir);
    const again = await cached.runSuite(suite, OPTIONS);
    expect(engine.modelLoads).toBe(1);
    expect(cachedCount(again)).toEqual([0, 0]);
    expect(lines).toEqual([expect.stringMatching(/^tunegate ▸ warning: result cache .*: results\/[0-9a-f]{64}\.json is not valid JSON \(truncated or damaged\); ignoring it$/)]);
    expect(outcome(again)).toEqual(outcome(first));
  });

  it("does not use a tampered entry: that case runs again", async () => {
    const tamperedDir = temporaryDir("tunegate-cache-tampered-");
    await fresh(tamperedDir).cached.runSuite(suite, OPTIONS);
    const path = resultsPath(tamperedDir, suite.file);
    const data = JSON.parse(readFileSync(path, "utf8")) as { entries: Record<string, { result: { predicted: string } }> };
    const victim = Object.values(data.entries)[0]!;
    victim.result.predicted = "not-a-label";
    writeFileSync(path, JSON.stringify(data));

    const { engine, cached, lines } = fresh(tamperedDir);
    const again = await cached.runSuite(suite, OPTIONS);
    expect(engine.modelLoads).toBe(1);
    expect(cachedCount(again).reduce((a, b) => a + b)).toBe(2 * suite.cases.length - 2);
    expect(lines[0]).toMatch(/1 malformed entry in results\/[0-9a-f]{64}\.json ignored; its case runs again$/);
    expect(outcome(again)).toEqual(outcome(first));
  });
});
