// From raw measurements to the figures: medians over repeats, ratios, agreement, and the targets the README's benchmark table states.
import type { ArmName } from "../src/types.js";
import { generationAgreement, samePredictions, scoringAgreement, type GenerationAgreement, type ScoringAgreement } from "./agreement.js";
import type { MachineDescription } from "./machine.js";
import { median } from "./median.js";
import type { RawBench, SettingRuns } from "./run-bench.js";
import type { ChildRun } from "./spawn.js";
import type { LimitResult, MethodName, MethodResult } from "./tasks.js";

const METHOD_NAMES: readonly MethodName[] = ["baseline", "tunegate", "tunegate-generate"];


export interface MethodFigures {
  cases: number;
  /** Threads per context. */
  threads: number;
  arms_in_parallel: boolean;
  runs: number;
  wall_ms: number;
  wall_ms_runs: number[];
  model_load_ms: number;
  model_loads: number;
  /** Each arm's own time: tokenising, context, every case (model load and start-up excluded). */
  arm_wall_ms: Record<ArmName, number>;
  /** From the first arm's start to the last arm's end (less than the sum when the arms run side by side). */
  arms_span_ms: number;
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

export interface SettingFigures {
  method: MethodName;
  /** Threads per context. */
  threads: number;
  arms_in_parallel: boolean;
  /** Threads busy at once: per context, times two when the arms run side by side. */
  threads_in_use: number;
  cases: number;
  as_shipped: boolean;
  llama_default: boolean;
  wall_ms: number;
  ms_per_case: number;
  /** Tokens evaluated over the arms' span (model load and start-up excluded). */
  arms_tokens_per_second: number;
  /** That as a share of the limit measured at `threads_in_use` threads (null where none was measured). */
  fraction_of_limit_at_threads_in_use: number | null;
  other_load_cores: number | null;
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
    engine: { threads_per_arm: number; arms_in_parallel: boolean };
    models: { base: string; lora: string };
  };
  /**
   * The most CPU other processes took during any timed step, in cores. Above DISTURBED_LOAD_CORES the figures
   * are not the machine's: rerun when it is quiet.
   */
  max_other_load_cores: number | null;
  /** Baseline at its fastest setting over tunegate at its fastest: each method as a competent user would tune it. */
  speedup_vs_baseline: number;
  /** Baseline at its fastest setting over tunegate left to its own choices. */
  speedup_as_shipped: number;
  /** Baseline at its fastest over tunegate's fastest with the arms one after the other (null in --quick, which does not run it). */
  speedup_arms_one_after_the_other: number | null;
  tokens_ratio_to_minimum: number;
  throughput_fraction_of_limit: number;
  /** tunegate's tokens per second over the adapter-aware limit (limit.adapter_aware_limit_tokens_per_second). */
  throughput_fraction_of_adapter_aware_limit: number;
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
     * and (not in --quick) the engine's few-shot calls replayed on one context with and without reading the distribution.
     */
    by_threads: Array<{
      threads: number;
      long_batch_tokens_per_second: number;
      /** The long batch with the LoRA arm's adapter attached. */
      long_batch_with_adapter_tokens_per_second: number;
      prompt_batches_tokens_per_second: number;
      replay: ReplayFigures | null;
    }>;
    prompt_batch_tokens: number;
    /** The best of all of them: the fraction is taken against the machine's best showing. */
    limit_tokens_per_second: number;
    /** tunegate as shipped: its tokens evaluated over its arms' span (model load excluded, as in the limit). */
    tunegate_tokens_per_second: number;
    /**
     * Beside the limit, never instead of it: the same best showing, with the LoRA arm's share of tunegate's tokens
     * at the speed the long batch reaches with the adapter attached (a LoRA context computes more per token).
     */
    adapter_aware_limit_tokens_per_second: number;
  };
  /** Every method at every setting measured at the headline size (and node-llama-cpp's default thread count on a few cases). */
  threads: SettingFigures[];
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
  /** Per suite size (--cases 16,64,256,1024): whether time per case stays flat or falls as suites grow. */
  scaling: Array<{ cases: number; methods: Record<MethodName, { wall_ms: number; ms_per_case: number; tokens_evaluated: number }> }>;
}

type LimitRow = BenchResults["limit"]["by_threads"][number];

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
    arms_in_parallel: first.armsInParallel,
    runs: results.length,
    wall_ms: wall,
    wall_ms_runs: results.map((r) => r.wallMs),
    model_load_ms: median(results.map((r) => r.modelLoadMs)),
    model_loads: first.modelLoads,
    arm_wall_ms: { few_shot: median(results.map((r) => r.arms.few_shot.wallMs)), lora: median(results.map((r) => r.arms.lora.wallMs)) },
    arms_span_ms: median(results.map((r) => r.armsSpanMs)),
    tokens_evaluated: first.tokensEvaluated,
    tokens_per_second: (first.tokensEvaluated / wall) * 1000,
    peak_rss_bytes: Math.max(...results.map((r) => r.maxRssBytes)),
    other_load_cores: maxOrNull(runs.map((r) => r.otherLoadCores)),
    deterministic: samePredictions(results.map((r) => r.arms)),
  };
}

function bestOf(rows: readonly LimitRow[]): number {
  return Math.max(...rows.map((b) => Math.max(b.long_batch_tokens_per_second, b.prompt_batches_tokens_per_second)));
}

/**
 * The limit with the LoRA arm's tokens at the adapter's speed: per thread count, the best showing scaled for the
 * LoRA share by the long batch's slowdown with the adapter; the best over thread counts.
 */
function adapterAwareLimit(rows: readonly LimitRow[], fewShotTokens: number, loraTokens: number): number {
  return Math.max(
    ...rows.map((row) => {
      const base = Math.max(row.long_batch_tokens_per_second, row.prompt_batches_tokens_per_second);
      // An adapter adds work, never removes it: a ratio above 1 is noise between the two passes, read as 1.
      const slowdown = Math.min(1, row.long_batch_with_adapter_tokens_per_second / row.long_batch_tokens_per_second);
      const withAdapter = base * slowdown;
      return (fewShotTokens + loraTokens) / (fewShotTokens / base + loraTokens / withAdapter);
    }),
  );
}

function limitRows(limits: readonly LimitResult[]): LimitRow[] {
  return [...new Set(limits.map((l) => l.threads))].map((threads) => {
    const at = limits.filter((l) => l.threads === threads);
    return {
      threads,
      long_batch_tokens_per_second: median(at.map((l) => l.longBatch.tokensPerSecond)),
      long_batch_with_adapter_tokens_per_second: median(at.map((l) => l.longBatchWithAdapter.tokensPerSecond)),
      prompt_batches_tokens_per_second: median(at.map((l) => l.promptBatches.tokensPerSecond)),
      replay: summarizeReplay(at.flatMap((l) => (l.replay ? [l.replay] : []))),
    };
  });
}

function settingFigures(s: SettingRuns, limits: readonly LimitRow[]): SettingFigures {
  const wall = median(s.runs.map((r) => r.result.wallMs));
  const armsTokensPerSecond = (s.runs[0]!.result.tokensEvaluated / median(s.runs.map((r) => r.result.armsSpanMs))) * 1000;
  const threadsInUse = s.threads * (s.parallelArms ? 2 : 1);
  const limitHere = limits.filter((b) => b.threads === threadsInUse);
  return {
    method: s.method,
    threads: s.threads,
    arms_in_parallel: s.parallelArms,
    threads_in_use: threadsInUse,
    cases: s.cases,
    as_shipped: s.asShipped,
    llama_default: s.llamaDefault,
    wall_ms: wall,
    ms_per_case: wall / s.cases,
    arms_tokens_per_second: armsTokensPerSecond,
    fraction_of_limit_at_threads_in_use: limitHere.length > 0 ? armsTokensPerSecond / bestOf(limitHere) : null,
    other_load_cores: maxOrNull(s.runs.map((r) => r.otherLoadCores)),
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

function classifierFigures(classifier: RawBench["classifier"]): BenchResults["agreement"]["classifier"] {
  if (!classifier) return null;
  return {
    tunegate_generate_vs_baseline: generationAgreement(classifier["tunegate-generate"].arms, classifier.baseline.arms),
    tunegate_vs_baseline: scoringAgreement(classifier.tunegate.arms, classifier.baseline.arms),
    accuracy: Object.fromEntries(METHOD_NAMES.map((m) => [m, accuracy(classifier[m])])) as Record<MethodName, Record<ArmName, number>>,
  };
}

export function summarize(raw: RawBench, machine: MachineDescription): BenchResults {
  const headline = raw.methods.find((m) => m.cases === raw.options.headlineCases)!;
  const methods = Object.fromEntries(METHOD_NAMES.map((m) => [m, methodFigures(headline.runs[m])])) as Record<MethodName, MethodFigures>;
  const tunegate = headline.runs.tunegate[0]!.result;
  const baselineRun = headline.runs.baseline[0]!.result;

  const limits = limitRows(raw.limit.map((l) => l.result));
  const limitTokensPerSecond = bestOf(limits);
  const threads = raw.settings.map((s) => settingFigures(s, limits));
  const atHeadline = threads.filter((t) => t.cases === raw.options.headlineCases && !t.llama_default);
  const fastest = (method: MethodName, which: (t: SettingFigures) => boolean = () => true) => {
    const walls = atHeadline.filter((t) => t.method === method && which(t)).map((t) => t.wall_ms);
    return walls.length > 0 ? Math.min(...walls) : null;
  };
  const fastestBaseline = fastest("baseline")!;
  const speedup = fastestBaseline / fastest("tunegate")!;
  const sequentialTunegate = fastest("tunegate", (t) => !t.arms_in_parallel);

  const tunegateTokensPerSecond = (tunegate.tokensEvaluated / methods.tunegate.arms_span_ms) * 1000;
  const fraction = tunegateTokensPerSecond / limitTokensPerSecond;
  const adapterAware = adapterAwareLimit(limits, tunegate.arms.few_shot.tokensEvaluated, tunegate.arms.lora.tokensEvaluated);
  const tokensRatio = tunegate.tokensEvaluated / tunegate.tokensMinimum!;

  const memory = raw.loraMemory.result;
  const loraOverhead = memory.rssWithLoraContextBytes - memory.rssWithSecondBaseContextBytes;
  const oneContext = memory.rssWithSecondBaseContextBytes - memory.rssWithBaseContextBytes;
  const boundMeasured = memory.adapterFileBytes + Math.max(0, oneContext);

  return {
    schema: "tunegate-bench/1",
    measured_at: new Date().toISOString(),
    machine,
    settings: {
      cases: raw.options.cases,
      headline_cases: raw.options.headlineCases,
      repeats: raw.options.repeats,
      quick: raw.options.quick,
      engine: { threads_per_arm: raw.engine.threads, arms_in_parallel: raw.engine.parallelArms },
      models: raw.models,
    },
    max_other_load_cores: maxOrNull(
      [...raw.methods.flatMap((m) => Object.values(m.runs).flat()), ...raw.settings.flatMap((s) => s.runs), ...raw.limit].map((r) => r.otherLoadCores),
    ),
    speedup_vs_baseline: speedup,
    speedup_as_shipped: fastestBaseline / methods.tunegate.wall_ms,
    speedup_arms_one_after_the_other: sequentialTunegate === null ? null : fastestBaseline / sequentialTunegate,
    tokens_ratio_to_minimum: tokensRatio,
    throughput_fraction_of_limit: fraction,
    throughput_fraction_of_adapter_aware_limit: tunegateTokensPerSecond / adapterAware,
    lora_rss_overhead_bytes: loraOverhead,
    targets: {
      speedup: { target: ">= 10x baseline end to end (each method at its fastest setting)", value: speedup, met: speedup >= 10 },
      tokens: { target: "<= 1.05x the theoretical minimum", value: tokensRatio, met: tokensRatio <= 1.05 },
      throughput: { target: ">= 75 % of the raw prompt-processing limit (the best at any thread count)", value: fraction, met: fraction >= 0.75 },
      lora_memory: { target: "LoRA context adds < adapter file + one context", value: loraOverhead, met: loraOverhead < boundMeasured },
    },
    methods,
    tokens_minimum: tunegate.tokensMinimum!,
    agreement: {
      tunegate_generate_vs_baseline: generationAgreement(headline.runs["tunegate-generate"][0]!.result.arms, baselineRun.arms),
      tunegate_vs_baseline: scoringAgreement(tunegate.arms, baselineRun.arms),
      classifier: classifierFigures(raw.classifier),
    },
    limit: {
      tokens: raw.limit[0]!.result.longBatch.tokens,
      by_threads: limits,
      prompt_batch_tokens: raw.limit[0]!.result.promptBatches.batchTokens,
      limit_tokens_per_second: limitTokensPerSecond,
      tunegate_tokens_per_second: tunegateTokensPerSecond,
      adapter_aware_limit_tokens_per_second: adapterAware,
    },
    threads,
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
        METHOD_NAMES.map((name) => {
          const wall = median(m.runs[name].map((r) => r.result.wallMs));
          return [name, { wall_ms: wall, ms_per_case: wall / m.cases, tokens_evaluated: m.runs[name][0]!.result.tokensEvaluated }];
        }),
      ) as Record<MethodName, { wall_ms: number; ms_per_case: number; tokens_evaluated: number }>,
    })),
  };
}
