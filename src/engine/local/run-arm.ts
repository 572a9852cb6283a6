// One arm of one suite: every case through one context of the shared model. The few-shot block that all
// cases share is evaluated once and its KV cache kept; each case evaluates only its own tokens.
//
// Cases run one after another on one sequence. Several sequences of one context, evaluated together in one
// batch, were tried and rejected: with node-llama-cpp 3.21.1 they now and then received each other's
// next-token distributions (a few runs in a hundred while the machine was loaded, even with every evaluation
// in lock-step rounds; minimal repros on the raw API did not show it), and a measurement that is sometimes
// wrong is worse than a slower one. bench/README.md shows what batching would gain.
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { TunegateError } from "../../errors.js";
import type { ArmName, ArmRun, CaseArmResult, ScoringMode, SuiteCase } from "../../types.js";
import { ARM_DISPLAY } from "../../types.js";
import { alignContextSize, type ArmProgress } from "../engine.js";
import { generatedCaseResult, scoredCaseResult } from "../case-result.js";
import { tokensNeeded as caseTokensNeeded } from "../tokens.js";
import type { LlamaLog } from "./llama-log.js";
import { BrokenDistributionError, generateGreedy, labelTokensMinimum, scoreLabels } from "./scoring.js";
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
  /** Fixed context size per sequence; default: just enough for the longest case. */
  contextSize?: number;
  maxGeneratedTokens: number;
  onProgress?: (progress: ArmProgress) => void;
  /** The engine's llama.cpp log, whose last complaint explains a refused context or a failed case. */
  log: LlamaLog;
}

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

async function createArmContext(settings: ArmSettings, contextSize: number): Promise<LlamaContext> {
  const mark = settings.log.mark();
  try {
    return await settings.model.createContext({
      contextSize,
      sequences: 1,
      threads: settings.threads,
      batchSize: Math.min(contextSize, 512),
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
  /** Tokens beyond the prompt that any evaluator must add: label-trie nodes, or fed-back generated tokens. */
  extraMinimum: number;
}

async function evaluateCase(
  sequence: LlamaContextSequence,
  settings: ArmSettings,
  prompt: PromptTokens,
  c: SuiteCase,
): Promise<EvaluatedCase> {
  const started = performance.now();
  if (settings.scoring === "generate") {
    const generation = await generateGreedy(sequence, settings.model, prompt.tokens as Token[], settings.maxGeneratedTokens);
    const latencyMs = performance.now() - started;
    const result = generatedCaseResult(c, settings.labels, {
      text: generation.text,
      tokens: generation.tokens.length,
      promptTokens: prompt.tokens.length,
      latencyMs,
    });
    return { result, extraMinimum: generation.fedBack };
  }
  const { scores } = await scoreLabels(sequence, prompt, settings.lengthNormalize);
  const latencyMs = performance.now() - started;
  const result = scoredCaseResult(c, settings.labels, { scores, labelTokens: prompt.labelTokens, promptTokens: prompt.tokens.length, latencyMs });
  return { result, extraMinimum: labelTokensMinimum(prompt.labelTokens) };
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

  const context = await createArmContext(settings, contextSize);
  try {
    const sequence: LlamaContextSequence = context.getSequence();
    const results: CaseArmResult[] = [];
    let extraMinimum = 0;
    const mark = settings.log.mark();
    for (const [index, prompt] of prompts.entries()) {
      const c = settings.cases[index]!;
      try {
        const evaluated = await evaluateCase(sequence, settings, prompt, c);
        results.push(evaluated.result);
        extraMinimum += evaluated.extraMinimum;
      } catch (error) {
        if (error instanceof TunegateError) throw error;
        if (error instanceof BrokenDistributionError) throw brokenModelError(settings, c, error);
        throw new TunegateError("EVALUATION_FAILED", `llama.cpp failed on ${caseName(c)} in the ${settings.arm} arm: ${(error as Error).message}`, {
          location: c.location,
          detail: settings.log.lastComplaint(mark),
          cause: error,
        });
      }
      settings.onProgress?.({ arm: settings.arm, done: index + 1, total: prompts.length, elapsedMs: performance.now() - started });
    }

    // node-llama-cpp meters a token whose next-token output was requested as an "output" token: both were evaluated.
    const tokensEvaluated = sequence.tokenMeter.usedInputTokens + sequence.tokenMeter.usedOutputTokens;
    const tokensMinimum = prefixLength + prompts.reduce((sum, p) => sum + p.tokens.length - prefixLength, 0) + extraMinimum;
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
