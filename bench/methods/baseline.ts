// The baseline: the plain transformers-pipeline loop, reimplemented on node-llama-cpp as faithfully as the runtime allows: per arm, load the
// model (and the adapter), then for every case evaluate the whole prompt from an empty cache, decode greedily
// up to 10 new tokens, and read the first word. Nothing is carried from one case to the next.
//
// Choices that favour the baseline, so the speedup is not flattered: one binding for both arms (Python pays
// for its interpreter once too), one context per arm with its cache cleared per case (transformers allocates a
// fresh cache per call, which costs more), and the runtime's thread choice for one context rather than
// node-llama-cpp's default (the benchmark also runs it at other thread counts and takes its fastest).
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { alignContextSize } from "../../src/engine/engine.js";
import type { LocalEngine } from "../../src/engine/local/local-engine.js";
import { chooseThreads } from "../../src/engine/local/threads.js";
import { tokenizePrompt } from "../../src/engine/local/tokens.js";
import { parseGeneratedLabel } from "../../src/engine/parse-output.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../../src/prompts.js";
import type { Suite } from "../../src/types.js";
import type { ArmOutcome } from "../tasks.js";
import type { MethodRun } from "./method-run.js";

/** The baseline loop's `max_new_tokens`. */
export const BASELINE_MAX_NEW_TOKENS = 10;

const GREEDY = { generateNext: { token: true, options: { temperature: 0 } } } as const;

/** The baseline loop's `pipe(prompt)`: the full prompt, then greedy decoding until 10 tokens or end of generation. */
async function generateFromScratch(sequence: LlamaContextSequence, model: LlamaModel, prompt: readonly Token[]): Promise<string> {
  await sequence.clearHistory();
  const input = prompt.map((token, i) => (i === prompt.length - 1 ? ([token, GREEDY] as const) : token));
  let output = await sequence.controlledEvaluate(input as Parameters<LlamaContextSequence["controlledEvaluate"]>[0]);
  let next = output.at(-1)?.next?.token ?? null;
  const generated: Token[] = [];
  while (next !== null && !model.isEogToken(next)) {
    generated.push(next);
    if (generated.length === BASELINE_MAX_NEW_TOKENS) break;
    output = await sequence.controlledEvaluate([[next, GREEDY]]);
    next = output[0]?.next?.token ?? null;
  }
  return model.detokenize(generated);
}

interface ArmPlan {
  prompts: string[];
  expected: string[];
  adapter?: { path: string; scale: number };
  modelPath: string;
}

async function runBaselineArm(engine: LocalEngine, plan: ArmPlan, labels: readonly string[], threadsOverride: number | undefined) {
  // The engine's binding, but not its model cache: the baseline loop loads the model per arm.
  const llama = await engine.llama();
  const loadStarted = performance.now();
  const model = await llama.loadModel({ modelPath: plan.modelPath, gpuLayers: llama.gpu === false ? 0 : "auto" });
  const loadMs = performance.now() - loadStarted;
  const started = performance.now();
  try {
    const prompts = plan.prompts.map((p) => tokenizePrompt(model, p));
    const longest = Math.max(...prompts.map((p) => p.length)) + BASELINE_MAX_NEW_TOKENS;
    const contextSize = alignContextSize(longest);
    const threads = chooseThreads(model.size, threadsOverride);
    const context = await model.createContext({
      contextSize,
      sequences: 1,
      threads,
      batchSize: Math.min(contextSize, 512),
      ...(plan.adapter ? { lora: { adapters: [{ filePath: plan.adapter.path, scale: plan.adapter.scale }] } } : {}),
    });
    try {
      const sequence = context.getSequence();
      const generated: string[] = [];
      for (const prompt of prompts) generated.push(await generateFromScratch(sequence, model, prompt));
      const meter = sequence.tokenMeter; // a token whose output was requested counts as "output": both were evaluated
      const predicted = generated.map((text) => parseGeneratedLabel(text, labels));
      const outcome: ArmOutcome = {
        predicted,
        generated,
        correct: predicted.filter((label, i) => label === plan.expected[i]).length,
        tokensEvaluated: meter.usedInputTokens + meter.usedOutputTokens,
        contextSize,
        wallMs: performance.now() - started,
      };
      return { outcome, loadMs, threads };
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}

/** Both arms, the baseline loop's way. The model is loaded for each arm and freed after it, as the script does. */
export async function runBaseline(engine: LocalEngine, suite: Suite, threadsOverride?: number): Promise<MethodRun> {
  const started = performance.now();
  const expected = suite.cases.map((c) => c.expected);
  const fewShot = await runBaselineArm(
    engine,
    { expected, modelPath: suite.fewShot.model.path, prompts: suite.cases.map((c) => renderFewShotPrompt(suite.fewShot, c.input)) },
    suite.labels,
    threadsOverride,
  );
  const lora = await runBaselineArm(
    engine,
    {
      expected,
      modelPath: suite.lora.model.path,
      adapter: { path: suite.lora.adapter.path, scale: suite.lora.scale },
      prompts: suite.cases.map((c) => renderLoraPrompt(suite.lora, c.input)),
    },
    suite.labels,
    threadsOverride,
  );
  const wallMs = performance.now() - started;
  const description = await engine.describe();
  return {
    wallMs,
    modelLoadMs: fewShot.loadMs + lora.loadMs,
    modelLoads: 2,
    threads: fewShot.threads,
    armsInParallel: false,
    // The baseline loop's arms run one after the other, with a model load between them that is not arm time.
    armsSpanMs: fewShot.outcome.wallMs + lora.outcome.wallMs,
    backend: description.backend,
    nodeLlamaCppVersion: description.version,
    arms: { few_shot: fewShot.outcome, lora: lora.outcome },
  };
}
