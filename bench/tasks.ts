// What the parent asks a child process to measure, and what comes back. Every measurement runs in a child of
// its own so that peak RSS and allocator state belong to that measurement alone.
import type { ArmName } from "../src/types.js";
import type { BenchModels } from "./suite.js";

export const METHODS = ["baseline", "tunegate", "tunegate-generate"] as const;
export type MethodName = (typeof METHODS)[number];

export interface MethodTask {
  kind: "method";
  method: MethodName;
  models: BenchModels;
  cases: number;
  /** Threads per context; default: the engine's own choice for the model. */
  threads?: number;
  /** tunegate: the two arms side by side (true) or one after the other (false); default: the engine's choice. */
  parallelArms?: boolean;
}

export interface LimitTask {
  kind: "limit";
  models: BenchModels;
  cases: number;
  threads: number;
  /** Tokens in the long batch: what tunegate evaluated for the same suite. */
  tokens: number;
  /** Also replay the engine's few-shot calls (at the engine's own thread count). */
  replay: boolean;
}

export interface LoraMemoryTask {
  kind: "lora-memory";
  models: BenchModels;
  threads: number;
}

export type Task = MethodTask | LimitTask | LoraMemoryTask;

export interface ArmOutcome {
  /** Per case, in suite order: the label read (or "invalid"). */
  predicted: string[];
  /** Generation methods: per case, the decoded output. */
  generated?: string[];
  /** Cases whose prediction is the expected label. */
  correct: number;
  tokensEvaluated: number;
  contextSize: number;
  wallMs: number;
}

export interface MethodResult {
  kind: "method";
  method: MethodName;
  cases: number;
  /** Threads per context. */
  threads: number;
  /** Whether the two arms ran side by side, each in its own context. */
  armsInParallel: boolean;
  /** From the first arm's start to the last arm's end (the arms may overlap): model load and start-up excluded. */
  armsSpanMs: number;
  /** From just before the first llama.cpp call to the last prediction: binding, model loads, every case. */
  wallMs: number;
  modelLoadMs: number;
  modelLoads: number;
  backend: string;
  nodeLlamaCppVersion: string;
  /** The thread count node-llama-cpp gives a context when none is asked for (Llama.maxThreads). */
  llamaDefaultThreads: number;
  tokensEvaluated: number;
  /** The engine's own count of what a perfect evaluator must process (tunegate methods only). */
  tokensMinimum?: number;
  arms: Record<ArmName, ArmOutcome>;
}

export interface LimitResult {
  kind: "limit";
  threads: number;
  /** The prompt-processing limit: every token in one long batch run (llama.cpp splits it by the batch size). */
  longBatch: { tokens: number; ms: number; tokensPerSecond: number };
  /** The same long batch on a context with the LoRA arm's adapter attached: what the LoRA arm's tokens can reach. */
  longBatchWithAdapter: { tokens: number; ms: number; tokensPerSecond: number };
  /** The same number of tokens as whole few-shot prompts, each from an empty cache: batches at the positions tunegate uses. */
  promptBatches: { tokens: number; batchTokens: number; ms: number; tokensPerSecond: number };
  /** tunegate's few-shot arm's own evaluation calls (prefix once, then each suffix), with and without reading a distribution. */
  replay?: { tokens: number; calls: number; withoutReadoutMs: number; withReadoutMs: number };
}

export interface LoraMemoryResult {
  kind: "lora-memory";
  contextSize: number;
  rssAfterLoadBytes: number;
  rssWithBaseContextBytes: number;
  rssWithSecondBaseContextBytes: number;
  rssWithLoraContextBytes: number;
  modelFileBytes: number;
  adapterFileBytes: number;
  /** K and V caches of one context at `contextSize`, from the model's shape. */
  kvCacheBytes: number;
}

/** What every child reports about its own process. */
export interface ProcessFigures {
  maxRssBytes: number;
}

export type Measurement = MethodResult | LimitResult | LoraMemoryResult;
export type TaskResult = Measurement & ProcessFigures;
