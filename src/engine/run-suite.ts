// A whole suite through both arms: check the files, load the model once, run the few-shot arm on the base
// weights and the LoRA arm with the adapter on the same weights.
import { availableParallelism } from "node:os";
import { getModuleVersion } from "node-llama-cpp";
import { TunegateError } from "../errors.js";
import { checkAdapterFitsModel, inspectGguf } from "../gguf/inspect.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../prompts.js";
import type { ArmName, ArmRun, EngineInfo, ModelRef, Suite, SuiteRun } from "../types.js";
import { runArm, type ArmProgress } from "./run-arm.js";
import { chooseThreads, describeBackend, loadSharedModel, sharedLlama } from "./runtime.js";

export interface EngineOptions {
  /** auto (default; CUDA when present, CPU otherwise), cuda, vulkan, metal or cpu. Env: TUNEGATE_GPU. */
  gpu?: string;
  /** Threads per context; default chosen by model size. Env: TUNEGATE_THREADS. */
  threads?: number;
  /** Context size per sequence; default: just enough for the suite's longest prompt. */
  contextSize?: number;
  /** Generate mode: most tokens decoded per case (the article's script used 10). */
  maxGeneratedTokens?: number;
  /**
   * Run the two arms side by side, each in its own context with half the cores. Default: on a CPU with two
   * or more cores. Faster (the bench measured 1.4x on 2 cores), but each arm's latency then includes
   * contention with the other; set false to time each arm alone.
   */
  parallelArms?: boolean;
  onProgress?: (progress: ArmProgress & { suite: string }) => void;
}

export const DEFAULT_MAX_GENERATED_TOKENS = 10;

/** Runs `work`, giving any TunegateError it throws the suite line that names the file, if it has none. */
async function atSuiteLine<T>(ref: ModelRef, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof TunegateError) || error.location) throw error;
    throw new TunegateError(error.code, error.message, { location: ref.location, hint: error.hint, detail: error.detail, cause: error });
  }
}

function trainContextSize(metadata: unknown, architecture: string): number {
  const block = (metadata as Record<string, Record<string, unknown> | undefined>)[architecture];
  const value = block?.context_length;
  return typeof value === "number" && value > 0 ? value : 2048;
}

/** Runs both arms of a suite. Throws TunegateError for anything a user can fix (bad file, prompt too long). */
export async function runSuite(suite: Suite, options: EngineOptions = {}): Promise<SuiteRun> {
  const adapter = await atSuiteLine(suite.lora.adapter, () => inspectGguf(suite.lora.adapter.path, "adapter"));
  const fewShotModel = await atSuiteLine(suite.fewShot.model, () => loadSharedModel(suite.fewShot.model.path, options.gpu));
  // The arms may name different base files; each is loaded once and shared with any other suite using it.
  const loraModel =
    suite.lora.model.path === suite.fewShot.model.path
      ? fewShotModel
      : await atSuiteLine(suite.lora.model, () => loadSharedModel(suite.lora.model.path, options.gpu));
  await atSuiteLine(suite.lora.adapter, async () => checkAdapterFitsModel(adapter, loraModel.inspection));

  const llama = await sharedLlama(options.gpu);
  const common = {
    labels: suite.labels,
    cases: suite.cases,
    scoring: suite.scoring,
    lengthNormalize: suite.lengthNormalize,
    maxGeneratedTokens: options.maxGeneratedTokens ?? DEFAULT_MAX_GENERATED_TOKENS,
    ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
  };
  const progress = (p: ArmProgress) => options.onProgress?.({ ...p, suite: suite.name });
  // Small batches (a case's own tokens) barely gain from a second thread, so on a CPU the arms gain more
  // from a core each than from sharing both cores one after the other.
  const parallelArms = options.parallelArms ?? (llama.gpu === false && availableParallelism() >= 2);
  const share = parallelArms ? 2 : 1;
  const fewShotThreads = chooseThreads(fewShotModel.model.size, options.threads, share);

  // An arm's own errors without a place (llama.cpp refusing a context or the adapter) point at the suite
  // line naming that arm's model or adapter; case errors keep their case's line.
  const runFewShot = () =>
    atSuiteLine(suite.fewShot.model, () => runArm({
      ...common,
      arm: "few_shot",
      model: fewShotModel.model,
      trainContextSize: trainContextSize(fewShotModel.inspection.info.metadata, fewShotModel.inspection.architecture),
      prompts: suite.cases.map((c) => renderFewShotPrompt(suite.fewShot, c.input)),
      threads: fewShotThreads,
      onProgress: progress,
    }));
  const runLora = () =>
    atSuiteLine(suite.lora.adapter, () => runArm({
      ...common,
      arm: "lora",
      model: loraModel.model,
      trainContextSize: trainContextSize(loraModel.inspection.info.metadata, loraModel.inspection.architecture),
      adapter: { path: suite.lora.adapter.path, scale: suite.lora.scale },
      prompts: suite.cases.map((c) => renderLoraPrompt(suite.lora, c.input)),
      threads: chooseThreads(loraModel.model.size, options.threads, share),
      onProgress: progress,
    }));
  const [fewShot, lora]: [ArmRun, ArmRun] = parallelArms ? await Promise.all([runFewShot(), runLora()]) : [await runFewShot(), await runLora()];

  const engine: EngineInfo = {
    backend: await describeBackend(llama),
    threads: fewShotThreads,
    armsInParallel: parallelArms,
    contextSize: Math.max(fewShot.contextSize, lora.contextSize),
    modelLoadMs: fewShotModel.loadMs + (loraModel === fewShotModel ? 0 : loraModel.loadMs),
    nodeLlamaCppVersion: await getModuleVersion(),
  };
  const arms: Record<ArmName, ArmRun> = { few_shot: fewShot, lora };
  return { suite, arms, engine };
}
