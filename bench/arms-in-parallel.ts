// A diagnostic, not a method users get: the engine's two arms started together, each on its own context with
// one thread, instead of one after another on all cores. Separate contexts share no sequence state (unlike
// the multi-sequence batching run-arm.ts rejects), so this tests whether two single-threaded contexts use two
// cores better than one two-threaded context does with small batches.
import { runArm, type ArmSettings } from "../src/engine/run-arm.js";
import { loadSharedModel, sharedLlama } from "../src/engine/runtime.js";
import { DEFAULT_MAX_GENERATED_TOKENS } from "../src/engine/run-suite.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../src/prompts.js";
import type { ArmRun, Suite } from "../src/types.js";
import type { ArmOutcome, ArmsInParallelResult } from "./tasks.js";

function outcome(arm: ArmRun): ArmOutcome {
  return { predicted: arm.cases.map((c) => c.predicted), correct: arm.cases.filter((c) => c.correct).length, tokensEvaluated: arm.tokensEvaluated, contextSize: arm.contextSize, wallMs: arm.wallMs };
}

export async function runArmsInParallel(suite: Suite): Promise<ArmsInParallelResult> {
  await sharedLlama();
  const { model, inspection } = await loadSharedModel(suite.fewShot.model.path);
  const block = (inspection.info.metadata as Record<string, Record<string, unknown> | undefined>)[inspection.architecture];
  const common: Omit<ArmSettings, "arm" | "prompts" | "adapter"> = {
    model,
    trainContextSize: Number(block?.context_length ?? 2048),
    labels: suite.labels,
    cases: suite.cases,
    scoring: suite.scoring,
    lengthNormalize: suite.lengthNormalize,
    threads: 1,
    maxGeneratedTokens: DEFAULT_MAX_GENERATED_TOKENS,
  };
  const started = performance.now();
  const [fewShot, lora] = await Promise.all([
    runArm({ ...common, arm: "few_shot", prompts: suite.cases.map((c) => renderFewShotPrompt(suite.fewShot, c.input)) }),
    runArm({
      ...common,
      arm: "lora",
      adapter: { path: suite.lora.adapter.path, scale: suite.lora.scale },
      prompts: suite.cases.map((c) => renderLoraPrompt(suite.lora, c.input)),
    }),
  ]);
  return { kind: "arms-in-parallel", cases: suite.cases.length, wallMs: performance.now() - started, arms: { few_shot: outcome(fewShot), lora: outcome(lora) } };
}
