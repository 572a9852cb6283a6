// What one case costs on one sequence: align the sequence's KV cache with the case's tokens (keeping the
// shared few-shot prefix, evaluating only what differs), then either read every label's log-probability
// or decode greedily. Nothing here decides how cases are spread over sequences; run-arm.ts does.
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { firstWordComplete, LOG_PROBABILITY_FLOOR } from "../tokens.js";
import type { PromptTokens } from "./tokens.js";

export { LOG_PROBABILITY_FLOOR } from "../tokens.js";

export type Distribution = Map<Token, number>;

/**
 * Erases the sequence's cache from the first token that differs from `tokens`, or from `evaluateFrom` if that
 * comes first (only evaluation yields an output at a position), and returns where evaluation must start.
 */
export async function keepSharedPrefix(sequence: LlamaContextSequence, tokens: readonly Token[], evaluateFrom: number): Promise<number> {
  const start = Math.min(sequence.compareContextTokens([...tokens]).firstDifferentIndex, evaluateFrom);
  if (sequence.nextTokenIndex > start) await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
  return start;
}

/** One evaluation of a label plan: bring the sequence to `tokens` and read the distributions at `wanted`. */
export interface ScoringStep {
  tokens: Token[];
  wanted: number[];
}

/**
 * Evaluates `tokens` from `start` on a sequence whose cache already holds exactly `tokens.slice(0, start)`
 * (see keepSharedPrefix). The evaluation is queued before this returns, so calls made one after another in one
 * tick reach llama.cpp in that order, in one batch (run-arm relies on this to order a round's outputs).
 */
export function evaluateStep(sequence: LlamaContextSequence, step: ScoringStep, start: number): Promise<Map<number, Distribution>> {
  const wanted = new Set(step.wanted);
  const input = step.tokens
    .slice(start)
    .map((token, i) => (wanted.has(start + i) ? ([token, { generateNext: { probabilities: true } }] as const) : token));
  const evaluation = input.length > 0 ? sequence.controlledEvaluate(input as Parameters<LlamaContextSequence["controlledEvaluate"]>[0]) : Promise.resolve([]);
  return evaluation.then((output) => {
    const distributions = new Map<number, Distribution>();
    for (const position of step.wanted) {
      const probabilities = output[position - start]?.next?.probabilities;
      if (!probabilities) throw new Error(`llama.cpp returned no distribution at position ${position}`);
      if (!isProbabilityDistribution(probabilities)) throw new BrokenDistributionError(position);
      distributions.set(position, probabilities);
    }
    return distributions;
  });
}

/** Where a step's evaluation must start at the latest: its first wanted position (only evaluation yields an output). */
export function stepEvaluateFrom(step: ScoringStep): number {
  return Math.min(...step.wanted, step.tokens.length);
}

/**
 * Non-finite logits (NaN weights, rope.freq_base 0, an overflowing adapter scale) come back as NaN or as no
 * probability mass at all; read as scores they would floor every label and crown the first one, so such a
 * distribution is an error, never a prediction.
 */
export function isProbabilityDistribution(distribution: Distribution): boolean {
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

const pathKey = (tokens: readonly Token[]): string => tokens.join(",");

/**
 * The evaluations that score every label after the prompt: the prompt itself (the distribution at its last
 * token holds every label's first token), then, for labels longer than one token, each label's own tokens but
 * the last. Labels are visited in token order so that labels sharing leading tokens share their evaluation.
 * Depends on the tokens only, so the steps of several cases can be issued side by side.
 */
export function planLabelSteps(prompt: PromptTokens): ScoringStep[] {
  const promptEnd = prompt.tokens.length - 1;
  const steps: ScoringStep[] = [{ tokens: prompt.tokens, wanted: [promptEnd] }];
  const known = new Set<string>([""]);
  const order = [...prompt.labelTokens].sort((a, b) => pathKey(a).localeCompare(pathKey(b)));
  for (const tokens of order) {
    const missing: number[] = [];
    for (let j = 1; j < tokens.length; j++) {
      const key = pathKey(tokens.slice(0, j));
      if (!known.has(key)) {
        known.add(key);
        missing.push(promptEnd + j);
      }
    }
    if (missing.length > 0) steps.push({ tokens: [...prompt.tokens, ...tokens.slice(0, tokens.length - 1)], wanted: missing });
  }
  return steps;
}

/**
 * Per label, in suite order: log P(label | prompt), summed over its tokens (or averaged, if normalised), from
 * the distributions the plan's steps returned, keyed by position.
 */
export function labelScores(prompt: PromptTokens, stepResults: readonly Map<number, Distribution>[], lengthNormalize: boolean): number[] {
  const promptEnd = prompt.tokens.length - 1;
  const steps = planLabelSteps(prompt);
  const byPath = new Map<string, Distribution>();
  steps.forEach((step, i) => {
    for (const position of step.wanted) {
      byPath.set(pathKey(step.tokens.slice(promptEnd + 1, position + 1)), stepResults[i]!.get(position)!);
    }
  });
  return prompt.labelTokens.map((tokens) => {
    let sum = 0;
    for (let j = 0; j < tokens.length; j++) sum += logProbability(byPath.get(pathKey(tokens.slice(0, j)))!, tokens[j]!);
    return lengthNormalize ? sum / tokens.length : sum;
  });
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
  /**
   * Also read the full distribution after the prompt and throw BrokenDistributionError when it is not one:
   * greedy decoding picks a token even from NaN logits, so a broken model would write nonsense for every case
   * and be scored as a model that cannot follow the format. One readout per arm is enough for what breaks a
   * model as a whole (NaN weights, rope.freq_base 0, an overflowing adapter scale).
   */
  checkDistribution = false,
): Promise<Generation> {
  const greedy = { generateNext: { token: true, options: { temperature: 0 } } } as const;
  const first = checkDistribution ? ({ generateNext: { token: true, probabilities: true, options: { temperature: 0 } } } as const) : greedy;
  const start = await keepSharedPrefix(sequence, prompt, prompt.length - 1);
  const input = prompt.slice(start).map((token, i, all) => (i === all.length - 1 ? ([token, first] as const) : token));
  let output = await sequence.controlledEvaluate(input as Parameters<LlamaContextSequence["controlledEvaluate"]>[0]);
  const probabilities = (output.at(-1)?.next as { probabilities?: Distribution } | undefined)?.probabilities;
  if (checkDistribution && (probabilities === undefined || !isProbabilityDistribution(probabilities))) throw new BrokenDistributionError(prompt.length - 1);
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
