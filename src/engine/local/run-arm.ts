// One arm of one suite: every case through one context of the shared model. The few-shot block that all
// cases share is evaluated once and its KV state copied to every sequence of the context; each case evaluates
// only its own tokens.
//
// In logprob mode, `sequences` cases share each decode: cases are dealt in rounds, one per sequence, shortest
// first, near-duplicates one after another on one sequence so that what they share is evaluated once
// (rounds.ts), and each round's evaluations are issued in sequence-id order with non-decreasing token counts
// (rounds.ts says why: otherwise node-llama-cpp 3.21.1 now and then hands a sequence another case's
// distribution). Results come back in suite order. Generate mode decodes token by token, whose steps cannot be
// kept in that order, so it runs one case at a time on one sequence.
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { TunegateError } from "../../errors.js";
import type { ArmName, ArmRun, CaseArmResult, ScoringMode, SuiteCase } from "../../types.js";
import { ARM_DISPLAY } from "../../types.js";
import { alignContextSize, type ArmProgress } from "../engine.js";
import { generatedCaseResult, scoredCaseResult } from "../case-result.js";
import { tokensNeeded as caseTokensNeeded } from "../tokens.js";
import type { LlamaLog } from "./llama-log.js";
import { nonDecreasingGroups, scheduleRounds, type RoundSlot } from "./rounds.js";
import {
  BrokenDistributionError,
  evaluateStep,
  generateGreedy,
  keepSharedPrefix,
  labelScores,
  planLabelSteps,
  stepEvaluateFrom,
  type Distribution,
} from "./scoring.js";
import { sharePrefix } from "./shared-prefix.js";
import { distinctPrefixCount, type TokenPath } from "../token-minimum.js";
import { commonPrefixLength, tokenizeCasePrompt, type PromptTokens } from "./tokens.js";

export interface ArmSettings {
  arm: ArmName;
  model: LlamaModel;
  /** The model's file, for messages. */
  modelPath: string;
  /** The model's trained context length, to tell a user what is possible. */
  trainContextSize: number;
  adapter?: { path: string; scale: number };
  labels: readonly string[];
  cases: readonly SuiteCase[];
  /** The full prompt of each case, in case order. */
  prompts: readonly string[];
  scoring: ScoringMode;
  lengthNormalize: boolean;
  threads: number;
  /** Cases per decode in logprob mode (sequences of the context; default 1); generate mode always uses one. */
  sequences?: number;
  /** Fixed context size per sequence; default: just enough for the longest case. */
  contextSize?: number;
  maxGeneratedTokens: number;
  onProgress?: (progress: ArmProgress) => void;
  /** The engine's llama.cpp log, whose last complaint explains a refused context or a failed case. */
  log: LlamaLog;
}

/**
 * Most KV-cache positions an arm's context holds when batching (sequences x context size): the batch shrinks
 * for long prompts rather than the cache growing with it (a 7B model's cache takes about 0.5 MB a position).
 */
export const MAX_BATCHED_KV_TOKENS = 8192;

function caseName(c: SuiteCase): string {
  const input = c.input.length > 40 ? `${c.input.slice(0, 39)}…` : c.input;
  return `case ${c.index + 1} ("${input}")`;
}

/** Tokenises every case and checks it fits; throws naming the case otherwise. */
function tokenizeArm(settings: ArmSettings): PromptTokens[] {
  return settings.prompts.map((prompt, i) => {
    const c = settings.cases[i]!;
    return tokenizeCasePrompt(settings.model, prompt, settings.labels, { caseLabel: caseName(c), location: c.location });
  });
}

function tokensNeeded(prompt: PromptTokens, settings: ArmSettings): number {
  return caseTokensNeeded(prompt, settings.scoring === "generate", settings.maxGeneratedTokens);
}

function chooseContextSize(prompts: PromptTokens[], settings: ArmSettings): number {
  let longest = 0;
  for (let i = 1; i < prompts.length; i++) if (tokensNeeded(prompts[i]!, settings) > tokensNeeded(prompts[longest]!, settings)) longest = i;
  const need = tokensNeeded(prompts[longest]!, settings);
  const limit = settings.contextSize ?? settings.trainContextSize;
  if (need > limit) {
    const c = settings.cases[longest]!;
    throw new TunegateError(
      "PROMPT_TOO_LONG",
      `${ARM_DISPLAY[settings.arm]} prompt of ${caseName(c)} needs ${need} tokens, more than the context of ${limit}`,
      {
        location: c.location,
        hint:
          settings.contextSize !== undefined && need <= settings.trainContextSize
            ? `raise the context size (--context-size ${alignContextSize(need)}); the model was trained for ${settings.trainContextSize} tokens`
            : `the model was trained for ${settings.trainContextSize} tokens: shorten the prompt (fewer or shorter examples) or the case`,
      },
    );
  }
  return settings.contextSize ?? Math.min(alignContextSize(need), settings.trainContextSize);
}

async function createArmContext(settings: ArmSettings, contextSize: number, sequences: number): Promise<LlamaContext> {
  const mark = settings.log.mark();
  try {
    return await settings.model.createContext({
      contextSize,
      sequences,
      threads: settings.threads,
      batchSize: Math.min(contextSize * sequences, 512),
      ...(settings.adapter ? { lora: { adapters: [{ filePath: settings.adapter.path, scale: settings.adapter.scale }] } } : {}),
    });
  } catch (error) {
    const what = settings.adapter ? `the LoRA adapter ${settings.adapter.path}` : "a context";
    throw new TunegateError("CONTEXT_FAILED", `llama.cpp could not create ${what} for the ${settings.arm} arm: ${(error as Error).message}`, {
      detail: settings.log.lastComplaint(mark),
      cause: error,
    });
  }
}

interface EvaluatedCase {
  result: CaseArmResult;
  /** Token runs after the prompt that any evaluator must add: each label but its last token, or the generated tokens fed back. */
  after: Token[][];
}

async function generateCase(sequence: LlamaContextSequence, settings: ArmSettings, prompt: PromptTokens, c: SuiteCase, checkDistribution: boolean): Promise<EvaluatedCase> {
  const started = performance.now();
  const generation = await generateGreedy(sequence, settings.model, prompt.tokens, settings.maxGeneratedTokens, checkDistribution);
  const latencyMs = performance.now() - started;
  const result = generatedCaseResult(c, settings.labels, { text: generation.text, tokens: generation.tokens.length, promptTokens: prompt.tokens.length, latencyMs });
  return { result, after: [generation.tokens.slice(0, generation.fedBack)] };
}

function scoredCase(settings: ArmSettings, prompt: PromptTokens, c: SuiteCase, scores: number[], latencyMs: number): EvaluatedCase {
  const result = scoredCaseResult(c, settings.labels, { scores, labelTokens: prompt.labelTokens, promptTokens: prompt.tokens.length, latencyMs });
  return { result, after: prompt.labelTokens.filter((tokens) => tokens.length > 1).map((tokens) => tokens.slice(0, -1)) };
}

/** A failure while evaluating a round, with the case it belongs to. */
class CaseFailure extends Error {
  constructor(
    readonly caseIndex: number,
    override readonly cause: unknown,
  ) {
    super("case failed");
  }
}

/**
 * Scores one round: case `slot.index` on `sequences[slot.sequence]`, slots in sequence-id order. Each step of the
 * cases' label plans is one decode (or a few, where token counts would decrease in sequence-id order), its
 * evaluations issued in sequence-id order in one tick. Returns each case's label scores, in slot order.
 */
async function scoreRound(sequences: readonly LlamaContextSequence[], prompts: readonly PromptTokens[], round: readonly RoundSlot[], lengthNormalize: boolean): Promise<number[][]> {
  const plans = round.map((slot) => planLabelSteps(prompts[slot.index]!));
  const results: Map<number, Distribution>[][] = plans.map(() => []);
  const guard = <T>(slot: number, work: Promise<T>) => work.catch((error: unknown) => Promise.reject(new CaseFailure(round[slot]!.index, error)));
  const sequenceOf = (slot: number) => sequences[round[slot]!.sequence]!;
  const steps = Math.max(...plans.map((plan) => plan.length));
  for (let k = 0; k < steps; k++) {
    const starts = await Promise.all(
      plans.map((plan, slot) => {
        const step = plan[k];
        return step ? guard(slot, keepSharedPrefix(sequenceOf(slot), step.tokens, stepEvaluateFrom(step))) : Promise.resolve(0);
      }),
    );
    const counts = plans.map((plan, slot) => {
      const step = plan[k];
      return step ? step.tokens.length - starts[slot]! : 0;
    });
    for (const group of nonDecreasingGroups(counts)) {
      // Issued one after another in this tick: they reach llama.cpp in sequence-id order, in one batch.
      const issued = group.map((slot) => guard(slot, evaluateStep(sequenceOf(slot), plans[slot]![k]!, starts[slot]!)));
      const outputs = await Promise.all(issued);
      group.forEach((slot, i) => (results[slot]![k] = outputs[i]!));
    }
  }
  return round.map((slot, i) => labelScores(prompts[slot.index]!, results[i]!, lengthNormalize));
}

/** What a broken distribution means for the user: which arm, which files, what usually causes it. */
function brokenModelError(settings: ArmSettings, c: SuiteCase, cause: BrokenDistributionError): TunegateError {
  const files = settings.adapter
    ? `the model ${settings.modelPath} with the adapter ${settings.adapter.path} at scale ${settings.adapter.scale}`
    : `the model ${settings.modelPath}`;
  return new TunegateError(
    "MODEL_OUTPUT_INVALID",
    `the ${ARM_DISPLAY[settings.arm]} arm cannot be scored: on ${caseName(c)}, ${files} gives no valid next-token probabilities (non-finite logits)`,
    {
      hint: settings.adapter
        ? "check the adapter's weights for NaN/Inf, lower lora.scale, and check the model's hyper-parameters (e.g. rope.freq_base must be positive)"
        : "the model file holds non-finite weights or hyper-parameters (e.g. rope.freq_base must be positive); re-convert it",
      cause,
    },
  );
}

export async function runArm(settings: ArmSettings): Promise<ArmRun> {
  const started = performance.now();
  const prompts = tokenizeArm(settings);
  const contextSize = chooseContextSize(prompts, settings);
  // Keep at least the last prompt token out of the shared prefix: its distribution is each case's answer.
  const prefixLength = Math.min(commonPrefixLength(prompts.map((p) => p.tokens)), ...prompts.map((p) => p.tokens.length - 1));

  const wanted = settings.scoring === "generate" ? 1 : Math.min(settings.sequences ?? 1, prompts.length, Math.floor(MAX_BATCHED_KV_TOKENS / contextSize));
  let sequenceCount = Math.max(1, wanted);
  let context: LlamaContext | undefined;
  while (context === undefined) {
    try {
      context = await createArmContext(settings, contextSize, sequenceCount);
    } catch (error) {
      // Each sequence is a context's worth of KV cache: where memory refuses S of them, take fewer.
      if (sequenceCount === 1) throw error;
      sequenceCount = Math.max(1, Math.floor(sequenceCount / 2));
    }
  }
  try {
    const sequences = Array.from({ length: sequenceCount }, () => context.getSequence());
    const evaluated = new Array<EvaluatedCase>(prompts.length);
    let done = 0;
    const mark = settings.log.mark();
    const failed = (index: number, error: unknown): TunegateError => {
      const c = settings.cases[index]!;
      if (error instanceof TunegateError) return error;
      if (error instanceof BrokenDistributionError) return brokenModelError(settings, c, error);
      return new TunegateError("EVALUATION_FAILED", `llama.cpp failed on ${caseName(c)} in the ${settings.arm} arm: ${(error as Error).message}`, {
        location: c.location,
        detail: settings.log.lastComplaint(mark),
        cause: error,
      });
    };
    const progressed = (cases: number) => {
      const elapsedMs = performance.now() - started;
      for (let i = 0; i < cases; i++) settings.onProgress?.({ arm: settings.arm, done: ++done, total: prompts.length, elapsedMs });
    };
    try {
      await sharePrefix(sequences, prompts[0]!.tokens.slice(0, prefixLength));
    } catch (error) {
      throw failed(0, error);
    }
    if (settings.scoring === "generate") {
      for (const [index, prompt] of prompts.entries()) {
        try {
          evaluated[index] = await generateCase(sequences[0]!, settings, prompt, settings.cases[index]!, index === 0);
        } catch (error) {
          throw failed(index, error);
        }
        progressed(1);
      }
    } else {
      for (const round of scheduleRounds(prompts.map((p) => p.tokens.slice(prefixLength)), sequenceCount)) {
        const roundStarted = performance.now();
        let scores: number[][];
        try {
          scores = await scoreRound(sequences, prompts, round, settings.lengthNormalize);
        } catch (error) {
          throw error instanceof CaseFailure ? failed(error.caseIndex, error.cause) : failed(round[0]!.index, error);
        }
        // A case's latency in a batched round: its share of the round's wall time.
        const latencyMs = (performance.now() - roundStarted) / round.length;
        round.forEach(({ index }, slot) => (evaluated[index] = scoredCase(settings, prompts[index]!, settings.cases[index]!, scores[slot]!, latencyMs)));
        progressed(round.length);
      }
    }
    const results = evaluated.map((e) => e.result);
    const paths: TokenPath[] = evaluated.flatMap((e, index) => {
      const prompt = prompts[index]!.tokens;
      return [{ prompt, after: [] }, ...e.after.map((after) => ({ prompt, after }))];
    });

    // node-llama-cpp meters a token whose next-token output was requested as an "output" token: both were evaluated.
    const tokensEvaluated = sequences.reduce((sum, s) => sum + s.tokenMeter.usedInputTokens + s.tokenMeter.usedOutputTokens, 0);
    // Every distinct token sequence counted once (token-minimum.ts): whatever the sequences and the order, no
    // evaluator runs fewer, so tokens evaluated never shows below it.
    const tokensMinimum = distinctPrefixCount(paths, prefixLength);
    const multiTokenLabels = settings.labels.filter((_, i) => prompts.some((p) => p.labelTokens[i]!.length > 1));
    return {
      arm: settings.arm,
      scoring: settings.scoring,
      cases: results,
      tokensEvaluated,
      tokensMinimum,
      multiTokenLabels,
      sharedPrefixTokens: prefixLength,
      contextSize,
      wallMs: performance.now() - started,
    };
  } finally {
    await context.dispose();
  }
}
