// What one case costs on one sequence: align the sequence's KV cache with the case's tokens (keeping the
// shared few-shot prefix, evaluating only what differs), then either read every label's log-probability
// or decode greedily. Nothing here decides how cases are spread over sequences; run-arm.ts does.
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { firstWordComplete, LOG_PROBABILITY_FLOOR, type PromptTokens } from "../tokens.js";

export { labelTokensMinimum, LOG_PROBABILITY_FLOOR } from "../tokens.js";

type Distribution = Map<Token, number>;

/**
 * Erases the sequence's cache from the first token that differs from `tokens`, or from `evaluateFrom` if that
 * comes first (only evaluation yields an output at a position), and returns where evaluation must start.
 */
async function keepSharedPrefix(sequence: LlamaContextSequence, tokens: readonly Token[], evaluateFrom: number): Promise<number> {
  const start = Math.min(sequence.compareContextTokens([...tokens]).firstDifferentIndex, evaluateFrom);
  if (sequence.nextTokenIndex > start) await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
  return start;
}

/**
 * Brings the sequence to exactly `tokens`, evaluating only from the first token that differs from its cache
 * (or from the first position whose next-token distribution is wanted, since only evaluation yields one).
 * Returns the distributions at `wantedPositions`.
 */
export async function alignAndEvaluate(
  sequence: LlamaContextSequence,
  tokens: readonly Token[],
  wantedPositions: readonly number[],
): Promise<Map<number, Distribution>> {
  const start = await keepSharedPrefix(sequence, tokens, Math.min(...wantedPositions, tokens.length));
  const wanted = new Set(wantedPositions);
  const input = tokens
    .slice(start)
    .map((token, i) => (wanted.has(start + i) ? ([token, { generateNext: { probabilities: true } }] as const) : token));
  const output = input.length > 0 ? await sequence.controlledEvaluate(input as Parameters<LlamaContextSequence["controlledEvaluate"]>[0]) : [];
  const distributions = new Map<number, Distribution>();
  for (const position of wantedPositions) {
    const probabilities = output[position - start]?.next?.probabilities;
    if (!probabilities) throw new Error(`llama.cpp returned no distribution at position ${position}`);
    if (!isProbabilityDistribution(probabilities)) throw new BrokenDistributionError(position);
    distributions.set(position, probabilities);
  }
  return distributions;
}

/**
 * Non-finite logits (NaN weights, rope.freq_base 0, an overflowing adapter scale) come back as NaN or as no
 * probability mass at all; read as scores they would floor every label and crown the first one, so such a
 * distribution is an error, never a prediction.
 */
function isProbabilityDistribution(distribution: Distribution): boolean {
  let sum = 0;
  for (const p of distribution.values()) {
    if (!(p >= 0 && p <= 1)) return false;
    sum += p;
  }
  return Math.abs(sum - 1) < 1e-3;
}

/** The model produced no usable next-token distribution; run-arm names the arm and files. */
export class BrokenDistributionError extends Error {
  constructor(readonly position: number) {
    super(`the next-token probabilities at position ${position} are not a distribution (not finite, or not summing to 1)`);
  }
}

function logProbability(distribution: Distribution, token: Token): number {
  const p = distribution.get(token) ?? 0;
  return p > 0 ? Math.max(Math.log(p), LOG_PROBABILITY_FLOOR) : LOG_PROBABILITY_FLOOR;
}

export interface LabelScores {
  /** Per label, in suite order: log P(label | prompt), summed over its tokens (or averaged, if normalised). */
  scores: number[];
}

/**
 * Scores every label after the prompt. A single-token label needs no extra evaluation (the distribution at the
 * prompt's last token has it); a longer label needs its own tokens but the last one. Labels are visited in
 * token order so that labels sharing leading tokens share their evaluation.
 */
export async function scoreLabels(
  sequence: LlamaContextSequence,
  prompt: PromptTokens,
  lengthNormalize: boolean,
): Promise<LabelScores> {
  const promptEnd = prompt.tokens.length - 1;
  const byPath = new Map<string, Distribution>();
  const first = await alignAndEvaluate(sequence, prompt.tokens as Token[], [promptEnd]);
  byPath.set("", first.get(promptEnd)!);

  const order = prompt.labelTokens
    .map((tokens, index) => ({ tokens, index }))
    .sort((a, b) => a.tokens.join(",").localeCompare(b.tokens.join(",")));
  const scores = new Array<number>(prompt.labelTokens.length).fill(0);
  for (const { tokens, index } of order) {
    const missing: number[] = [];
    for (let j = 1; j < tokens.length; j++) if (!byPath.has(tokens.slice(0, j).join(","))) missing.push(promptEnd + j);
    if (missing.length > 0) {
      const path = [...prompt.tokens, ...tokens.slice(0, tokens.length - 1)] as Token[];
      const step = await alignAndEvaluate(sequence, path, missing);
      for (const position of missing) byPath.set(tokens.slice(0, position - promptEnd).join(","), step.get(position)!);
    }
    let sum = 0;
    for (let j = 0; j < tokens.length; j++) sum += logProbability(byPath.get(tokens.slice(0, j).join(","))!, tokens[j]! as Token);
    scores[index] = lengthNormalize ? sum / tokens.length : sum;
  }
  return { scores };
}

export interface Generation {
  tokens: Token[];
  text: string;
  /** Generated tokens that had to be fed back to get the next one: greedy decoding's own minimum. */
  fedBack: number;
}

/**
 * Greedy decoding after the prompt, as a plain generate-then-parse loop does, but stopping as soon as the first word is
 * complete (the only part that is read) or the model ends its turn, with at most `maxTokens`.
 */
export async function generateGreedy(
  sequence: LlamaContextSequence,
  model: LlamaModel,
  prompt: readonly Token[],
  maxTokens: number,
): Promise<Generation> {
  const greedy = { generateNext: { token: true, options: { temperature: 0 } } } as const;
  const start = await keepSharedPrefix(sequence, prompt, prompt.length - 1);
  const input = prompt.slice(start).map((token, i, all) => (i === all.length - 1 ? ([token, greedy] as const) : token));
  let output = await sequence.controlledEvaluate(input as Parameters<LlamaContextSequence["controlledEvaluate"]>[0]);
  let fedBack = 0;
  let next = output.at(-1)?.next?.token ?? null;
  const generated: Token[] = [];
  while (next !== null && !model.isEogToken(next) && generated.length < maxTokens) {
    generated.push(next);
    if (generated.length === maxTokens || firstWordComplete(model.detokenize(generated))) break;
    output = await sequence.controlledEvaluate([[next, greedy]]);
    fedBack += 1;
    next = output[0]?.next?.token ?? null;
  }
  return { tokens: generated, text: model.detokenize(generated), fedBack };
}
