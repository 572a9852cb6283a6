// The machine's limit for this model: how fast llama.cpp processes prompt tokens when nothing but prompt
// processing happens. Measured two ways, because attention costs grow with position: one long batch of the
// given number of tokens (the limit's definition), and the same number of tokens as whole few-shot prompts,
// each from an empty cache (batches at the positions tunegate works at). A replay of tunegate's few-shot arm's
// own evaluation calls, with and without reading the next-token distribution, splits the gap between the two.
import type { LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";
import { alignContextSize } from "../src/engine/engine.js";
import type { LocalEngine } from "../src/engine/local/local-engine.js";
import { commonPrefixLength, tokenizePrompt } from "../src/engine/local/tokens.js";
import { renderFewShotPrompt } from "../src/prompts.js";
import type { Suite } from "../src/types.js";
import type { LimitResult } from "./tasks.js";

type EvaluateInput = Parameters<LlamaContextSequence["controlledEvaluate"]>[0];
const DISTRIBUTION = { generateNext: { probabilities: true } } as const;

async function createContext(engine: LocalEngine, suite: Suite, contextSize: number, threads: number, withAdapter = false): Promise<LlamaContext> {
  const { model } = await engine.loadModel(suite.fewShot.model.path);
  const lora = withAdapter ? { lora: { adapters: [{ filePath: suite.lora.adapter.path, scale: suite.lora.scale }] } } : {};
  return model.createContext({ contextSize, sequences: 1, threads, batchSize: Math.min(contextSize, 512), ...lora });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * Passes of each limit figure; the fastest counts. The limit is the machine's best showing: on a machine other
 * processes share, one disturbed pass would lower the bar and flatter tunegate's fraction of it.
 */
export const LIMIT_PASSES = 3;

async function fastest(work: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let pass = 0; pass < LIMIT_PASSES; pass++) best = Math.min(best, await timed(work));
  return best;
}

/** `total` tokens of real prompt text: the suite's few-shot prompts one after another. */
function tokenStream(prompts: readonly Token[][], total: number): Token[] {
  const stream: Token[] = [];
  for (let i = 0; stream.length < total; i++) stream.push(...prompts[i % prompts.length]!);
  return stream.slice(0, total);
}

export async function measureLimit(engine: LocalEngine, suite: Suite, tokens: number, threads: number, withReplay: boolean): Promise<LimitResult> {
  await engine.llama();
  const { model, trainContextSize: trainContext } = await engine.loadModel(suite.fewShot.model.path);
  const prompts = suite.cases.map((c) => tokenizePrompt(model, renderFewShotPrompt(suite.fewShot, c.input)));

  // One long batch, cut only where the model's trained context ends. A first short evaluation pages the weights
  // in, so that neither figure pays for the first touch of the model file. Measured once on the base weights
  // (the limit's definition) and once with the LoRA arm's adapter attached (for the adapter-aware limit).
  const longContextSize = Math.min(alignContextSize(tokens), trainContext);
  const stream = tokenStream(prompts, tokens);
  const longBatchMs = async (withAdapter: boolean): Promise<number> => {
    const long = await createContext(engine, suite, longContextSize, threads, withAdapter);
    try {
      const sequence = long.getSequence();
      await sequence.controlledEvaluate(prompts[0]!.slice(0, 8));
      return await fastest(async () => {
        for (let start = 0; start < stream.length; start += longContextSize) {
          await sequence.clearHistory();
          await sequence.controlledEvaluate(stream.slice(start, start + longContextSize));
        }
      });
    } finally {
      await long.dispose();
    }
  };
  const longMs = await longBatchMs(false);
  const adapterMs = await longBatchMs(true);

  const longest = Math.max(...prompts.map((p) => p.length));
  const context = await createContext(engine, suite, alignContextSize(longest + 1), threads);
  try {
    const sequence = context.getSequence();
    let promptTokens = 0;
    let promptCount = 0;
    const promptMs = await fastest(async () => {
      promptTokens = 0;
      promptCount = 0;
      for (let i = 0; promptTokens < tokens; i++) {
        const prompt = prompts[i % prompts.length]!;
        await sequence.clearHistory();
        await sequence.controlledEvaluate(prompt);
        promptTokens += prompt.length;
        promptCount += 1;
      }
    });

    // tunegate's few-shot arm: the shared prefix once, then each case's own tokens after it.
    const prefix = Math.min(commonPrefixLength(prompts), ...prompts.map((p) => p.length - 1));
    const replay = async (readDistribution: boolean) => {
      await sequence.clearHistory();
      await sequence.controlledEvaluate(prompts[0]!.slice(0, prefix));
      for (const prompt of prompts) {
        await sequence.eraseContextTokenRanges([{ start: prefix, end: sequence.nextTokenIndex }]);
        const suffix = prompt.slice(prefix);
        const last = suffix.length - 1;
        await sequence.controlledEvaluate(
          (readDistribution ? suffix.map((t, i) => (i === last ? [t, DISTRIBUTION] : t)) : suffix) as EvaluateInput,
        );
      }
    };
    const replayTokens = prefix + prompts.reduce((sum, p) => sum + p.length - prefix, 0);
    const replayed = withReplay
      ? { tokens: replayTokens, calls: prompts.length + 1, withoutReadoutMs: await timed(() => replay(false)), withReadoutMs: await timed(() => replay(true)) }
      : undefined;

    return {
      kind: "limit",
      threads,
      longBatch: { tokens, ms: longMs, tokensPerSecond: (tokens / longMs) * 1000 },
      longBatchWithAdapter: { tokens, ms: adapterMs, tokensPerSecond: (tokens / adapterMs) * 1000 },
      promptBatches: { tokens: promptTokens, batchTokens: promptTokens / promptCount, ms: promptMs, tokensPerSecond: (promptTokens / promptMs) * 1000 },
      ...(replayed ? { replay: replayed } : {}),
    };
  } finally {
    await context.dispose();
  }
}
