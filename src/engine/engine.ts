// What every engine offers the rest of tunegate: a suite in, plain-data results out. Reports, statistics and
// the gate read only SuiteRun, so a second implementation (a remote server over HTTP) slots in beside the local
// llama.cpp one. Nothing here may import node-llama-cpp: the CLI's argument parser, the Action's inputs and the
// Vitest plugin read these names without loading it (its top-level await would stop a require()).
import { TunegateError } from "../errors.js";
import { REMOTE_ENGINE_KIND_NAMES, type ArmName, type Suite, type SuiteRun } from "../types.js";

export const GPU_CHOICES = ["auto", "cuda", "vulkan", "metal", "cpu"] as const;
export type GpuChoice = (typeof GPU_CHOICES)[number];

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

/** llama.cpp rounds context sizes up to a multiple of this. */
export const CONTEXT_ALIGNMENT = 256;

/** The context size llama.cpp would actually allocate for `tokens` tokens. */
export function alignContextSize(tokens: number): number {
  return Math.ceil(tokens / CONTEXT_ALIGNMENT) * CONTEXT_ALIGNMENT;
}

/** Generate mode's default: most tokens decoded per case (enough for any single-word label and its punctuation). */
export const DEFAULT_MAX_GENERATED_TOKENS = 10;

export interface ArmProgress {
  arm: ArmName;
  done: number;
  total: number;
  /** Since the arm started (tokenising, context, evaluation). */
  elapsedMs: number;
}

/** Settings of one suite run. An engine ignores what does not apply to it (threads on a remote server). */
export interface RunOptions {
  /** Threads per context; default chosen by model size. Env: TUNEGATE_THREADS. */
  threads?: number;
  /** Context size per sequence; default: just enough for the suite's longest prompt. */
  contextSize?: number;
  /** Generate mode: most tokens decoded per case (default DEFAULT_MAX_GENERATED_TOKENS). */
  maxGeneratedTokens?: number;
  /**
   * Run the two arms side by side, each in its own context with half the cores. Default: on a CPU with two
   * or more cores, in a process whose libuv pool has more than one thread (with one, decodes queue on it).
   * Faster (13 to 35 % less arms' time on 2 cores, bench/README.md), but each arm's latency then includes
   * contention with the other; set false to time each arm alone.
   */
  parallelArms?: boolean;
  onProgress?: (progress: ArmProgress & { suite: string }) => void;
}

/** Servers a remote engine speaks to. */
export const REMOTE_ENGINE_KINDS = REMOTE_ENGINE_KIND_NAMES;
export type RemoteEngineKind = (typeof REMOTE_ENGINE_KINDS)[number];
export type EngineKind = "local" | RemoteEngineKind;

/** Where suites run, in words for reports and logs. */
export interface EngineDescription {
  /** "local": llama.cpp in this process; otherwise the kind of server reached over HTTP. */
  kind: EngineKind;
  /** The inference library or server, and its version. */
  runtime: string;
  version: string;
  /** Where inference runs: "cpu", "cuda (NVIDIA H100)". */
  backend: string;
}

/**
 * An inference engine. It owns what it loads (models, native bindings, connections) until dispose(); after
 * that every call is refused. Engines share nothing with each other.
 */
export interface Engine extends AsyncDisposable {
  readonly kind: EngineDescription["kind"];
  /**
   * Runs both arms of a suite. Throws TunegateError for anything a user can fix (bad file, prompt too long).
   * The result cache (src/cache) may hand it a suite with only some of the cases (each keeping its `index`
   * in the full suite, for messages); results come back in the order of `suite.cases` as given.
   */
  runSuite(suite: Suite, options?: RunOptions): Promise<SuiteRun>;
  /**
   * Every field is part of the result cache's key: an engine whose results can differ (another server, model
   * build or backend) must describe itself differently, or the cache serves one's results as the other's.
   */
  describe(): Promise<EngineDescription>;
  /** Model files this engine has loaded so far: a model shared by any number of runs counts once. */
  readonly modelLoads: number;
  /** Frees everything the engine holds; safe to call more than once. */
  dispose(): Promise<void>;
}

export function engineDisposedError(): TunegateError {
  return new TunegateError("ENGINE_DISPOSED", "this engine has been disposed and runs nothing more", {
    hint: "create a new engine (createLocalEngine) for further runs",
  });
}
