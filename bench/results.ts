// From raw measurements to the figures: medians over repeats, ratios, agreement, and the targets.
import { generationAgreement, samePredictions, scoringAgreement, type GenerationAgreement, type ScoringAgreement } from "./agreement.js";
import type { MachineDescription } from "./machine.js";
import { median } from "./median.js";
import type { RawBench } from "./run-bench.js";
import type { ChildRun } from "./spawn.js";
import type { ArmName } from "../src/types.js";
import type { LimitResult, MethodName, MethodResult } from "./tasks.js";

export interface MethodFigures {
  cases: number;
  threads: number;
  runs: number;
  wall_ms: number;
  wall_ms_runs: number[];
  model_load_ms: number;
  model_loads: number;
  /** Each arm's own time: tokenising, context, every case (model load and start-up excluded). */
  arm_wall_ms: Record<ArmName, number>;
  tokens_evaluated: number;
  /** Tokens evaluated over end-to-end wall time. */
  tokens_per_second: number;
  peak_rss_bytes: number;
  /** The most CPU other processes used during any run, in cores (0 = the machine was ours). */
  other_load_cores: number | null;
  deterministic: boolean;
}

export interface ReplayFigures {
  tokens: number;
  calls: number;
  without_readout_tokens_per_second: number;
  with_readout_tokens_per_second: number;
  readout_ms_per_case: number;
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
  /** Baseline at its fastest thread count over tunegate at its fastest: each method as a competent user would tune it. */
  /**
   * The most CPU other processes took during any timed step, in cores. Above DISTURBED_LOAD_CORES the figures
   * are not the machine's: rerun when it is quiet.
   */
  max_other_load_cores: number | null;
  speedup_vs_baseline: number;
  /** Both at the engine's own thread choice. */
  speedup_at_equal_threads: number;
  /** Baseline at its fastest over tunegate exactly as shipped (the engine's thread choice). */
  speedup_as_shipped: number;
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
    tokens: number;
    /**
     * Per thread count: one long batch, whole few-shot prompts from an empty cache (~prompt_batch_tokens each),
     * and (not in --quick) the engine's few-shot calls replayed with and without reading the distribution.
     */
    by_threads: Array<{ threads: number; long_batch_tokens_per_second: number; prompt_batches_tokens_per_second: number; replay: ReplayFigures | null }>;
    prompt_batch_tokens: number;
    /** The best of all of them: the fraction is taken against the machine's best showing. */
    limit_tokens_per_second: number;
    /** The best at the engine's own thread count (the "same thread count"). */
    limit_at_engine_threads_tokens_per_second: number;
    /** tunegate's tokens evaluated over the time its two arms took (model load excluded, as in the limit). */
    tunegate_tokens_per_second: number;
    fraction_at_engine_threads: number;
  };
  threads: Array<{
    method: MethodName;
    threads: number;
    cases: number;
    llama_default: boolean;
    wall_ms: number;
    ms_per_case: number;
    /** Tokens evaluated over the arms' time (model load and start-up excluded), and that as a share of the limit at the same thread count. */
    arms_tokens_per_second: number;
    fraction_of_limit_at_these_threads: number | null;
    other_load_cores: number | null;
  }>;
  arms_in_parallel: {
    cases: number;
    threads_per_arm: 1;
    wall_ms: number;
    tunegate_wall_ms: number;
    tokens_per_second: number;
    fraction_of_limit: number;
    same_predictions_as_tunegate: boolean;
  } | null;
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

/** Other processes' CPU use (in cores) above which a step's timing is taken as disturbed. */
export const DISTURBED_LOAD_CORES = 0.2;

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
    arm_wall_ms: { few_shot: median(results.map((r) => r.arms.few_shot.wallMs)), lora: median(results.map((r) => r.arms.lora.wallMs)) },
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

  const limits = raw.limit.map((l) => l.result);
  const byThreads = [...new Set(limits.map((l) => l.threads))].map((count) => {
    const at = limits.filter((l) => l.threads === count);
    return {
      threads: count,
      long_batch_tokens_per_second: median(at.map((l) => l.longBatch.tokensPerSecond)),
      prompt_batches_tokens_per_second: median(at.map((l) => l.promptBatches.tokensPerSecond)),
      replay: summarizeReplay(at.flatMap((l) => (l.replay ? [l.replay] : []))),
    };
  });
  const best = (rows: typeof byThreads) => Math.max(...rows.map((b) => Math.max(b.long_batch_tokens_per_second, b.prompt_batches_tokens_per_second)));
  const limitTokensPerSecond = best(byThreads);
  const limitAtEngineThreads = best(byThreads.filter((b) => b.threads === raw.engineThreads));

  const threads = raw.threads.map((t) => {
    const wall = median(t.runs.map((r) => r.result.wallMs));
    const armsTokensPerSecond = (t.runs[0]!.result.tokensEvaluated / median(t.runs.map((r) => armsWallMs(r.result)))) * 1000;
    const limitHere = byThreads.filter((b) => b.threads === t.threads);
    return {
      method: t.method,
      threads: t.threads,
      cases: t.cases,
      llama_default: t.llamaDefault,
      wall_ms: wall,
      ms_per_case: wall / t.cases,
      arms_tokens_per_second: armsTokensPerSecond,
      fraction_of_limit_at_these_threads: limitHere.length > 0 ? armsTokensPerSecond / best(limitHere) : null,
      other_load_cores: maxOrNull(t.runs.map((r) => r.otherLoadCores)),
    };
  });
  const atHeadline = (method: MethodName) => threads.filter((t) => t.method === method && t.cases === raw.options.headlineCases && !t.llama_default);
  const fastest = (method: MethodName) => Math.min(methods[method].wall_ms, ...atHeadline(method).map((t) => t.wall_ms));
  const speedup = fastest("baseline") / fastest("tunegate");

  const tunegateEvalMs = median(headline.runs.tunegate.map((r) => armsWallMs(r.result)));
  const tunegateTokensPerSecond = (tunegate.tokensEvaluated / tunegateEvalMs) * 1000;

  const memory = raw.loraMemory.result;
  const loraOverhead = memory.rssWithLoraContextBytes - memory.rssWithSecondBaseContextBytes;
  const oneContext = memory.rssWithSecondBaseContextBytes - memory.rssWithBaseContextBytes;
  const boundMeasured = memory.adapterFileBytes + Math.max(0, oneContext);

  const tokensRatio = tunegate.tokensEvaluated / tunegate.tokensMinimum!;
  const fraction = tunegateTokensPerSecond / limitTokensPerSecond;

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
    max_other_load_cores: maxOrNull(
      [...raw.methods.flatMap((m) => Object.values(m.runs).flat()), ...raw.threads.flatMap((t) => t.runs), ...raw.limit, ...raw.armsInParallel].map((r) => r.otherLoadCores),
    ),
    speedup_vs_baseline: speedup,
    speedup_at_equal_threads: methods.baseline.wall_ms / methods.tunegate.wall_ms,
    speedup_as_shipped: fastest("baseline") / methods.tunegate.wall_ms,
    tokens_ratio_to_minimum: tokensRatio,
    throughput_fraction_of_limit: fraction,
    lora_rss_overhead_bytes: loraOverhead,
    targets: {
      speedup: { target: ">= 5x baseline end to end (each at its fastest thread count)", value: speedup, met: speedup >= 5 },
      tokens: { target: "<= 1.1x the theoretical minimum", value: tokensRatio, met: tokensRatio <= 1.1 },
      throughput: { target: ">= 70 % of the raw prompt-processing limit (the best at any thread count)", value: fraction, met: fraction >= 0.7 },
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
      tokens: limits[0]!.longBatch.tokens,
      by_threads: byThreads,
      prompt_batch_tokens: limits[0]!.promptBatches.batchTokens,
      limit_tokens_per_second: limitTokensPerSecond,
      limit_at_engine_threads_tokens_per_second: limitAtEngineThreads,
      tunegate_tokens_per_second: tunegateTokensPerSecond,
      fraction_at_engine_threads: tunegateTokensPerSecond / limitAtEngineThreads,
    },
    threads,
    arms_in_parallel: armsInParallelFigures(raw, tunegate, tunegateEvalMs, limitTokensPerSecond),
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

function armsInParallelFigures(raw: RawBench, tunegate: MethodResult, tunegateEvalMs: number, limitTokensPerSecond: number): BenchResults["arms_in_parallel"] {
  if (raw.armsInParallel.length === 0) return null;
  const wallMs = median(raw.armsInParallel.map((r) => r.result.wallMs));
  const tokensPerSecond = (tunegate.tokensEvaluated / wallMs) * 1000;
  return {
    cases: raw.options.headlineCases,
    threads_per_arm: 1,
    wall_ms: wallMs,
    tunegate_wall_ms: tunegateEvalMs,
    tokens_per_second: tokensPerSecond,
    fraction_of_limit: tokensPerSecond / limitTokensPerSecond,
    same_predictions_as_tunegate: raw.armsInParallel.every((r) => samePredictions([tunegate.arms, r.result.arms])),
  };
}

function summarizeReplay(replays: ReadonlyArray<NonNullable<LimitResult["replay"]>>): ReplayFigures | null {
  if (replays.length === 0) return null;
  const { tokens, calls } = replays[0]!;
  const withoutMs = median(replays.map((r) => r.withoutReadoutMs));
  const withMs = median(replays.map((r) => r.withReadoutMs));
  return {
    tokens,
    calls,
    without_readout_tokens_per_second: (tokens / withoutMs) * 1000,
    with_readout_tokens_per_second: (tokens / withMs) * 1000,
    readout_ms_per_case: (withMs - withoutMs) / (calls - 1),
  };
}

/** Share of the suite's cases each arm of a method got right. */
function accuracy(result: MethodResult): Record<ArmName, number> {
  return { few_shot: result.arms.few_shot.correct / result.cases, lora: result.arms.lora.correct / result.cases };
}
