// The order of measurements. Timed steps are interleaved across repeats (baseline, tunegate, generate, then
// again), so that a burst of load from other processes spreads over all methods instead of hitting one.
import { availableParallelism } from "node:os";
import { forgeDemoModels } from "./models.js";
import { DISTURBED_LOAD_CORES } from "./machine.js";
import type { BenchOptions } from "./options.js";
import { runInChild, type ChildRun } from "./spawn.js";
import type { BenchModels } from "./suite.js";
import type { LimitResult, LoraMemoryResult, Measurement, MethodName, MethodResult, Task } from "./tasks.js";

/** Suite size for node-llama-cpp's default thread count: over 10x slower than the engine's choice here, so a few cases show it. */
export const DEFAULT_THREADS_CASES = 4;
/** The demo suite's own size: the classifier agreement runs it whole. */
const DEMO_CASES = 45;

/** One way of running a method (threads per context, arms side by side or not) and its runs at one suite size. */
export interface SettingRuns {
  method: MethodName;
  /** Threads per context. */
  threads: number;
  parallelArms: boolean;
  cases: number;
  /** The method left to its own choices: the runs of the main comparison. */
  asShipped: boolean;
  /** node-llama-cpp's own default thread count (Llama.maxThreads), which the engine never uses. */
  llamaDefault: boolean;
  runs: ChildRun<MethodResult>[];
}

export interface RawBench {
  options: BenchOptions;
  models: BenchModels;
  /** Per suite size, per method: every repeat, each method left to its own choices. */
  methods: Array<{ cases: number; runs: Record<MethodName, ChildRun<MethodResult>[]> }>;
  /** The engine's own choices for these models. */
  engine: { threads: number; parallelArms: boolean };
  settings: SettingRuns[];
  limit: ChildRun<LimitResult>[];
  loraMemory: ChildRun<LoraMemoryResult>;
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

function describeSetting(s: Pick<SettingRuns, "method" | "threads" | "parallelArms" | "cases">): string {
  const threads = `${s.threads} thread${s.threads > 1 ? "s" : ""}${s.method === "baseline" ? "" : " per arm"}`;
  const arms = s.method === "baseline" ? "" : s.parallelArms ? ", arms side by side" : ", arms one after the other";
  return `${s.method} at ${threads}${arms}, ${s.cases} cases`;
}

function methodTask(s: Pick<SettingRuns, "method" | "threads" | "parallelArms" | "cases">, models: BenchModels): Task {
  return { kind: "method", method: s.method, models, cases: s.cases, threads: s.threads, ...(s.method === "baseline" ? {} : { parallelArms: s.parallelArms }) };
}

export async function runBench(options: BenchOptions, models: BenchModels, progress: Progress, classifierAgreement: boolean): Promise<RawBench> {
  const { repeats } = options;
  // Untimed, and first: it reads the model and adapter files and starts llama.cpp once, so that no timed step
  // pays for a cold file cache. One thread per context is the engine's choice on a multi-core CPU.
  const loraMemory = await step<LoraMemoryResult>(progress, "LoRA memory (untimed; warms the file cache)", { kind: "lora-memory", models, threads: 1 });
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
  const shipped = (method: MethodName) => headline.runs[method][0]!.result;
  const engine = { threads: shipped("tunegate").threads, parallelArms: shipped("tunegate").armsInParallel };

  // Other thread counts, and the engine's arms one after the other as well as side by side. The methods' own
  // choices were measured above and are reused.
  // One thread against all cores by default: every count in between multiplies the runs on a big machine.
  const counts = options.threads ?? [...new Set([1, availableParallelism()])];
  // Side by side only where the two arms' threads fit the cores: oversubscribing them is what node-llama-cpp's
  // default thread count shows below.
  const arrangements = (threads: number) => (2 * threads <= availableParallelism() ? [false, true] : [false]);
  const asShipped = (method: MethodName): SettingRuns => ({
    method,
    threads: shipped(method).threads,
    parallelArms: shipped(method).armsInParallel,
    cases: options.headlineCases,
    asShipped: true,
    llamaDefault: false,
    runs: headline.runs[method],
  });
  const settings: SettingRuns[] = [asShipped("tunegate"), asShipped("baseline")];
  const sameAs = (a: Pick<SettingRuns, "method" | "threads" | "parallelArms">) => (b: SettingRuns) =>
    a.method === b.method && a.threads === b.threads && a.parallelArms === b.parallelArms;
  const swept: SettingRuns[] = [];
  for (const threads of counts) {
    // --quick keeps only what the speedup needs: the baseline at its fastest against tunegate as shipped.
    const candidates: Array<Pick<SettingRuns, "method" | "threads" | "parallelArms">> = [
      ...(options.quick ? [] : arrangements(threads).map((parallelArms) => ({ method: "tunegate" as const, threads, parallelArms }))),
      { method: "baseline", threads, parallelArms: false },
    ];
    for (const c of candidates) {
      if (!settings.some(sameAs(c))) swept.push({ ...c, cases: options.headlineCases, asShipped: false, llamaDefault: false, runs: [] });
    }
  }
  for (let r = 1; r <= repeats; r++) {
    for (const s of swept) s.runs.push(await step<MethodResult>(progress, `${describeSetting(s)}, run ${r}/${repeats}`, methodTask(s, models)));
  }
  settings.push(...swept);

  const llamaDefault = shipped("tunegate").llamaDefaultThreads;
  if (!options.quick && !counts.includes(llamaDefault)) {
    const atDefault = { method: "tunegate" as const, threads: llamaDefault, parallelArms: false, cases: DEFAULT_THREADS_CASES };
    const label = `${describeSetting(atDefault)} (node-llama-cpp's default thread count)`;
    settings.push({ ...atDefault, asShipped: false, llamaDefault: true, runs: [await step<MethodResult>(progress, label, methodTask(atDefault, models))] });
    const reference: Task = { kind: "method", method: "tunegate", models, cases: DEFAULT_THREADS_CASES };
    const run = await step<MethodResult>(progress, `tunegate as shipped, ${DEFAULT_THREADS_CASES} cases (for comparison)`, reference);
    settings.push({ ...engine, method: "tunegate", cases: DEFAULT_THREADS_CASES, asShipped: true, llamaDefault: false, runs: [run] });
  }

  // The limit at every thread count: the machine's best showing is the bar, whichever count reaches it.
  const limit: ChildRun<LimitResult>[] = [];
  const replay = !options.quick;
  const tokens = shipped("tunegate").tokensEvaluated;
  for (let r = 1; r <= repeats; r++) {
    for (const count of counts) {
      const task: Task = { kind: "limit", models, cases: options.headlineCases, threads: count, tokens, replay };
      const label = `raw prompt throughput at ${count} thread${count > 1 ? "s" : ""}, ${tokens} tokens${replay ? " (+ replay of the engine's calls)" : ""}, run ${r}/${repeats}`;
      limit.push(await step<LimitResult>(progress, label, task));
    }
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
  return { options, models, methods, engine, settings, limit, loraMemory, ...(classifier ? { classifier } : {}) };
}
