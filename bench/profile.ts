// Where an in-process run's time goes: node dist/bench/profile.js [--cases N] [--base FILE --lora FILE].
// Runs tunegate's logprob arms on the bench suite once, timing every native call node-llama-cpp makes on the
// arms' contexts (decode, result read, sequence state save/load) and the model's tokenizer, and prints each
// arm's wall time split into: decoding, reading results (the native part of a readout), copying the shared
// prefix, tokenising, and the rest (JavaScript: building the distribution Map, checks, scheduling, and the
// gaps between rounds). It wraps node-llama-cpp's internal addon object (`context._ctx`), which is why it is
// a diagnostic here and nothing the engine relies on; run it with the pool the process will have
// (UV_THREADPOOL_SIZE=2 as tunegate run sets; it prints what it got).
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import type { LlamaModel } from "node-llama-cpp";
import { createLocalEngine } from "../src/engine/local/local-engine.js";
import { threadPoolSize } from "../src/engine/local/threads.js";
import { timeMethod } from "./timed-method.js";
import { ensureBenchModels } from "./models.js";
import { benchSuite } from "./suite.js";

type Kind = "decode" | "read" | "state" | "tokenize";
interface Interval {
  kind: Kind;
  start: number;
  end: number;
}

const intervals: Interval[] = [];

function timedMethod(target: object, name: string, kind: Kind): void {
  timeMethod(target, name, (start, end) => intervals.push({ kind, start, end }));
}

function instrument(model: LlamaModel): void {
  timedMethod(model as unknown as Record<string, unknown>, "tokenize", "tokenize");
  const create = model.createContext.bind(model);
  (model as { createContext: LlamaModel["createContext"] }).createContext = async (options) => {
    const context = await create(options);
    const addon = (context as unknown as { _ctx: Record<string, unknown> })._ctx;
    timedMethod(addon, "decodeBatch", "decode");
    timedMethod(addon, "sampleToken", "read");
    timedMethod(addon, "saveSequenceStateToFile", "state");
    timedMethod(addon, "loadSequenceStateFromFile", "state");
    return context;
  };
}

/** Milliseconds covered by the intervals of one kind inside [from, to], overlaps counted once. */
function covered(kind: Kind, from: number, to: number): number {
  const spans = intervals
    .filter((i) => i.kind === kind && i.end > from && i.start < to)
    .map((i) => [Math.max(i.start, from), Math.min(i.end, to)] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reach = from;
  for (const [start, end] of spans) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "64" },
    base: { type: "string" },
    lora: { type: "string" },
    threads: { type: "string" },
    "parallel-arms": { type: "string" },
  },
});
const root = fileURLToPath(new URL("../..", import.meta.url));
const models = values.base && values.lora ? { base: values.base, lora: values.lora } : await ensureBenchModels(root);
const suite = await benchSuite(models, Number(values.cases), "logprob");
await using engine = createLocalEngine();
const loaded = await engine.loadModel(suite.fewShot.model.path);
instrument(loaded.model);
const armStarts = new Map<string, number>();
const run = await engine.runSuite(suite, {
  ...(values.threads ? { threads: Number(values.threads) } : {}),
  ...(values["parallel-arms"] ? { parallelArms: values["parallel-arms"] === "true" } : {}),
  onProgress: (p) => {
    if (!armStarts.has(p.arm)) armStarts.set(p.arm, performance.now() - p.elapsedMs);
  },
});
console.log(
  `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "(unset)"} -> pool ${threadPoolSize()}; threads per context ${run.engine.threads}; arms side by side: ${run.engine.armsInParallel}; sequences (TUNEGATE_SEQUENCES=${process.env.TUNEGATE_SEQUENCES ?? "unset"})`,
);
const spanStart = Math.min(...armStarts.values());
const spanEnd = Math.max(...(["few_shot", "lora"] as const).map((arm) => armStarts.get(arm)! + run.arms[arm].wallMs));
const tokens = run.arms.few_shot.tokensEvaluated + run.arms.lora.tokensEvaluated;
console.log(`arms' span ${(spanEnd - spanStart).toFixed(0)} ms, ${tokens} tokens: ${((tokens / (spanEnd - spanStart)) * 1000).toFixed(0)} tokens/s`);
if (run.engine.armsInParallel) console.log("(the arms overlapped: each arm's split below counts the other arm's native calls too)");
for (const arm of ["few_shot", "lora"] as const) {
  const result = run.arms[arm];
  const from = armStarts.get(arm)!;
  const to = from + result.wallMs;
  const decode = covered("decode", from, to);
  const read = covered("read", from, to);
  const state = covered("state", from, to);
  const tokenize = covered("tokenize", from, to);
  const decodes = intervals.filter((i) => i.kind === "decode" && i.start >= from && i.end <= to).length;
  const reads = intervals.filter((i) => i.kind === "read" && i.start >= from && i.end <= to).length;
  const rest = result.wallMs - decode - read - state - tokenize;
  const pct = (ms: number) => `${ms.toFixed(0)} ms (${((ms / result.wallMs) * 100).toFixed(0)} %)`;
  console.log(
    `${arm}: wall ${result.wallMs.toFixed(0)} ms, ${result.cases.length} cases, ${result.tokensEvaluated} tokens (minimum ${result.tokensMinimum}), ${decodes} decodes, ${reads} reads\n` +
      `  decode ${pct(decode)} | read results ${pct(read)} | prefix copy ${pct(state)} | tokenize ${pct(tokenize)} | other (JS, gaps) ${pct(rest)}\n` +
      `  ${((result.tokensEvaluated / decode) * 1000).toFixed(0)} tokens/s while decoding, ${((result.tokensEvaluated / result.wallMs) * 1000).toFixed(0)} over the arm`,
  );
}
