// The part of a remote engine that depends on the server it speaks to: how to probe it, how an arm is chosen
// per request, how to tokenise, how to score a label's tokens exactly, how to generate, and what a request
// cost. Everything else — phases, bounded concurrency, retries, fail-closed, canaries — lives once in
// remote-engine.ts and canaries.ts, so every kind gets the same guarantees.
import { TunegateError } from "../../errors.js";
import type { Suite } from "../../types.js";
import type { RemoteEngineKind } from "../engine.js";
import type { TokenId } from "../tokens.js";

/** What a request cost the server, from its own usage or timings (zero when it does not say). */
export interface RequestCost {
  /** Prompt tokens it evaluated (not taken from its cache). */
  promptEvaluated: number;
  /** Prompt tokens it took from its cache. */
  cached: number;
  /** Tokens it decoded. */
  predicted: number;
}

export const NO_COST: RequestCost = { promptEvaluated: 0, cached: 0, predicted: 0 };

export function addCosts(a: RequestCost, b: RequestCost): RequestCost {
  return { promptEvaluated: a.promptEvaluated + b.promptEvaluated, cached: a.cached + b.cached, predicted: a.predicted + b.predicted };
}

export interface Generated {
  text: string;
  tokens: TokenId[];
  /** The server stopped at an end-of-generation token before the limit. */
  endedByModel: boolean;
}

/** What every backend learns from the server before anything runs. */
export interface BackendProbe {
  /** The server's version, plain characters only (it reaches reports). */
  version: string;
  /** Requests the server runs at once (slots), or a sane default for the kind: the default concurrency. */
  slots: number;
  /** Context per request or slot, in the backend's units; 0 when the server does not say. */
  contextSize: number;
  /** The BOS id when the model wants one in front of a prompt (as llama.cpp's add_bos), else null. */
  bos: TokenId | null;
}

/** The request setting of each arm, after checking the server serves the suite's files. */
export interface ArmTargets<A> {
  base: A;
  lora: A;
}

/** Per-arm model names a user gives where an engine names its arms (vLLM, SGLang, hosted fine-tunes). */
export interface ArmModelNames {
  /** The served base model (the few-shot arm). */
  base?: string;
  /** The served adapter or fine-tuned model (the LoRA arm). */
  lora?: string;
}

export interface LabelScore {
  /** Per-token log-probabilities of the label after the prompt, floored like the in-process engine. */
  logprobs: number[];
  cost: RequestCost;
}

/**
 * `lane` (scoreLabels, generate): which of the engine's concurrent workers sends the request. A server with
 * slots pins each lane to one slot, so that all of a case's requests find its prompt in that slot's cache and
 * each slot computes the shared prefix once; without pinning, a server's slot choice scatters a case's label
 * requests over slots that hold other cases (measured on the bench suite: 4.3x the minimum tokens).
 */
export interface RemoteBackend<A = unknown> {
  readonly kind: RemoteEngineKind;
  /** The server software, in words. */
  readonly runtime: string;
  /**
   * "tokens": token ids from the server's own tokenizer. "characters": the server has no tokenizer endpoint,
   * so prompts travel as text and the "tokens" tunegate handles are UTF-16 code units (token counts then come
   * from the server's usage only).
   */
  readonly units: "tokens" | "characters";
  /** What to tell a user whose prompt does not fit, and whose server failed the cache canary. */
  readonly hints: { context: string; cache: string };
  probe(): Promise<BackendProbe>;
  /** Checks the server serves the suite's base model and adapter (a mismatch names both), and how each arm is chosen. */
  arms(suite: Suite): Promise<ArmTargets<A>>;
  /** Refuses a scoring mode this server cannot give exactly, with the reason. */
  checkScoring(suite: Suite): Promise<void>;
  /** Whether scoreLabels gives exact scores here (the canaries need them, in generate mode too). */
  canScore(): Promise<boolean>;
  /** Plain tokens of a text: special tokens not parsed, no BOS (the engine adds it). */
  tokenize(text: string): Promise<TokenId[]>;
  /**
   * Each label's exact log-probabilities after the prompt. `fresh`: evaluate the prompt afresh, not from a
   * cache (the canaries' reference), where the server lets a request say so.
   */
  scoreLabels(prompt: readonly TokenId[], labels: readonly (readonly TokenId[])[], arm: A, fresh?: boolean, lane?: number): Promise<LabelScore[]>;
  /** The most likely next token and its log-probability, where the server tells token ids (the mask canary). */
  topToken?(prompt: readonly TokenId[], arm: A): Promise<{ token: TokenId; logprob: number }>;
  /** Greedy decoding after the prompt, at most `maxTokens`, cut after the first complete word. */
  generate(prompt: readonly TokenId[], maxTokens: number, arm: A, lane?: number): Promise<{ generated: Generated; cost: RequestCost }>;
  /**
   * A production-shaped call, for latency only: the prompt, greedy decoding of `maxTokens`, nothing asked
   * beyond what a deployed call asks (no log-probabilities, no grammar). Only its success is checked.
   */
  productionCall(prompt: readonly TokenId[], maxTokens: number, arm: A, lane?: number): Promise<void>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `tokens` list of a tokenize answer (every kind names it so), or undefined when it is not a list of ids. */
export function tokenIdsOf(body: unknown): TokenId[] | undefined {
  const tokens = isRecord(body) ? body.tokens : undefined;
  return Array.isArray(tokens) && tokens.every((t) => typeof t === "number" && Number.isInteger(t)) ? (tokens as TokenId[]) : undefined;
}

export function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** A server's own words as they may reach logs and reports: plain version characters, bounded. */
export function plainVersion(value: unknown): string {
  return typeof value === "string" ? value.replace(/[^\w.+\-() ]/g, "").slice(0, 80) || "unknown" : "unknown";
}

/** A server's name for something (a model, an adapter) as it may be printed: no control characters, bounded. */
export function shownName(value: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = value.replace(/[\u0000-\u001f\u007f]+/g, " ");
  return JSON.stringify(plain.length > 120 ? `${plain.slice(0, 119)}…` : plain);
}

/** An answer in a shape tunegate does not know: never a guessed score. */
export function unexpectedAnswer(runtime: string, what: string, why: string, hint: string): TunegateError {
  return new TunegateError("ENGINE_UNSUPPORTED", `${runtime} answered ${what} in a shape tunegate does not know: ${why}`, { hint });
}

/** A label token's log-probability as the server gave it, checked (never above 0, never NaN). */
export function checkedLogprob(runtime: string, token: TokenId | string, value: unknown, floor: number): number {
  if (value === null) return floor;
  if (typeof value !== "number" || Number.isNaN(value) || value > 1e-6) {
    throw new TunegateError("MODEL_OUTPUT_INVALID", `${runtime} gave the label token ${token} a log-probability of ${String(value)}`, {
      hint: "the model or adapter gives no valid next-token probabilities (non-finite logits); check its weights",
    });
  }
  return Math.max(value, floor);
}

/** Adapters applied at a fixed scale per request (vLLM, SGLang, hosted fine-tunes) cannot honour lora.scale ≠ 1. */
export function requireUnitScale(suite: Suite, runtime: string): void {
  if (suite.lora.scale !== 1) {
    throw new TunegateError("ENGINE_UNSUPPORTED", `${runtime} applies an adapter at its trained scale, but the suite sets lora.scale: ${suite.lora.scale}`, {
      location: suite.lora.adapter.location,
      hint: "remove lora.scale (or set it to 1), or run the suite on llama-server or in-process, which take a scale per request",
    });
  }
}
