// The llama-server protocol (llama.cpp's HTTP server): probe, tokenise, exact label scores and greedy
// generation. An arm is a set of adapter scales sent with every request — every adapter the server loaded,
// each with its scale, because a request that lists none falls back to the server's global scales.
//
// Exact log P(label | prompt): the prompt goes as token ids, a token grammar forces the label's own ids
// (`root ::= <[id1]> <[id2]>`), and `completion_probabilities[i].logprob` (with post_sampling_probs off) is
// read from the raw logits before the grammar; their sum is the unconstrained label score.
import { TunegateError } from "../../errors.js";
import { firstWordComplete, LOG_PROBABILITY_FLOOR, type TokenId } from "../tokens.js";
import type { HttpClient } from "./http.js";

export interface LlamaServerAdapter {
  id: number;
  path: string;
  scale: number;
}

export interface LlamaServerProbe {
  modelPath: string;
  slots: number;
  /** Context per slot. */
  contextSize: number;
  build: string;
  adapters: LlamaServerAdapter[];
  /** The BOS id when the model wants one in front of a prompt (as llama.cpp's add_bos), else null. */
  bos: TokenId | null;
}

/** The adapter scales a request sends: every loaded adapter, each with its scale. */
export type AdapterScales = readonly { id: number; scale: number }[];

/** What a request cost the server, from its own timings. */
export interface RequestCost {
  /** Prompt tokens it evaluated (not taken from its cache). */
  promptEvaluated: number;
  /** Prompt tokens it took from its cache. */
  cached: number;
  /** Tokens it decoded. */
  predicted: number;
}

export interface ScoreRequest {
  prompt: readonly TokenId[];
  label: readonly TokenId[];
  adapters: AdapterScales;
  /** false: evaluate the whole prompt afresh (the canaries' reference). Default true. */
  cachePrompt?: boolean;
}

export interface Generated {
  text: string;
  tokens: TokenId[];
  /** The server stopped at an end-of-generation token before the limit. */
  endedByModel: boolean;
}

interface CompletionProbability {
  id?: unknown;
  token?: unknown;
  logprob?: unknown;
}

interface CompletionResponse {
  content?: unknown;
  tokens?: unknown;
  stop_type?: unknown;
  tokens_cached?: unknown;
  timings?: { prompt_n?: unknown; cache_n?: unknown; predicted_n?: unknown };
  completion_probabilities?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function unexpected(what: string, why: string): TunegateError {
  return new TunegateError("ENGINE_UNSUPPORTED", `llama-server answered ${what} in a shape tunegate does not know: ${why}`, {
    hint: "tunegate speaks the llama-server of llama.cpp b6000 and later (the one node-llama-cpp 3.21 bundles); check --engine-kind and the server's version",
  });
}

/** The GBNF grammar that forces exactly these tokens, in order. */
export function tokenGrammar(tokens: readonly TokenId[]): string {
  if (tokens.length === 0 || tokens.some((t) => !Number.isInteger(t) || t < 0)) throw new Error(`invalid label tokens ${tokens.join(",")}`);
  return `root ::= ${tokens.map((t) => `<[${t}]>`).join(" ")}`;
}

/** The label's per-token log-probabilities from a forced completion, floored as the in-process engine floors them. */
export function labelLogprobs(body: unknown, label: readonly TokenId[]): number[] {
  const probabilities = isRecord(body) ? body.completion_probabilities : undefined;
  if (!Array.isArray(probabilities)) throw unexpected("/completion", "no completion_probabilities (is n_probs ignored?)");
  if (probabilities.length !== label.length) {
    throw unexpected("/completion", `${probabilities.length} token probabilities for a label of ${label.length} tokens (the token grammar was not applied)`);
  }
  return label.map((token, i) => {
    const entry = probabilities[i] as CompletionProbability;
    if (!isRecord(entry) || entry.id !== token) throw unexpected("/completion", `token ${i} is ${String(isRecord(entry) ? entry.id : entry)}, not the forced ${token}`);
    if (entry.logprob === null) return LOG_PROBABILITY_FLOOR;
    if (typeof entry.logprob !== "number" || Number.isNaN(entry.logprob) || entry.logprob > 1e-6) {
      throw new TunegateError("MODEL_OUTPUT_INVALID", `llama-server gave the label token ${token} a log-probability of ${String(entry.logprob)}`, {
        hint: "the model or adapter gives no valid next-token probabilities (non-finite logits); check its weights and lora.scale",
      });
    }
    return Math.max(entry.logprob, LOG_PROBABILITY_FLOOR);
  });
}

/** What a completion cost, from its timings (absent fields count as zero). */
export function requestCost(body: unknown): RequestCost {
  const response = (isRecord(body) ? body : {}) as CompletionResponse;
  const timings = isRecord(response.timings) ? response.timings : {};
  return {
    promptEvaluated: numberOr(timings.prompt_n, 0),
    cached: numberOr(timings.cache_n, numberOr(response.tokens_cached, 0)),
    predicted: numberOr(timings.predicted_n, 0),
  };
}

/**
 * A greedy generation cut where the in-process engine stops reading: after the token that completes the first
 * word. The pieces are the server's own token texts.
 */
export function generatedUpToFirstWord(body: unknown): Generated {
  const response = (isRecord(body) ? body : {}) as CompletionResponse;
  const probabilities = Array.isArray(response.completion_probabilities) ? (response.completion_probabilities as CompletionProbability[]) : undefined;
  const tokens = Array.isArray(response.tokens) ? (response.tokens as unknown[]) : undefined;
  if (!probabilities || !tokens || !tokens.every((t) => typeof t === "number")) {
    throw unexpected("/completion", "no tokens or completion_probabilities for a generation");
  }
  let text = "";
  const kept: TokenId[] = [];
  for (const [i, entry] of probabilities.entries()) {
    text += typeof entry.token === "string" ? entry.token : "";
    kept.push(tokens[i] as number);
    if (firstWordComplete(text)) return { text, tokens: kept, endedByModel: false };
  }
  return { text, tokens: kept, endedByModel: response.stop_type === "eos" };
}

export class LlamaServerClient {
  constructor(readonly http: HttpClient) {}

  async probe(): Promise<LlamaServerProbe> {
    await this.http.json("/health", undefined, [404]);
    const answer = await this.http.json<unknown>("/props", undefined, [404]);
    if (answer.status === 404) {
      throw new TunegateError("ENGINE_UNSUPPORTED", `the server at ${this.http.shownUrl} has no /props: it is not a llama-server`, {
        hint: "tunegate's remote engine speaks llama-server only in this version (vLLM, SGLang and OpenAI-compatible clients are not implemented)",
      });
    }
    const props = answer.body;
    if (!isRecord(props)) throw unexpected("/props", "not an object");
    const settings = isRecord(props.default_generation_settings) ? props.default_generation_settings : {};
    const adaptersBody = (await this.http.json<unknown>("/lora-adapters", undefined, [404])).body;
    const adapters: LlamaServerAdapter[] = Array.isArray(adaptersBody)
      ? adaptersBody.filter(isRecord).map((a) => ({ id: numberOr(a.id, -1), path: typeof a.path === "string" ? a.path : "", scale: numberOr(a.scale, 0) }))
      : [];
    const plain = await this.tokenize("a", false);
    const special = await this.tokenize("a", true);
    const bos = special.length > plain.length && special[0] !== plain[0] ? special[0]! : null;
    return {
      modelPath: typeof props.model_path === "string" ? props.model_path : "",
      slots: Math.max(1, numberOr(props.total_slots, 1)),
      contextSize: numberOr(settings.n_ctx, 0),
      // A server's own words reach logs and reports: only plain version characters, bounded.
      build: typeof props.build_info === "string" ? props.build_info.replace(/[^\w.+\-() ]/g, "").slice(0, 80) || "unknown" : "unknown",
      adapters,
      bos,
    };
  }

  /** Plain tokens of a text, special tokens not parsed (as the in-process engine tokenises case text). */
  async tokenize(content: string, addSpecial = false): Promise<TokenId[]> {
    const body = (await this.http.json<unknown>("/tokenize", { content, add_special: addSpecial, parse_special: false })).body;
    const tokens = isRecord(body) ? body.tokens : undefined;
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === "number")) throw unexpected("/tokenize", "no list of token ids");
    return tokens as TokenId[];
  }

  async #complete(body: Record<string, unknown>): Promise<unknown> {
    return (await this.http.json<unknown>("/completion", { ...body, stream: false })).body;
  }

  /** The label's per-token log-probabilities after the prompt. */
  async scoreLabel(request: ScoreRequest): Promise<{ logprobs: number[]; cost: RequestCost }> {
    const body = await this.#complete({
      prompt: [...request.prompt],
      grammar: tokenGrammar(request.label),
      n_predict: request.label.length,
      n_probs: 1,
      temperature: 0,
      cache_prompt: request.cachePrompt ?? true,
      lora: request.adapters,
      return_tokens: true,
    });
    return { logprobs: labelLogprobs(body, request.label), cost: requestCost(body) };
  }

  /** The most likely next token after the prompt, and its log-probability. */
  async topToken(prompt: readonly TokenId[], adapters: AdapterScales): Promise<{ token: TokenId; logprob: number }> {
    const body = await this.#complete({ prompt: [...prompt], n_predict: 1, n_probs: 1, temperature: 0, cache_prompt: true, lora: adapters });
    const first = isRecord(body) && Array.isArray(body.completion_probabilities) ? (body.completion_probabilities[0] as CompletionProbability) : undefined;
    if (!isRecord(first) || typeof first.id !== "number" || typeof first.logprob !== "number") throw unexpected("/completion", "no first-token probability");
    return { token: first.id, logprob: first.logprob };
  }

  /** Greedy decoding after the prompt, at most `maxTokens`. */
  async generate(prompt: readonly TokenId[], maxTokens: number, adapters: AdapterScales): Promise<{ generated: Generated; cost: RequestCost }> {
    const body = await this.#complete({
      prompt: [...prompt],
      n_predict: maxTokens,
      n_probs: 1,
      temperature: 0,
      cache_prompt: true,
      lora: adapters,
      return_tokens: true,
    });
    return { generated: generatedUpToFirstWord(body), cost: requestCost(body) };
  }
}
