// The engine in this process, on node-llama-cpp: check the files, load each model once, run the few-shot arm on
// the base weights and the LoRA arm with the adapter on the same weights. The binding, the models and llama.cpp's
// log belong to the engine object, so two engines in one process share nothing and dispose() frees all of it.
import { availableParallelism } from "node:os";
import { getModuleVersion, type Llama } from "node-llama-cpp";
import { atSuiteLine, checkSuiteFiles } from "../../gguf/suite-files.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../../prompts.js";
import type { ArmName, ArmRun, EngineInfo, Suite, SuiteRun } from "../../types.js";
import {
  DEFAULT_MAX_GENERATED_TOKENS,
  engineDisposedError,
  resolveGpuChoice,
  type ArmProgress,
  type Engine,
  type EngineDescription,
  type RunOptions,
} from "../engine.js";
import { describeBackend, startLlama } from "./binding.js";
import { LlamaLog } from "./llama-log.js";
import { ModelCache, type LoadedModel } from "./model-cache.js";
import { runArm, type ArmSettings } from "./run-arm.js";
import { chooseSequences, chooseThreads, threadPoolSize } from "./threads.js";

export interface LocalEngineOptions {
  /** auto (default; CUDA when present, CPU otherwise), cuda, vulkan, metal or cpu. Env: TUNEGATE_GPU. */
  gpu?: string;
}

export class LocalEngine implements Engine {
  readonly kind = "local" as const;
  /** llama.cpp's log while this engine's binding runs. */
  readonly log = new LlamaLog();
  readonly #gpu: string | undefined;
  #llama: Promise<Llama> | undefined;
  readonly #models: ModelCache;
  #disposed = false;

  constructor(options: LocalEngineOptions = {}) {
    this.#gpu = options.gpu;
    this.#models = new ModelCache(() => this.llama(), this.log);
  }

  get modelLoads(): number {
    return this.#models.loads;
  }

  #assertOpen(): void {
    if (this.#disposed) throw engineDisposedError();
  }

  /** The engine's llama.cpp binding, started on first use. Never builds or downloads llama.cpp. */
  async llama(): Promise<Llama> {
    this.#assertOpen();
    if (!this.#llama) {
      const starting = startLlama(resolveGpuChoice(this.#gpu), this.log);
      this.#llama = starting;
      // A failed start is not kept: the next call tries again (after the user fixes the setting).
      starting.catch(() => {
        if (this.#llama === starting) this.#llama = undefined;
      });
    }
    return this.#llama;
  }

  /** Loads a model once per file for this engine, after checking the file in JavaScript. */
  async loadModel(path: string): Promise<LoadedModel> {
    this.#assertOpen();
    return this.#models.load(path);
  }

  /** One arm on a model this engine loaded; llama.cpp's complaints come from this engine's log. */
  async runArm(settings: Omit<ArmSettings, "log">): Promise<ArmRun> {
    this.#assertOpen();
    return runArm({ ...settings, log: this.log });
  }

  async describe(): Promise<EngineDescription> {
    const llama = await this.llama();
    return { kind: this.kind, runtime: "node-llama-cpp", version: await getModuleVersion(), backend: await describeBackend(llama) };
  }

  async runSuite(suite: Suite, options: RunOptions = {}): Promise<SuiteRun> {
    this.#assertOpen();
    // The binding starts while the files are checked: node-llama-cpp tests its binary in a child process first
    // (most of a second), and nothing of the files reaches llama.cpp before the check has passed. A problem with
    // the files is still reported first (a suite that fails its check has then started the binding for
    // nothing, which dispose() waits for); a failed start is reported where the first model load would report it,
    // from this one attempt.
    const starting = this.llama();
    starting.catch(() => undefined);
    // Every file is checked before any loads, by the same check `tunegate validate` runs.
    const [problem] = (await checkSuiteFiles(suite)).problems;
    if (problem !== undefined) throw problem;
    await atSuiteLine(suite.fewShot.model, () => starting);
    const fewShotModel = await atSuiteLine(suite.fewShot.model, () => this.loadModel(suite.fewShot.model.path));
    // The arms may name different base files; each is loaded once and shared with any other suite using it.
    const loraModel =
      suite.lora.model.path === suite.fewShot.model.path
        ? fewShotModel
        : await atSuiteLine(suite.lora.model, () => this.loadModel(suite.lora.model.path));

    const llama = await this.llama();
    const common = {
      labels: suite.labels,
      cases: suite.cases,
      scoring: suite.scoring,
      lengthNormalize: suite.lengthNormalize,
      maxGeneratedTokens: options.maxGeneratedTokens ?? DEFAULT_MAX_GENERATED_TOKENS,
      ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
    };
    const progress = (p: ArmProgress) => options.onProgress?.({ ...p, suite: suite.name });
    // On a CPU the arms run side by side, each context on its share of the cores: reading a case's result is
    // mostly JavaScript on the main thread (node-llama-cpp turns the whole next-token distribution into a Map),
    // and side by side one arm's decode runs meanwhile; one arm after the other, the cores wait for it (measured
    // in bench/README.md, "A pool thread per arm"). That needs a libuv pool thread per arm: in a process started
    // with a pool of one (UV_THREADPOOL_SIZE=1), the arms' decodes would only queue behind each other, so they take
    // turns, each with every core. On a GPU one arm at a time keeps the device to itself.
    const parallelArms = options.parallelArms ?? (llama.gpu === false && availableParallelism() >= 2 && threadPoolSize() > 1);
    const share = parallelArms ? 2 : 1;
    const threadsFor = (loaded: LoadedModel) => chooseThreads(loaded.model.size, options.threads, share);
    const armOn = (arm: ArmName, loaded: LoadedModel, prompts: string[], adapter?: ArmSettings["adapter"]) =>
      this.runArm({
        ...common,
        arm,
        model: loaded.model,
        modelPath: loaded.inspection.path,
        trainContextSize: loaded.trainContextSize,
        prompts,
        threads: threadsFor(loaded),
        sequences: chooseSequences(llama.gpu !== false),
        onProgress: progress,
        ...(adapter !== undefined ? { adapter } : {}),
      });

    // An arm's own errors without a place (llama.cpp refusing a context or the adapter) point at the suite
    // line naming that arm's model or adapter; case errors keep their case's line.
    const runFewShot = () =>
      atSuiteLine(suite.fewShot.model, () => armOn("few_shot", fewShotModel, suite.cases.map((c) => renderFewShotPrompt(suite.fewShot, c.input))));
    const runLora = () =>
      atSuiteLine(suite.lora.adapter, () =>
        armOn("lora", loraModel, suite.cases.map((c) => renderLoraPrompt(suite.lora, c.input)), { path: suite.lora.adapter.path, scale: suite.lora.scale }),
      );
    const [fewShot, lora]: [ArmRun, ArmRun] = parallelArms ? await bothArms(runFewShot(), runLora()) : [await runFewShot(), await runLora()];

    const description = await this.describe();
    const engine: EngineInfo = {
      backend: description.backend,
      threads: threadsFor(fewShotModel),
      armsInParallel: parallelArms,
      contextSize: Math.max(fewShot.contextSize, lora.contextSize),
      modelLoadMs: fewShotModel.loadMs + (loraModel === fewShotModel ? 0 : loraModel.loadMs),
      nodeLlamaCppVersion: description.version,
      kind: "local",
    };
    const arms: Record<ArmName, ArmRun> = { few_shot: fewShot, lora };
    return { suite, arms, engine };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#models.dispose();
    const llama = await this.#llama?.catch(() => undefined);
    this.#llama = undefined;
    await llama?.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** An engine running llama.cpp in this process. Nothing loads until its first run. */
export function createLocalEngine(options: LocalEngineOptions = {}): LocalEngine {
  return new LocalEngine(options);
}

/**
 * Both arms side by side, failing as the arms one after the other would: with the few-shot arm's error when
 * both fail (Promise.all would report whichever failed first in time, so the message depended on timing).
 */
async function bothArms(fewShot: Promise<ArmRun>, lora: Promise<ArmRun>): Promise<[ArmRun, ArmRun]> {
  const [first, second] = await Promise.allSettled([fewShot, lora]);
  if (first.status === "rejected") throw first.reason;
  if (second.status === "rejected") throw second.reason;
  return [first.value, second.value];
}
