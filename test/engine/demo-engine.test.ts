// The engine on the forged demo models, through real llama.cpp: accuracy, cache reuse, token economy, determinism.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine } from "../../src/engine/local/local-engine.js";
import type { ArmSettings } from "../../src/engine/local/run-arm.js";
import { renderLoraPrompt } from "../../src/prompts.js";
import type { Suite, SuiteRun } from "../../src/types.js";
import { forgeDemo, loadDemoSuite } from "../helpers/forged.js";

const forged = forgeDemo();
const engine = createLocalEngine();
afterAll(() => engine.dispose());
let suite: Suite;
let run: SuiteRun;

const accuracy = (r: SuiteRun, arm: "few_shot" | "lora") => r.arms[arm].cases.filter((c) => c.correct).length / r.arms[arm].cases.length;

beforeAll(async () => {
  suite = await loadDemoSuite(forged);
  run = await engine.runSuite(suite, { threads: 1 });
});

describe("the demo suite on the forged models", () => {
  it("the few-shot arm gets between 50 % and 80 % right, the LoRA arm at least 90 %", () => {
    expect(run.suite.cases.length).toBeGreaterThanOrEqual(40);
    expect(accuracy(run, "few_shot")).toBeGreaterThanOrEqual(0.5);
    expect(accuracy(run, "few_shot")).toBeLessThanOrEqual(0.8);
    expect(accuracy(run, "lora")).toBeGreaterThanOrEqual(0.9);
  });

  it("scores every label, predicts the best, and reports confidence and margin", () => {
    for (const result of run.arms.lora.cases) {
      expect(Object.keys(result.scores)).toEqual(suite.labels);
      const best = Math.max(...Object.values(result.scores));
      expect(result.scores[result.predicted]).toBe(best);
      expect(result.confidence).toBeGreaterThan(0.25);
      expect(result.confidence).toBeLessThanOrEqual(1);
      expect(result.margin).toBeGreaterThanOrEqual(0);
      expect(result.outputTokens).toBe(1);
      expect(result.latencyMs).toBeGreaterThan(0);
    }
    expect(run.arms.few_shot.multiTokenLabels).toEqual([]);
  });

  it("the adapter changes predictions", () => {
    const changed = run.arms.few_shot.cases.filter((c, i) => c.predicted !== run.arms.lora.cases[i]!.predicted);
    expect(changed.length).toBeGreaterThanOrEqual(10);
  });

  it("counts the prompt a production call would send, and the few-shot one is longer", () => {
    const fewShot = run.arms.few_shot.cases[0]!.promptTokens;
    const lora = run.arms.lora.cases[0]!.promptTokens;
    expect(fewShot).toBeGreaterThan(100);
    expect(lora).toBeLessThan(30);
    expect(run.arms.few_shot.sharedPrefixTokens).toBeGreaterThan(100);
  });

  it("evaluates no more than 1.1x the theoretical minimum of tokens, and never fewer than it", () => {
    for (const arm of Object.values(run.arms)) {
      expect(arm.tokensEvaluated).toBeLessThanOrEqual(1.1 * arm.tokensMinimum);
      expect(arm.tokensEvaluated).toBeGreaterThanOrEqual(arm.tokensMinimum);
      // Without reuse the few-shot arm would evaluate every prompt in full.
      const everyPromptInFull = arm.cases.reduce((sum, c) => sum + c.promptTokens, 0);
      if (arm.arm === "few_shot") expect(arm.tokensEvaluated).toBeLessThan(everyPromptInFull / 4);
    }
  });

  it("never evaluates fewer tokens than the minimum when cases share words beyond the common prefix, or repeat", async () => {
    // Consecutive cases sharing their first words reuse more of the cache than the prefix all cases share; a
    // minimum of "shared prefix once + each case's own suffix" then exceeded what was evaluated (838 / 840).
    const inputs = ["please cancel my order now", "please cancel my order today", "please cancel my plan", "please cancel my plan", "thanks a lot"];
    const cases = inputs.map((input, index) => ({ ...suite.cases[index]!, index, input }));
    for (const scoring of ["logprob", "generate"] as const) {
      const shared = await engine.runSuite({ ...suite, cases, scoring }, { threads: 1 });
      for (const arm of Object.values(shared.arms)) {
        expect(arm.tokensEvaluated).toBeGreaterThanOrEqual(arm.tokensMinimum);
        const ownSuffixes = arm.sharedPrefixTokens + arm.cases.reduce((sum, c) => sum + c.promptTokens - arm.sharedPrefixTokens, 0);
        expect(arm.tokensMinimum).toBeLessThan(ownSuffixes);
      }
    }
  });

  it("gives identical predictions and scores on a second run", async () => {
    const again = await engine.runSuite(suite, { threads: 1 });
    for (const arm of ["few_shot", "lora"] as const) {
      again.arms[arm].cases.forEach((c, i) => {
        const first = run.arms[arm].cases[i]!;
        expect(c.predicted).toBe(first.predicted);
        for (const label of suite.labels) expect(c.scores[label]).toBeCloseTo(first.scores[label]!, 4);
      });
      expect(again.arms[arm].tokensEvaluated).toBeLessThanOrEqual(1.1 * again.arms[arm].tokensMinimum);
      expect(again.arms[arm].tokensEvaluated).toBeGreaterThanOrEqual(again.arms[arm].tokensMinimum);
    }
  });

  it("gives the same scores with the arms side by side as one after the other", async () => {
    const side = await engine.runSuite(suite, { threads: 1, parallelArms: true });
    const alone = await engine.runSuite(suite, { threads: 1, parallelArms: false });
    expect(side.engine.armsInParallel).toBe(true);
    expect(alone.engine.armsInParallel).toBe(false);
    for (const arm of ["few_shot", "lora"] as const) {
      alone.arms[arm].cases.forEach((c, i) => expect(side.arms[arm].cases[i]!.scores).toEqual(c.scores));
      expect(side.arms[arm].tokensEvaluated).toBe(alone.arms[arm].tokensEvaluated);
    }
  });

  it("loads the model file once for any number of runs", async () => {
    const before = engine.modelLoads;
    await engine.runSuite(suite, { threads: 1 });
    expect(engine.modelLoads).toBe(before);
  });

  it("reports progress per arm up to the number of cases", async () => {
    const seen: string[] = [];
    await engine.runSuite(suite, { threads: 1, onProgress: (p) => seen.push(`${p.arm} ${p.done}/${p.total}`) });
    expect(seen).toContain(`few_shot ${suite.cases.length}/${suite.cases.length}`);
    expect(seen).toContain(`lora ${suite.cases.length}/${suite.cases.length}`);
    expect(seen.length).toBe(2 * suite.cases.length);
  });
});

describe("scores with cache reuse equal scores from a fresh context", () => {
  it("matches case by case to 1e-4", async () => {
    const { model } = await engine.loadModel(suite.fewShot.model.path);
    const picks = [0, 7, 21, 44];
    for (const index of picks) {
      const c = suite.cases[index]!;
      const alone: Omit<ArmSettings, "log"> = {
        arm: "lora",
        model,
        modelPath: suite.fewShot.model.path,
        trainContextSize: 2048,
        adapter: { path: suite.lora.adapter.path, scale: 1 },
        labels: suite.labels,
        cases: [{ ...c, index: 0 }],
        prompts: [renderLoraPrompt(suite.lora, c.input)],
        scoring: "logprob",
        lengthNormalize: false,
        threads: 1,
        maxGeneratedTokens: 10,
      };
      const fresh = await engine.runArm(alone);
      for (const label of suite.labels) {
        expect(fresh.cases[0]!.scores[label]).toBeCloseTo(run.arms.lora.cases[index]!.scores[label]!, 4);
      }
    }
  });
});

describe("adapter scale", () => {
  it("at scale 0 the adapter leaves the base model's scores unchanged", async () => {
    const { model } = await engine.loadModel(suite.fewShot.model.path);
    const settings: Omit<ArmSettings, "log"> = {
      arm: "lora",
      model,
      modelPath: suite.fewShot.model.path,
      trainContextSize: 2048,
      labels: suite.labels,
      cases: suite.cases,
      prompts: suite.cases.map((c) => renderLoraPrompt(suite.lora, c.input)),
      scoring: "logprob",
      lengthNormalize: false,
      threads: 1,
      
      maxGeneratedTokens: 10,
    };
    const withoutAdapter = await engine.runArm(settings);
    const atZero = await engine.runArm({ ...settings, adapter: { path: suite.lora.adapter.path, scale: 0 } });
    const atOne = await engine.runArm({ ...settings, adapter: { path: suite.lora.adapter.path, scale: 1 } });
    atZero.cases.forEach((c, i) => {
      for (const label of suite.labels) expect(c.scores[label]).toBe(withoutAdapter.cases[i]!.scores[label]);
    });
    const differing = atOne.cases.filter((c, i) => suite.labels.some((l) => Math.abs(c.scores[l]! - withoutAdapter.cases[i]!.scores[l]!) > 0.1));
    expect(differing.length).toBeGreaterThan(10);
  });
});

describe("generate mode (the article's method)", () => {
  it("decodes greedily, reads the first word, and agrees with logprob scoring on single-token labels", async () => {
    const generated = await engine.runSuite({ ...suite, scoring: "generate" }, { threads: 1 });
    for (const arm of ["few_shot", "lora"] as const) {
      generated.arms[arm].cases.forEach((c, i) => {
        expect(`${arm} ${i} ${c.predicted} ${JSON.stringify(c.generated)}`).toBe(`${arm} ${i} ${run.arms[arm].cases[i]!.predicted} ${JSON.stringify(c.generated)}`);
        expect(c.generated?.trim()).toBe(c.predicted);
        expect(c.scores).toEqual({});
        // The demo model ends its answer after the label: one token, then end of generation.
        expect(c.outputTokens).toBe(1);
      });
      expect(generated.arms[arm].tokensEvaluated).toBeLessThanOrEqual(1.1 * generated.arms[arm].tokensMinimum);
      expect(generated.arms[arm].tokensEvaluated).toBeGreaterThanOrEqual(generated.arms[arm].tokensMinimum);
    }
  });
});
