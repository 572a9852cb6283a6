// The process-wide native resources: one llama.cpp binding, each model file loaded once, and llama.cpp's
// own log kept for error messages. Every suite and arm in the process shares these, which is what lets
// the Vitest plugin load a model once for any number of suite files.
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { getLlama, GgufInsights, LlamaLogLevel, type Llama, type LlamaModel } from "node-llama-cpp";
import { TunegateError } from "../errors.js";
import { inspectGguf, type GgufInspection } from "../gguf/inspect.js";
import { countModelLoad } from "./load-count.js";

export type GpuChoice = "auto" | "cuda" | "vulkan" | "metal" | "cpu";
const GPU_CHOICES: readonly GpuChoice[] = ["auto", "cuda", "vulkan", "metal", "cpu"];

/** Resolves the backend choice: explicit option, else TUNEGATE_GPU, else auto (CUDA when present, CPU otherwise). */
export function resolveGpuChoice(option?: string): GpuChoice {
  const raw = option ?? process.env.TUNEGATE_GPU ?? "auto";
  const value = raw.trim().toLowerCase();
  if (!(GPU_CHOICES as readonly string[]).includes(value)) {
    throw new TunegateError("BAD_GPU_CHOICE", `unknown GPU backend "${raw}"${option === undefined ? " (from TUNEGATE_GPU)" : ""}`, {
      hint: `use one of ${GPU_CHOICES.join(", ")}`,
    });
  }
  return value as GpuChoice;
}

const LOG_LINES_KEPT = 200;
const llamaLog: string[] = [];

function recordLog(level: LlamaLogLevel, message: string): void {
  const line = message.trim();
  if (!line) return;
  llamaLog.push(`${level}: ${line}`);
  if (llamaLog.length > LOG_LINES_KEPT) llamaLog.splice(0, llamaLog.length - LOG_LINES_KEPT);
  if (process.env.TUNEGATE_LLAMA_LOG) process.stderr.write(`[llama.cpp ${level}] ${line}\n`);
}

/** A mark in llama.cpp's log, to ask later what it said since. */
export function logMark(): number {
  return llamaLog.length;
}

/** The last error or warning llama.cpp logged since `mark` (the most relevant line to show a user). */
export function lastLlamaComplaint(mark = 0): string | undefined {
  const since = llamaLog.slice(Math.min(mark, llamaLog.length));
  const relevant = since.filter((line) => line.startsWith("error") || line.startsWith("warn"));
  return (relevant.at(-1) ?? since.at(-1))?.replace(/^\w+: /, "");
}

let llamaPromise: { choice: GpuChoice; promise: Promise<Llama> } | undefined;

/** The process's one llama.cpp binding. Never builds or downloads llama.cpp: only prebuilt binaries are used. */
export async function sharedLlama(gpu?: string): Promise<Llama> {
  const choice = resolveGpuChoice(gpu);
  if (llamaPromise) {
    if (llamaPromise.choice !== choice) {
      throw new TunegateError("GPU_CHOICE_CHANGED", `llama.cpp is already running on "${llamaPromise.choice}" in this process; cannot switch to "${choice}"`, {
        hint: "use one GPU setting per run",
      });
    }
    return llamaPromise.promise;
  }
  const promise = getLlama({
    gpu: choice === "cpu" ? false : choice,
    build: "never",
    usePrebuiltBinaries: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.warn,
    logger: recordLog,
  }).catch((error: unknown) => {
    llamaPromise = undefined;
    throw new TunegateError("NO_LLAMA_BINARY", `cannot start llama.cpp for GPU backend "${choice}": ${(error as Error).message}`, {
      hint: choice === "auto" || choice === "cpu" ? "reinstall node-llama-cpp (npm ci)" : `this machine has no usable ${choice} build; use gpu auto or cpu`,
      cause: error,
    });
  });
  llamaPromise = { choice, promise };
  return promise;
}

/** The backend in words, for reports: "cuda (NVIDIA H100)", "cpu". */
export async function describeBackend(llama: Llama): Promise<string> {
  if (llama.gpu === false) return "cpu";
  const devices = await llama.getGpuDeviceNames().catch(() => [] as string[]);
  return devices.length > 0 ? `${llama.gpu} (${devices.join(", ")})` : llama.gpu;
}

export interface LoadedModel {
  model: LlamaModel;
  inspection: GgufInspection;
  loadMs: number;
}

const models = new Map<string, { fingerprint: string; loading: Promise<LoadedModel> }>();

/** Size and modification time: a model file replaced on disk (watch mode, a re-forge) is loaded again. */
async function fileFingerprint(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info ? `${info.size}:${info.mtimeMs}` : "missing";
}

export { modelLoadCount } from "./load-count.js";

/** Loads a model once per process and file, after checking the file in JavaScript. */
export async function loadSharedModel(path: string, gpu?: string): Promise<LoadedModel> {
  const fingerprint = await fileFingerprint(path);
  const cached = models.get(path);
  if (cached?.fingerprint === fingerprint) return cached.loading;
  if (cached) {
    models.delete(path);
    await cached.loading.then((loaded) => loaded.model.dispose(), () => undefined);
  }
  const loading = (async () => {
    const inspection = await inspectGguf(path, "model");
    const llama = await sharedLlama(gpu);
    const insights = await GgufInsights.from(inspection.info, llama);
    if (!insights.isSupportedByLlamaCpp) {
      throw new TunegateError("MODEL_ARCH_UNSUPPORTED", `model ${path} has architecture "${inspection.architecture}", which this llama.cpp build does not support`, {
        hint: "use a model of a supported architecture, or a newer node-llama-cpp",
      });
    }
    const mark = logMark();
    const started = performance.now();
    try {
      const model = await llama.loadModel({ modelPath: path, gpuLayers: llama.gpu === false ? 0 : "auto" });
      countModelLoad();
      return { model, inspection, loadMs: performance.now() - started };
    } catch (error) {
      throw new TunegateError("MODEL_LOAD_FAILED", `llama.cpp could not load model ${path}: ${(error as Error).message}`, {
        detail: lastLlamaComplaint(mark),
        cause: error,
      });
    }
  })();
  models.set(path, { fingerprint, loading });
  loading.catch(() => {
    if (models.get(path)?.loading === loading) models.delete(path);
  });
  return loading;
}

/**
 * Threads for a model on this machine, when `contexts` contexts evaluate at once. Small models lose far more
 * to thread synchronisation than they gain. An explicit count (option or TUNEGATE_THREADS) always wins.
 */
export function chooseThreads(modelBytes: number, override?: number, contexts = 1): number {
  const fromEnv = Number(process.env.TUNEGATE_THREADS);
  const explicit = override ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined);
  if (explicit !== undefined) return explicit;
  // Measured on 2 cores: a 3.6 MB model ran ~100x faster on one thread than on node-llama-cpp's default;
  // the 83 MB bench model ran a little faster on both cores (see bench/README.md).
  return modelBytes < 32 * 1024 * 1024 ? 1 : Math.max(1, Math.floor(availableParallelism() / contexts));
}

/** Frees every model and the binding; the next run loads afresh. */
export async function disposeEngine(): Promise<void> {
  const loaded = await Promise.allSettled([...models.values()].map((entry) => entry.loading));
  models.clear();
  for (const result of loaded) if (result.status === "fulfilled") await result.value.model.dispose();
  if (llamaPromise) {
    const llama = await llamaPromise.promise.catch(() => undefined);
    llamaPromise = undefined;
    await llama?.dispose();
  }
}
