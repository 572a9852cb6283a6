// Minimal reproduction, on node-llama-cpp's public API alone, of the race that hands a sequence another
// sequence's next-token distribution when several sequences share a decode (bench/README.md, "The
// multi-sequence race"). Run: npm run build && node dist/bench/race-repro.js MODEL.gguf [ROUNDS] [SEQUENCES]
//
// Each round evaluates SEQUENCES prompts of different lengths, one per sequence, issued in one tick in
// sequence-id order, and reads each sequence's full next-token distribution; a row is wrong when it differs
// from the same prompt's distribution evaluated alone. "unsorted" gives the sequences prompts in random length
// order, "sorted" gives sequence k the k-th shortest. The race needs a libuv pool of two or more threads (the
// default): with UV_THREADPOOL_SIZE=1 reads cannot overlap.
import { getLlama, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";

export type IssueOrder = "sorted" | "unsorted";

export interface RaceOutcome {
  order: IssueOrder;
  rows: number;
  wrong: number;
}

const DISTRIBUTION = { generateNext: { probabilities: true } } as const;

/** A small deterministic generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Distinct prompts of random tokens (no control tokens) and lengths in [minLength, maxLength]. */
export function racePrompts(model: LlamaModel, count: number, minLength: number, maxLength: number, seed = 1): Token[][] {
  const next = random(seed);
  const vocabulary = model.fileInfo.metadata.tokenizer?.ggml.tokens.length ?? 0;
  const usable: Token[] = [];
  for (let id = 0; id < vocabulary && usable.length < 4096; id++) {
    const token = id as Token;
    if (token !== model.tokens.bos && token !== model.tokens.eos && !model.isSpecialToken(token)) usable.push(token);
  }
  return Array.from({ length: count }, () => {
    const length = minLength + Math.floor(next() * (maxLength - minLength + 1));
    return Array.from({ length }, () => usable[Math.floor(next() * usable.length)]!);
  });
}

async function distributionAfter(sequence: LlamaContextSequence, prompt: readonly Token[]): Promise<Map<Token, number>> {
  const input = prompt.map((token, i) => (i === prompt.length - 1 ? ([token, DISTRIBUTION] as const) : token));
  const output = await sequence.controlledEvaluate(input as Parameters<LlamaContextSequence["controlledEvaluate"]>[0]);
  const probabilities = output.at(-1)?.next?.probabilities;
  if (!probabilities) throw new Error("no distribution returned");
  return probabilities;
}

function maxDifference(a: Map<Token, number>, b: Map<Token, number>): number {
  let most = 0;
  for (const [token, p] of a) most = Math.max(most, Math.abs(p - (b.get(token) ?? 0)));
  for (const [token, p] of b) if (!a.has(token)) most = Math.max(most, p);
  return most;
}

/**
 * Counts wrong rows over `rounds` rounds of `sequences` prompts each, in the given issue order. A row is wrong
 * when its distribution differs from the prompt's own (evaluated alone) by more than `tolerance` anywhere.
 */
export async function measureRace(
  model: LlamaModel,
  options: {
    sequences: number;
    rounds: number;
    order: IssueOrder;
    minLength?: number;
    maxLength?: number;
    tolerance?: number;
    seed?: number;
    /** End the run after the first round with a wrong row (to show the race exists, cheaply). */
    stopAtFirstWrong?: boolean;
  },
): Promise<RaceOutcome> {
  const { sequences, rounds, order, minLength = 2, maxLength = 24, tolerance = 1e-3, seed = 1, stopAtFirstWrong = false } = options;
  const prompts = racePrompts(model, sequences * 4, minLength, maxLength, seed);
  const context = await model.createContext({ contextSize: 256, sequences, threads: 1, batchSize: 512 });
  try {
    const all = Array.from({ length: sequences }, () => context.getSequence());
    const reference: Map<Token, number>[] = [];
    for (const prompt of prompts) {
      await all[0]!.clearHistory();
      reference.push(await distributionAfter(all[0]!, prompt));
    }
    const next = random(seed + 1);
    let wrong = 0;
    let rows = 0;
    for (let r = 0; r < rounds && !(stopAtFirstWrong && wrong > 0); r++) {
      const picked = Array.from({ length: sequences }, () => Math.floor(next() * prompts.length));
      if (order === "sorted") picked.sort((a, b) => prompts[a]!.length - prompts[b]!.length);
      await Promise.all(all.map((s) => s.clearHistory()));
      // One tick, sequence-id order: the calls reach llama.cpp as one batch in this order.
      const outputs = await Promise.all(all.map((s, k) => distributionAfter(s, prompts[picked[k]!]!)));
      rows += outputs.length;
      outputs.forEach((distribution, k) => {
        if (maxDifference(distribution, reference[picked[k]!]!) > tolerance) wrong += 1;
      });
    }
    return { order, rows, wrong };
  } finally {
    await context.dispose();
  }
}

const [modelPath, roundsArg, sequencesArg] = process.argv.slice(2);
if (import.meta.url === `file://${process.argv[1]}` && modelPath) {
  const llama = await getLlama({ gpu: false, build: "never" });
  const model = await llama.loadModel({ modelPath });
  const rounds = Number(roundsArg ?? 300);
  const sequences = Number(sequencesArg ?? 8);
  for (const order of ["unsorted", "sorted"] as const) {
    const outcome = await measureRace(model, { sequences, rounds, order });
    console.log(`${order}: ${outcome.wrong} wrong rows of ${outcome.rows} (UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "unset"})`);
  }
  await model.dispose();
  await llama.dispose();
}
