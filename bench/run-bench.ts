// The order of measurements. Timed steps are interleaved across repeats (baseline, tunegate, generate, then
// again), so that a burst of load from other processes spreads over all methods instead of hitting one.
import { availableParallelism } from "node:os";
import { forgeDemoModels } from "./models.js";
import { DISTURBED_LOAD_CORES } from "./results.js";
import type { BenchOptions } from "./options.js";
import { runInChild, type ChildRun } from "./spawn.js";
import type { BenchModels } from "./suite.js";
import type { ArmsInParallelResult, LimitResult, LoraMemoryResult, Measurement, MethodName, MethodResult, Task } from "./tasks.js";

/** Suite size for node-llama-cpp's default thread count: ~75x slower than one thread here, so a few cases show it. */
export const DEFAULT_THREADS_CASES = 4;
/** The demo suite's own size: the classifier agreement runs it whole. */
const DEMO_CASES = 45;

export interface ThreadRuns {
  threads: number;
  cases: number;
  method: MethodName;
  /** True for node-llama-cpp's own default (Llama.maxThreads), which the engine never uses. */
  llamaDefault: boolean;
  runs: ChildRun<MethodResult>[];
}

export interface RawBench {
  options: BenchOptions;
  models: BenchModels;
  /** Per suite size, per method: every repeat, at the engine's own thread choice. */
  methods: Array<{ cases: number; runs: Record<MethodName, ChildRun<MethodResult>[]> }>;
  engineThreads: number;
  threads: ThreadRuns[];
  limit: ChildRun<LimitResult>[];
  loraMemory: ChildRun<LoraMemoryResult>;
  armsInParallel: ChildRun<ArmsInParallelResult>[];
  /** Baseline and both engine modes on the demo classifier (only when benchmarking the forged bench models). */
  classifier?: Record<MethodName, MethodResult>;
}

type Progress = (line: string) => void;

async function step<M extends Measurement>(progress: Progress, label: string, task: Task): Promise<ChildRun<M>> {
  const started = performance.now();
  const run = await runInChild<M>(task);
  const load = run.otherLoadCores !== undefined && run.otherLoadCores > DISTURBED_LOAD_CORES ? ` (other processes used ${run.otherLoadCores.toFixed(1)} cores meanwhile)` : "";
  progress(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s${load}`);
  return run;
}

export async function runBench(options: BenchOptions, models: BenchModels, progress: Progress, classifierAgreement: boolean): Promise<RawBench> {
  const { repeats } = options;
  const order: MethodName[] = ["tunegate", "baseline", "tunegate-generate"];
  const methods: RawBench["methods"] = [];
  for (const cases of options.cases) {
    const runs: Record<MethodName, ChildRun<MethodResult>[]> = { baseline: [], tunegate: [], "tunegate-generate": [] };
    for (let r = 1; r <= repeats; r++) {
      for (const method of order) {
        runs[method].push(await step<MethodResult>(progress, `${method}, ${cases} cases, run ${r}/${repeats}`, { kind: "method", method, models, cases }));
      }
    }
    methods.push({ cases, runs });
  }
  const headline = methods.find((m) => m.cases === options.headlineCases)!;
  const firstTunegate = headline.runs.tunegate[0]!.result;
  const engineThreads = firstTunegate.threads;

  // The engine's wall time (and the baseline's) at other thread counts; the engine's own choice is measured above.
  const counts = options.threads ?? Array.from({ length: availableParallelism() }, (_, i) => i + 1);
  const threads: ThreadRuns[] = counts.flatMap((count) =>
    (["tunegate", "baseline"] as const).map((method) => ({
      threads: count,
      cases: options.headlineCases,
      method,
      llamaDefault: false,
      runs: count === engineThreads ? headline.runs[method] : [],
    })),
  );
  for (let r = 1; r <= repeats; r++) {
    for (const entry of threads.filter((t) => t.threads !== engineThreads)) {
      const label = `${entry.method} at ${entry.threads} thread${entry.threads > 1 ? "s" : ""}, ${entry.cases} cases, run ${r}/${repeats}`;
      entry.runs.push(await step<MethodResult>(progress, label, { kind: "method", method: entry.method, models, cases: entry.cases, threads: entry.threads }));
    }
  }
  const llamaDefault = firstTunegate.llamaDefaultThreads;
  if (!options.quick && !counts.includes(llamaDefault)) {
    const task: Task = { kind: "method", method: "tunegate", models, cases: DEFAULT_THREADS_CASES, threads: llamaDefault };
    const label = `tunegate at node-llama-cpp's default of ${llamaDefault} threads, ${DEFAULT_THREADS_CASES} cases`;
    threads.push({ threads: llamaDefault, cases: DEFAULT_THREADS_CASES, method: "tunegate", llamaDefault: true, runs: [await step<MethodResult>(progress, label, task)] });
    const reference: Task = { kind: "method", method: "tunegate", models, cases: DEFAULT_THREADS_CASES };
    const same = `tunegate at ${engineThreads} thread${engineThreads > 1 ? "s" : ""}, ${DEFAULT_THREADS_CASES} cases (for comparison)`;
    threads.push({ threads: engineThreads, cases: DEFAULT_THREADS_CASES, method: "tunegate", llamaDefault: false, runs: [await step<MethodResult>(progress, same, reference)] });
  }

  // The limit at every thread count: the machine's best showing is the bar, whichever count reaches it.
  const limit: ChildRun<LimitResult>[] = [];
  const replay = !options.quick;
  for (let r = 1; r <= repeats; r++) {
    for (const count of counts.includes(engineThreads) ? counts : [...counts, engineThreads]) {
      const task: Task = { kind: "limit", models, cases: options.headlineCases, threads: count, tokens: firstTunegate.tokensEvaluated, replay };
      const label = `raw prompt throughput at ${count} thread${count > 1 ? "s" : ""}, ${firstTunegate.tokensEvaluated} tokens${replay ? " (+ replay of the engine's calls)" : ""}, run ${r}/${repeats}`;
      limit.push(await step<LimitResult>(progress, label, task));
    }
  }
  const loraMemory = await step<LoraMemoryResult>(progress, "LoRA memory", { kind: "lora-memory", models, threads: engineThreads });
  // A diagnostic for the report, left out of --quick to keep it short.
  const armsInParallel: ChildRun<ArmsInParallelResult>[] = [];
  for (let r = 1; r <= (options.quick ? 0 : repeats); r++) {
    const task: Task = { kind: "arms-in-parallel", models, cases: options.headlineCases };
    armsInParallel.push(await step<ArmsInParallelResult>(progress, `both arms in parallel, 1 thread each, run ${r}/${repeats}`, task));
  }

  let classifier: RawBench["classifier"];
  if (classifierAgreement) {
    const demo = await forgeDemoModels();
    try {
      const results = {} as Record<MethodName, MethodResult>;
      for (const method of order) {
        results[method] = (await step<MethodResult>(progress, `${method} on the demo classifier`, { kind: "method", method, models: demo.models, cases: DEMO_CASES })).result;
      }
      classifier = results;
    } finally {
      await demo.remove();
    }
  }
  return { options, models, methods, engineThreads, threads, limit, loraMemory, armsInParallel, ...(classifier ? { classifier } : {}) };
}
