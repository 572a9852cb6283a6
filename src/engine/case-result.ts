// One case's result from what an engine measured: the same arithmetic for every engine, so a remote server
// and the in-process engine turn equal scores into equal predictions (ties: the first label wins).
import type { CaseArmResult, SuiteCase } from "../types.js";
import { INVALID_PREDICTION } from "../types.js";
import { parseGeneratedLabel } from "./parse-output.js";

export interface ScoredCase {
  /** Per label, in suite order. */
  scores: readonly number[];
  labelTokens: readonly (readonly number[])[];
  promptTokens: number;
  latencyMs: number;
}

/** Logprob mode: the best label, its confidence over the label set and its margin over the runner-up. */
export function scoredCaseResult(c: SuiteCase, labels: readonly string[], scored: ScoredCase): CaseArmResult {
  const { scores } = scored;
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i; // ties: first label wins
  const top = scores[best]!;
  const runnerUp = Math.max(...scores.filter((_, i) => i !== best));
  const normaliser = scores.reduce((sum, s) => sum + Math.exp(s - top), 0);
  const predicted = labels[best]!;
  return {
    predicted,
    correct: predicted === c.expected,
    scores: Object.fromEntries(labels.map((label, i) => [label, scores[i]!])),
    confidence: 1 / normaliser,
    margin: scores.length > 1 ? top - runnerUp : 0,
    latencyMs: scored.latencyMs,
    promptTokens: scored.promptTokens,
    outputTokens: scored.labelTokens[best]!.length,
  };
}

/** Generate mode: the label the decoded text names, or INVALID_PREDICTION. */
export function generatedCaseResult(
  c: SuiteCase,
  labels: readonly string[],
  generated: { text: string; tokens: number; promptTokens: number; latencyMs: number },
): CaseArmResult {
  const predicted = parseGeneratedLabel(generated.text, labels);
  return {
    predicted,
    correct: predicted === c.expected,
    scores: {},
    confidence: predicted === INVALID_PREDICTION ? 0 : 1,
    margin: 0,
    latencyMs: generated.latencyMs,
    promptTokens: generated.promptTokens,
    outputTokens: generated.tokens,
    generated: generated.text,
  };
}
