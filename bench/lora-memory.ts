// What the LoRA arm adds to memory. The engine runs both arms on one loaded model, the adapter applied per
// context; if that held, a LoRA context next to a base context costs about the adapter plus one more context,
// not a second copy of the base weights. Each context evaluates a prompt before RSS is read, so every weight
// it touches is paged in (the model file is memory-mapped: untouched weights are not resident).
import { stat } from "node:fs/promises";
import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import { alignContextSize } from "../src/engine/engine.js";
import type { LocalEngine } from "../src/engine/local/local-engine.js";
import { tokenizePrompt } from "../src/engine/local/tokens.js";
import type { GgufInspection } from "../src/gguf/inspect.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../src/prompts.js";
import type { Suite } from "../src/types.js";
import type { LoraMemoryResult } from "./tasks.js";

const KV_CACHE_BYTES_PER_VALUE = 2; // node-llama-cpp's default K and V cache type is F16

/** K + V cache bytes of one context: layers × positions × (K width + V width) × bytes per value. */
export function kvCacheBytes(inspection: GgufInspection, contextSize: number): number {
  const block = inspection.info.architectureMetadata;
  const attention = block.attention;
  const layers = Number(block.block_count);
  const embedding = Number(block.embedding_length);
  const heads = Number(attention?.head_count);
  // Per-layer head counts (an array) give NaN, which the check below refuses.
  const kvHeads = Number(attention?.head_count_kv ?? heads);
  const keyWidth = Number(attention?.key_length ?? embedding / heads) * kvHeads;
  const valueWidth = Number(attention?.value_length ?? embedding / heads) * kvHeads;
  const bytes = layers * contextSize * (keyWidth + valueWidth) * KV_CACHE_BYTES_PER_VALUE;
  if (!Number.isFinite(bytes)) throw new Error(`cannot read the attention shape of ${inspection.path} to size its KV cache`);
  return bytes;
}

async function contextWithPrompt(model: LlamaModel, contextSize: number, threads: number, prompt: string, adapter?: string): Promise<LlamaContext> {
  const context = await model.createContext({
    contextSize,
    sequences: 1,
    threads,
    batchSize: Math.min(contextSize, 512),
    ...(adapter ? { lora: { adapters: [{ filePath: adapter, scale: 1 }] } } : {}),
  });
  await context.getSequence().controlledEvaluate(tokenizePrompt(model, prompt));
  return context;
}

export async function measureLoraMemory(engine: LocalEngine, suite: Suite, threads: number): Promise<LoraMemoryResult> {
  await engine.llama();
  const { model, inspection } = await engine.loadModel(suite.fewShot.model.path);
  const rssAfterLoadBytes = process.memoryUsage().rss;
  const fewShotPrompt = renderFewShotPrompt(suite.fewShot, suite.cases[0]!.input);
  const loraPrompt = renderLoraPrompt(suite.lora, suite.cases[0]!.input);
  // One size for every context here: the few-shot arm's, the larger of the two arms' (so the bound is generous to neither).
  const contextSize = alignContextSize(tokenizePrompt(model, fewShotPrompt).length + 16);

  const contexts: LlamaContext[] = [];
  try {
    contexts.push(await contextWithPrompt(model, contextSize, threads, fewShotPrompt));
    const rssWithBaseContextBytes = process.memoryUsage().rss;
    contexts.push(await contextWithPrompt(model, contextSize, threads, fewShotPrompt));
    const rssWithSecondBaseContextBytes = process.memoryUsage().rss;
    contexts.push(await contextWithPrompt(model, contextSize, threads, loraPrompt, suite.lora.adapter.path));
    const rssWithLoraContextBytes = process.memoryUsage().rss;
    return {
      kind: "lora-memory",
      contextSize,
      rssAfterLoadBytes,
      rssWithBaseContextBytes,
      rssWithSecondBaseContextBytes,
      rssWithLoraContextBytes,
      modelFileBytes: (await stat(suite.fewShot.model.path)).size,
      adapterFileBytes: (await stat(suite.lora.adapter.path)).size,
      kvCacheBytes: kvCacheBytes(inspection, contextSize),
    };
  } finally {
    for (const context of contexts) await context.dispose();
  }
}
