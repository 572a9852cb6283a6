// From raw measurements to the figures: medians over repeats, ratios, agreement, and the targets.
import { generationAgreement, samePredictions, scoringAgreement, type GenerationAgreement, type ScoringAgreement } from "./agreement.js";
import type { MachineDescription } from "./machine.js";
import { median } from "./median.js";
import type { RawBench } from "./run-bench.js";
import type { ChildRun } from "./spawn.js";
import type { ArmName } from "../src/types.js";
import type { MethodName, MethodResult } from "./tasks.js";

export interface MethodFigures {
  cases: number;
  threads: number;
  runs: number;
  wall_ms: number;
  wall_ms_runs: number[];
  model_load_ms: number;
  model_loads: number;
  tokens_evaluated: number;
  /** Tokens evaluated over end-to-end wall time. */
  tokens_per_second: number;
  peak_rss_bytes: number;
  /** The most CPU other processes used during any run, in cores (0 = the machine was ours). */
  other_load_cores: number | null;
  deterministic: boolean;
}

export interface TargetCheck {
  target: string;
  value: number;
  met: boolean;
}

export interface BenchResults {
  schema: "tunegate-bench/1";
  measured_at: string;
  machine: MachineDescription;
  settings: {
    cases: number[];
    headline_cases: number;
    repeats: number;
    quick: boolean;
    engine_threads: number;
    models: { base: string; lora: string };
  };
  speedup_vs_baseline: number;
  speedup_at_equal_threads: number;
  tokens_ratio_to_minimum: number;
  throughput_fraction_of_limit: number;
  lora_rss_overhead_bytes: number;
  targets: Record<"speedup" | "tokens" | "throughput" | "lora_memory", TargetCheck>;
  methods: Record<MethodName, MethodFigures>;
  tokens_minimum: number;
  agreement: {
    tunegate_generate_vs_baseline: GenerationAgreement;
    tunegate_vs_baseline: ScoringAgreement;
    classifier: { tunegate_generate_vs_baseline: GenerationAgreement; tunegate_vs_baseline: ScoringAgreement; accuracy: Record<MethodName, Record<ArmName, number>> } | null;
  };
  limit: {
    threads: number;
    tokens: number;
    long_batch_tokens_per_second: number;
    prompt_batches_tokens_per_second: number;
    prompt_batch_tokens: number;
    /** The higher of the two: the fraction is taken against the machine's best showing. */
    limit_tokens_per_second: number;
    /** tunegate's tokens evaluated over the time its two arms took (model load excluded, as in the limit). */
    tunegate_tokens_per_second: number;
    replay: { tokens: number; calls: number; without_readout_tokens_per_second: number; with_readout_tokens_per_second: number; readout_ms_per_case: number };
  };
  threads: Array<{ method: MethodName; threads: number; cases: number; llama_default: boolean; wall_ms: number; ms_per_case: number; other_load_cores: number | null }>;
  arms_in_parallel: { cases: number; threads_per_arm: 1; wall_ms: number; tunegate_wall_ms: number; same_predictions_as_tunegate: boolean };
  lora_memory: {
    context_size: number;
    model_file_bytes: number;
    adapter_file_bytes: number;
    kv_cache_bytes: number;
    rss_after_load_bytes: number;
    rss_with_base_context_bytes: number;
    one_more_context_rss_bytes: number;
    lora_rss_overhead_bytes: number;
    bound_adapter_plus_context_bytes: number;
    bound_adapter_plus_kv_bytes: number;
  };
  scaling: Array<{ cases: number; methods: Record<MethodName, { wall_ms: number; tokens_evaluated: number }> }>;
}

const METHOD_NAMES: readonly MethodName[] = ["baseline", "tunegate", "tunegate-generate"];

function maxOrNull(values: ReadonlyArray<number | undefined>): number | null {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.max(...known) : null;
}

function methodFigures(runs: readonly ChildRun<MethodResult>[]): MethodFigures {
  const results = runs.map((r) => r.result);
  const first = results[0]!;
  const wall = median(results.map((r) => r.wallMs));
  return {
    cases: first.cases,
    threads: first.threads,
    runs: results.length,
    wall_ms: wall,
    wall_ms_runs: results.map((r) => r.wallMs),
    model_load_ms: median(results.map((r) => r.modelLoadMs)),
    model_loads: first.modelLoads,
    tokens_evaluated: first.tokensEvaluated,
    tokens_per_second: (first.tokensEvaluated / wall) * 1000,
    peak_rss_bytes: Math.max(...results.map((r) => r.maxRssBytes)),
    other_load_cores: maxOrNull(runs.map((r) => r.otherLoadCores)),
    deterministic: samePredictions(results.map((r) => r.arms)),
  };
}

function armsWallMs(result: MethodResult): number {
  return result.arms.few_shot.wallMs + result.arms.lora.wallMs;
}

export function summarize(raw: RawBench, machine: MachineDescription): BenchResults {
  const headline = raw.methods.find((m) => m.cases === raw.options.headlineCases)!;
  const methods = Object.fromEntries(METHOD_NAMES.map((m) => [m, methodFigures(headline.runs[m])])) as Record<MethodName, MethodFigures>;
  const tunegate = headline.runs.tunegate[0]!.result;
  const baselineRun = headline.runs.baseline[0]!.result;

  const threads = raw.threads.map((t) => {
    const wall = median(t.runs.map((r) => r.result.wallMs));
    return {
      method: t.method,
      threads: t.threads,
      cases: t.cases,
      llama_default: t.llamaDefault,
      wall_ms: wall,
      ms_per_case: wall / t.cases,
      other_load_cores: maxOrNull(t.runs.map((r) => r.otherLoadCores)),
    };
  });
  const atHeadline = (method: MethodName) => threads.filter((t) => t.method === method && t.cases === raw.options.headlineCases && !t.llama_default);
  const bestBaselineMs = Math.min(methods.baseline.wall_ms, ...atHeadline("baseline").map((t) => t.wall_ms));
  const speedup = bestBaselineMs / methods.tunegate.wall_ms;

  const tunegateEvalMs = median(headline.runs.tunegate.map((r) => armsWallMs(r.result)));
  const tunegateTokensPerSecond = (tunegate.tokensEvaluated / tunegateEvalMs) * 1000;
  const limits = raw.limit.map((l) => l.result);
  const longBatch = median(limits.map((l) => l.longBatch.tokensPerSecond));
  const promptBatches = median(limits.map((l) => l.promptBatches.tokensPerSecond));
  const limitTokensPerSecond = Math.max(longBatch, promptBatches);
  const replay = limits[0]!.replay;
  const withoutReadoutMs = median(limits.map((l) => l.replay.withoutReadoutMs));
  const withReadoutMs = median(limits.map((l) => l.replay.withReadoutMs));

  const memory = raw.loraMemory.result;
  const loraOverhead = memory.rssWithLoraContextBytes - memory.rssWithSecondBaseContextBytes;
  const oneContext = memory.rssWithSecondBaseContextBytes - memory.rssWithBaseContextBytes;
  const boundMeasured = memory.adapterFileBytes + Math.max(0, oneContext);

  const tokensRatio = tunegate.tokensEvaluated / tunegate.tokensMinimum!;
  const fraction = tunegateTokensPerSecond / limitTokensPerSecond;
  const parallelWall = median(raw.armsInParallel.map((r) => r.result.wallMs));

  const classifier = raw.classifier
    ? {
        tunegate_generate_vs_baseline: generationAgreement(raw.classifier["tunegate-generate"].arms, raw.classifier.baseline.arms),
        tunegate_vs_baseline: scoringAgreement(raw.classifier.tunegate.arms, raw.classifier.baseline.arms),
        accuracy: Object.fromEntries(METHOD_NAMES.map((m) => [m, accuracy(raw.classifier![m])])) as Record<MethodName, Record<ArmName, number>>,
      }
    : null;

  return {
    schema: "tunegate-bench/1",
    measured_at: new Date().toISOString(),
    machine,
    settings: {
      cases: raw.options.cases,
      headline_cases: raw.options.headlineCases,
      repeats: raw.options.repeats,
      quick: raw.options.quick,
      engine_threads: raw.engineThreads,
      models: raw.models,
    },
    speedup_vs_baseline: speedup,
    speedup_at_equal_threads: methods.baseline.wall_ms / methods.tunegate.wall_ms,
    tokens_ratio_to_minimum: tokensRatio,
    throughput_fraction_of_limit: fraction,
    lora_rss_overhead_bytes: loraOverhead,
    targets: {
      speedup: { target: ">= 5x baseline end to end (baseline at its fastest thread count)", value: speedup, met: speedup >= 5 },
      tokens: { target: "<= 1.1x the theoretical minimum", value: tokensRatio, met: tokensRatio <= 1.1 },
      throughput: { target: ">= 70 % of the raw prompt-processing limit", value: fraction, met: fraction >= 0.7 },
      lora_memory: { target: "LoRA context adds < adapter file + one context", value: loraOverhead, met: loraOverhead < boundMeasured },
    },
    methods,
    tokens_minimum: tunegate.tokensMinimum!,
    agreement: {
      tunegate_generate_vs_baseline: generationAgreement(headline.runs["tunegate-generate"][0]!.result.arms, baselineRun.arms),
      tunegate_vs_baseline: scoringAgreement(tunegate.arms, baselineRun.arms),
      classifier,
    },
    limit: {
      threads: limits[0]!.threads,
      tokens: limits[0]!.longBatch.tokens,
      long_batch_tokens_per_second: longBatch,
      prompt_batches_tokens_per_second: promptBatches,
      prompt_batch_tokens: limits[0]!.promptBatches.batchTokens,
      limit_tokens_per_second: limitTokensPerSecond,
      tunegate_tokens_per_second: tunegateTokensPerSecond,
      replay: {
        tokens: replay.tokens,
        calls: replay.calls,
        without_readout_tokens_per_second: (replay.tokens / withoutReadoutMs) * 1000,
        with_readout_tokens_per_second: (replay.tokens / withReadoutMs) * 1000,
        readout_ms_per_case: (withReadoutMs - withoutReadoutMs) / (replay.calls - 1),
      },
    },
    threads,
    arms_in_parallel: {
      cases: raw.options.headlineCases,
      threads_per_arm: 1,
      wall_ms: parallelWall,
      tunegate_wall_ms: tunegateEvalMs,
      same_predictions_as_tunegate: raw.armsInParallel.every((r) => samePredictions([tunegate.arms, r.result.arms])),
    },
    lora_memory: {
      context_size: memory.contextSize,
      model_file_bytes: memory.modelFileBytes,
      adapter_file_bytes: memory.adapterFileBytes,
      kv_cache_bytes: memory.kvCacheBytes,
      rss_after_load_bytes: memory.rssAfterLoadBytes,
      rss_with_base_context_bytes: memory.rssWithBaseContextBytes,
      one_more_context_rss_bytes: oneContext,
      lora_rss_overhead_bytes: loraOverhead,
      bound_adapter_plus_context_bytes: boundMeasured,
      bound_adapter_plus_kv_bytes: memory.adapterFileBytes + memory.kvCacheBytes,
    },
    scaling: raw.methods.map((m) => ({
      cases: m.cases,
      methods: Object.fromEntries(
        METHOD_NAMES.map((name) => [name, { wall_ms: median(m.runs[name].map((r) => r.result.wallMs)), tokens_evaluated: m.runs[name][0]!.result.tokensEvaluated }]),
      ) as Record<MethodName, { wall_ms: number; tokens_evaluated: number }>,
    })),
  };
}

/** Share of the suite's cases each arm of a method got right. */
function accuracy(result: MethodResult): Record<ArmName, number> {
  return { few_shot: result.arms.few_shot.correct / result.cases, lora: result.arms.lora.correct / result.cases };
}
