// What a decode costs by its shape: node dist/bench/decode-shapes.js [MODEL.gguf] [--threads N].
// Times node-llama-cpp's public controlledEvaluate on the shapes the engine's rounds take (several sequences,
// a handful of tokens each, after a shared prefix, each asking for the next token after its last one, so the
// output projection over the vocabulary is computed as in the engine's rounds; the cheapest read, the greedy
// token, stands in for the engine's full distribution, whose cost readout-cost.ts measures) against a whole
// prompt from position 0 with no output asked for, the shape of the benchmark's limit: median of 7 of each,
// tokens per second beside it. bench/README.md ("A pool thread per arm") reads these figures: how much a small
// decode loses to thread synchronisation, and what a round of unequal lengths costs against equal ones
// (llama.cpp splits it into one ubatch per distinct length).
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { getLlama, type LlamaContextSequence, type Token } from "node-llama-cpp";
import { median } from "./median.js";

const PREFIX = 150;
const { values, positionals } = parseArgs({ options: { threads: { type: "string", default: "1" } }, allowPositionals: true });
const threads = Number(values.threads);
const root = fileURLToPath(new URL("../..", import.meta.url));
const modelPath = positionals[0] ?? `${root}.cache/models/bench-base.gguf`;

/** Deterministic token ids inside every vocabulary this repository's models have (the demo model's is 3,202). */
const tokens = (count: number, seed: number): Token[] => Array.from({ length: count }, (_, i) => (100 + ((seed * 7919 + i * 104_729) % 3000)) as Token);

/** Median time of `evaluate` over 7 repeats, each after an untimed `reset`; printed with its token rate. */
async function measure(label: string, tokenCount: number, reset: () => Promise<unknown>, evaluate: (repeat: number) => Promise<unknown>): Promise<void> {
  const times: number[] = [];
  for (let repeat = 0; repeat < 7; repeat++) {
    await reset();
    const started = performance.now();
    await evaluate(repeat);
    times.push(performance.now() - started);
  }
  const ms = median(times);
  console.log(`${label.padEnd(50)} ${ms.toFixed(1).padStart(7)} ms  ${((tokenCount / ms) * 1000).toFixed(0).padStart(6)} tokens/s`);
}

type Input = Parameters<LlamaContextSequence["controlledEvaluate"]>[0];
const GREEDY = { generateNext: { token: true, options: { temperature: 0 } } } as const;

/** A case's own tokens, asking for the next token after the last, as the engine's rounds ask for its distribution. */
const caseInput = (count: number, seed: number): Input => tokens(count, seed).map((token, i) => (i === count - 1 ? ([token, GREEDY] as const) : token)) as Input;

/** Drops everything after the prefix, outside the timed part. */
const toPrefix = (sequence: LlamaContextSequence) => sequence.eraseContextTokenRanges([{ start: PREFIX, end: sequence.nextTokenIndex }]);

const llama = await getLlama({ gpu: false, build: "never" });
const model = await llama.loadModel({ modelPath });
console.log(`${modelPath}, ${threads} thread(s) per context, prefix ${PREFIX} tokens in every sequence`);
{
  const context = await model.createContext({ contextSize: 512, sequences: 1, threads, batchSize: 512 });
  const sequence = context.getSequence();
  await measure(`${PREFIX + 2} tokens from position 0, one sequence`, PREFIX + 2, () => sequence.clearHistory(), (repeat) => sequence.controlledEvaluate(tokens(PREFIX + 2, repeat)));
  await sequence.clearHistory();
  await sequence.controlledEvaluate(tokens(PREFIX, 99));
  for (const count of [44, 11, 1]) {
    await measure(`${count} tokens at position ${PREFIX}, one sequence`, count, () => toPrefix(sequence), (repeat) => sequence.controlledEvaluate(caseInput(count, repeat)));
  }
  await context.dispose();
}
for (const count of [4, 8]) {
  const context = await model.createContext({ contextSize: 512, sequences: count, threads, batchSize: 512 });
  const sequences = Array.from({ length: count }, () => context.getSequence());
  for (const sequence of sequences) await sequence.controlledEvaluate(tokens(PREFIX, 99));
  const shapes: Array<[string, number[]]> = [
    [`${count} sequences x 11 tokens`, Array<number>(count).fill(11)],
    [`${count} sequences of 9 to 12 tokens, sorted`, Array.from({ length: count }, (_, k) => 9 + Math.floor((k * 4) / count))],
    [`${count} sequences x 38 tokens`, Array<number>(count).fill(38)],
  ];
  for (const [label, lengths] of shapes) {
    const total = lengths.reduce((sum, n) => sum + n, 0);
    // One tick, sequence-id order, non-decreasing lengths: one decode, outputs in batch order (rounds.ts).
    await measure(label, total, () => Promise.all(sequences.map(toPrefix)), (repeat) =>
      Promise.all(sequences.map((sequence, k) => sequence.controlledEvaluate(caseInput(lengths[k]!, repeat + k)))),
    );
  }
  await context.dispose();
}
await model.dispose();
await llama.dispose();
