// vLLM's OpenAI-compatible server. An arm is the request's `model`: the served base name, or the name an
// adapter was served under (`vllm serve BASE --enable-lora --lora-modules NAME=PATH`); GET /v1/models lists
// both, an adapter with `root` (its path) and `parent` (its base). Shapes checked against vLLM's source
// (vllm-project/vllm main, 2025: vllm/entrypoints/openai/models/serving.py show_available_models,
// engine/protocol.py ModelCard, completion/protocol.py CompletionRequest).
//
// Exact scores, the cache-friendly way: one request per label token, the prompt (plus the label's earlier
// tokens) as token ids, `max_tokens: 1`, `allowed_token_ids: [id]`, `logprobs: 0`, `temperature: 0`; the
// chosen token's logprob is read. Checked in vllm/v1/sample/sampler.py (Sampler.forward, main as of commit
// 3e342658, vLLM 0.11 era): with the default logprobs_mode "raw_logprobs" the log-softmax of the raw logits is
// taken BEFORE apply_logits_processors, which is where the allowed_token_ids mask is applied; a server started
// with --logprobs-mode processed_logprobs would give 0 for the forced token, which the mask canary catches.
// (`echo` with prompt log-probs would score a whole label in one request, but such requests skip the prefix
// cache, so every label would re-prefill the few-shot prompt.)
import { randomUUID } from "node:crypto";
import { TunegateError } from "../../errors.js";
import type { Suite } from "../../types.js";
import { firstWordComplete, LOG_PROBABILITY_FLOOR, type TokenId } from "../tokens.js";
import {
  addCosts,
  checkedLogprob,
  isRecord,
  NO_COST,
  numberOr,
  plainVersion,
  requireUnitScale,
  tokenIdsOf,
  unexpectedAnswer,
  type ArmModelNames,
  type ArmTargets,
  type BackendProbe,
  type Generated,
  type LabelScore,
  type RemoteBackend,
  type RequestCost,
} from "./backend.js";
import type { HttpClient } from "./http.js";
import { pickServedModel, requireOneBaseModel, type ServedModel } from "./served-models.js";

/** vLLM runs many sequences at once and reports no slot count: the default concurrency. */
export const VLLM_DEFAULT_CONCURRENCY = 32;

const HINT = "tunegate speaks vLLM's OpenAI-compatible server (v0.10 and later); check --engine-kind and the server's version";

function unexpected(what: string, why: string): TunegateError {
  return unexpectedAnswer("vLLM", what, why, HINT);
}

export interface VllmModelCard {
  id: string;
  root?: string;
  parent?: string;
  maxModelLen?: number;
}

/** GET /v1/models as cards: every entry with a string id. */
export function modelCards(body: unknown): VllmModelCard[] {
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data)) throw unexpected("/v1/models", "no data list");
  return data.filter(isRecord).flatMap((m) =>
    typeof m.id !== "string"
      ? []
      : [
          {
            id: m.id,
            ...(typeof m.root === "string" ? { root: m.root } : {}),
            ...(typeof m.parent === "string" ? { parent: m.parent } : {}),
            ...(typeof m.max_model_len === "number" ? { maxModelLen: m.max_model_len } : {}),
          },
        ],
  );
}

/** A completion's usage: prompt tokens split into cached and evaluated (cached only with --enable-prompt-tokens-details). */
export function usageCost(body: unknown): RequestCost {
  const usage = isRecord(body) && isRecord(body.usage) ? body.usage : {};
  const prompt = numberOr(usage.prompt_tokens, 0);
  const details = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const cached = Math.min(prompt, numberOr(details.cached_tokens, 0));
  return { promptEvaluated: prompt - cached, cached, predicted: numberOr(usage.completion_tokens, 0) };
}

interface CompletionLogprobs {
  tokens: unknown[];
  token_logprobs: unknown[];
}

function firstChoice(body: unknown): Record<string, unknown> {
  const choices = isRecord(body) ? body.choices : undefined;
  const choice = Array.isArray(choices) ? choices[0] : undefined;
  if (!isRecord(choice)) throw unexpected("/v1/completions", "no choices");
  return choice;
}

function choiceLogprobs(choice: Record<string, unknown>): CompletionLogprobs {
  const logprobs = choice.logprobs;
  if (!isRecord(logprobs) || !Array.isArray(logprobs.tokens) || !Array.isArray(logprobs.token_logprobs)) {
    throw unexpected("/v1/completions", "no logprobs.tokens / logprobs.token_logprobs (legacy completion log-probabilities)");
  }
  return { tokens: logprobs.tokens, token_logprobs: logprobs.token_logprobs };
}

/** A token as `return_tokens_as_token_ids` writes it: "token_id:123". */
export function tokenIdOf(token: unknown): TokenId | undefined {
  const match = typeof token === "string" ? /^token_id:(\d+)$/.exec(token) : null;
  return match ? Number(match[1]) : undefined;
}

/** The forced token's log-probability from a one-token completion. */
export function forcedLogprob(body: unknown, token: TokenId): number {
  const { tokens, token_logprobs } = choiceLogprobs(firstChoice(body));
  if (tokens.length !== 1) throw unexpected("/v1/completions", `${tokens.length} tokens for max_tokens 1`);
  const id = tokenIdOf(tokens[0]);
  if (id !== token) throw unexpected("/v1/completions", `the token is ${String(tokens[0])}, not the allowed token_id:${token} (allowed_token_ids was ignored?)`);
  return checkedLogprob("vLLM", token, token_logprobs[0], LOG_PROBABILITY_FLOOR);
}

/** A greedy generation cut after the first complete word: pieces from logprobs.tokens, ids from token_ids. */
export function generatedFromCompletion(body: unknown): Generated {
  const choice = firstChoice(body);
  const { tokens } = choiceLogprobs(choice);
  const ids = choice.token_ids;
  if (!Array.isArray(ids) || ids.length !== tokens.length || !ids.every((t) => typeof t === "number")) {
    throw unexpected("/v1/completions", "no token_ids matching the generated tokens (return_token_ids needs vLLM 0.10.2 or later)");
  }
  let text = "";
  const kept: TokenId[] = [];
  for (const [i, piece] of tokens.entries()) {
    text += typeof piece === "string" ? piece : "";
    kept.push(ids[i] as number);
    if (firstWordComplete(text)) return { text, tokens: kept, endedByModel: false };
  }
  return { text, tokens: kept, endedByModel: choice.finish_reason === "stop" };
}

export class VllmBackend implements RemoteBackend<string> {
  readonly kind = "vllm" as const;
  readonly runtime = "vLLM";
  readonly units = "tokens" as const;
  readonly hints = {
    context: "start vLLM with a larger --max-model-len, or shorten the prompt",
    cache: "vLLM keys prefix-cache blocks by the adapter's name: serve each adapter version under its own name (for example with its content hash), and restart a server whose adapter was replaced in place",
  };
  #cards: VllmModelCard[] | undefined;
  #base: string | undefined;

  constructor(
    readonly http: HttpClient,
    readonly names: ArmModelNames,
  ) {}

  async probe(): Promise<BackendProbe> {
    await this.http.json("/health", undefined, [404]);
    const version = (await this.http.json<unknown>("/version", undefined, [404])).body;
    this.#cards = modelCards((await this.http.json<unknown>("/v1/models")).body);
    const bases = this.#cards.filter((c) => c.parent === undefined);
    // Until arms() picks one, the configured base, else the only base: /tokenize needs a model name.
    this.#base = bases.find((c) => c.id === this.names.base)?.id ?? (bases.length === 1 ? bases[0]!.id : undefined);
    const baseCard = bases.find((c) => c.id === this.#base);
    const plain = await this.#tokenize("a", false);
    const special = await this.#tokenize("a", true);
    const bos = special.length > plain.length && special[0] !== plain[0] ? special[0]! : null;
    return {
      version: plainVersion(isRecord(version) ? version.version : undefined),
      slots: VLLM_DEFAULT_CONCURRENCY,
      contextSize: baseCard?.maxModelLen ?? 0,
      bos,
    };
  }

  async arms(suite: Suite): Promise<ArmTargets<string>> {
    requireOneBaseModel(suite.fewShot.model, suite.lora.model);
    requireUnitScale(suite, "vLLM");
    if (!this.#cards) await this.probe();
    const cards = this.#cards!;
    const where = { url: this.http.shownUrl, runtime: "vLLM" };
    const served = (list: VllmModelCard[]): ServedModel[] => list.map((c) => ({ name: c.id, ...(c.root !== undefined ? { path: c.root } : {}) }));
    const base = await pickServedModel({ what: "base model", key: "base", file: suite.fewShot.model }, this.names.base, served(cards.filter((c) => c.parent === undefined)), where);
    const adapters = cards.filter((c) => c.parent !== undefined);
    const lora = await pickServedModel({ what: "adapter", key: "lora", file: suite.lora.adapter }, this.names.lora, served(adapters), where);
    const parent = adapters.find((c) => c.id === lora.name)?.parent;
    if (parent !== base.name) {
      throw new TunegateError("ENGINE_MISMATCH", `the vLLM adapter ${JSON.stringify(lora.name)} is served on the base model ${JSON.stringify(parent)}, not on ${JSON.stringify(base.name)}`, {
        location: suite.lora.adapter.location,
        hint: "serve the adapter on the suite's base model (--lora-modules NAME=PATH on the same vllm serve), or name the right base with models.base",
      });
    }
    this.#base = base.name;
    return { base: base.name, lora: lora.name };
  }

  async checkScoring(): Promise<void> {
    // Both modes are exact (allowed_token_ids with raw log-probs; greedy generation).
  }

  async canScore(): Promise<boolean> {
    return true;
  }

  async #tokenize(prompt: string, addSpecial: boolean): Promise<TokenId[]> {
    // `model` is optional on /tokenize (one tokenizer per server); sent once known, as older versions want it.
    const body = (await this.http.json<unknown>("/tokenize", { ...(this.#base !== undefined ? { model: this.#base } : {}), prompt, add_special_tokens: addSpecial })).body;
    const tokens = tokenIdsOf(body);
    if (!tokens) throw unexpected("/tokenize", "no list of token ids");
    return tokens;
  }

  tokenize(text: string): Promise<TokenId[]> {
    return this.#tokenize(text, false);
  }

  async #complete(body: Record<string, unknown>): Promise<unknown> {
    return (await this.http.json<unknown>("/v1/completions", { ...body, stream: false })).body;
  }

  async scoreLabels(prompt: readonly TokenId[], labels: readonly (readonly TokenId[])[], model: string, fresh = false): Promise<LabelScore[]> {
    const scores: LabelScore[] = [];
    for (const label of labels) {
      const logprobs: number[] = [];
      let cost = NO_COST;
      for (const [j, token] of label.entries()) {
        const body = await this.#complete({
          model,
          prompt: [...prompt, ...label.slice(0, j)],
          max_tokens: 1,
          temperature: 0,
          logprobs: 0,
          allowed_token_ids: [token],
          return_tokens_as_token_ids: true,
          // A salt of its own keeps the request out of every cached prefix: evaluated afresh.
          ...(fresh ? { cache_salt: randomUUID() } : {}),
        });
        logprobs.push(forcedLogprob(body, token));
        cost = addCosts(cost, usageCost(body));
      }
      scores.push({ logprobs, cost });
    }
    return scores;
  }

  async topToken(prompt: readonly TokenId[], model: string): Promise<{ token: TokenId; logprob: number }> {
    const body = await this.#complete({ model, prompt: [...prompt], max_tokens: 1, temperature: 0, logprobs: 0, return_tokens_as_token_ids: true });
    const { tokens, token_logprobs } = choiceLogprobs(firstChoice(body));
    const token = tokenIdOf(tokens[0]);
    const logprob = token_logprobs[0];
    if (token === undefined || typeof logprob !== "number") throw unexpected("/v1/completions", "no first-token probability");
    return { token, logprob };
  }

  async productionCall(prompt: readonly TokenId[], maxTokens: number, model: string): Promise<void> {
    await this.#complete({ model, prompt: [...prompt], max_tokens: maxTokens, temperature: 0 });
  }

  async generate(prompt: readonly TokenId[], maxTokens: number, model: string): Promise<{ generated: Generated; cost: RequestCost }> {
    const body = await this.#complete({ model, prompt: [...prompt], max_tokens: maxTokens, temperature: 0, logprobs: 0, return_token_ids: true });
    return { generated: generatedFromCompletion(body), cost: usageCost(body) };
  }
}
