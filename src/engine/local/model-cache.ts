// An engine's loaded models: each file loaded once and shared by every suite and arm the engine runs, which is
// what lets the Vitest plugin load a model once for any number of suite files and watch reruns.
import { stat } from "node:fs/promises";
import { GgufInsights, type Llama, type LlamaModel } from "node-llama-cpp";
import { TunegateError } from "../../errors.js";
import { inspectGguf, type GgufInspection } from "../../gguf/inspect.js";
import type { LlamaLog } from "./llama-log.js";

/** Assumed when a model's metadata does not say how long a context it was trained for. */
const FALLBACK_TRAIN_CONTEXT = 2048;

export interface LoadedModel {
  model: LlamaModel;
  inspection: GgufInspection;
  /** The model's trained context length, to tell a user what is possible. */
  trainContextSize: number;
  loadMs: number;
}

/** Size and modification time: a model file replaced on disk (watch mode, a re-forge) is loaded again. */
async function fileFingerprint(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info ? `${info.size}:${info.mtimeMs}` : "missing";
}

export class ModelCache {
  readonly #models = new Map<string, { fingerprint: string; loading: Promise<LoadedModel> }>();
  #loads = 0;

  constructor(
    private readonly llama: () => Promise<Llama>,
    private readonly log: LlamaLog,
  ) {}

  /** Model files loaded so far. */
  get loads(): number {
    return this.#loads;
  }

  /** Loads a model once per file, after checking the file in JavaScript. */
  async load(path: string): Promise<LoadedModel> {
    const fingerprint = await fileFingerprint(path);
    const cached = this.#models.get(path);
    if (cached?.fingerprint === fingerprint) return cached.loading;
    if (cached) {
      this.#models.delete(path);
      await cached.loading.then((loaded) => loaded.model.dispose(), () => undefined);
    }
    const loading = this.#loadFile(path);
    this.#models.set(path, { fingerprint, loading });
    loading.catch(() => {
      if (this.#models.get(path)?.loading === loading) this.#models.delete(path);
    });
    return loading;
  }

  async #loadFile(path: string): Promise<LoadedModel> {
    const inspection = await inspectGguf(path, "model");
    const llama = await this.llama();
    const insights = await GgufInsights.from(inspection.info, llama);
    if (!insights.isSupportedByLlamaCpp) {
      throw new TunegateError("MODEL_ARCH_UNSUPPORTED", `model ${path} has architecture "${inspection.architecture}", which this llama.cpp build does not support`, {
        hint: "use a model of a supported architecture, or a newer node-llama-cpp",
      });
    }
    const trained = insights.trainContextSize;
    const mark = this.log.mark();
    const started = performance.now();
    try {
      // Read, not mapped: a mapped file that is truncated or rewritten while the run uses it (a pull request's
      // build step, a checkout in another job) kills the process with SIGBUS, no message and no report. Read
      // once, the weights are ours; the cost is reading the whole file at load instead of paging it in.
      const model = await llama.loadModel({ modelPath: path, gpuLayers: llama.gpu === false ? 0 : "auto", useMmap: false });
      this.#loads += 1;
      return {
        model,
        inspection,
        trainContextSize: trained !== undefined && trained > 0 ? trained : FALLBACK_TRAIN_CONTEXT,
        loadMs: performance.now() - started,
      };
    } catch (error) {
      throw new TunegateError("MODEL_LOAD_FAILED", `llama.cpp could not load model ${path}: ${(error as Error).message}`, {
        detail: this.log.lastComplaint(mark),
        cause: error,
      });
    }
  }

  /** Frees every model; the next load reads its file afresh. */
  async dispose(): Promise<void> {
    const loaded = await Promise.allSettled([...this.#models.values()].map((entry) => entry.loading));
    this.#models.clear();
    for (const result of loaded) if (result.status === "fulfilled") await result.value.model.dispose();
  }
}
