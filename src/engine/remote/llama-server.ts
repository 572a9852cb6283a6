// The llama-server protocol (llama.cpp's HTTP server): probe, tokenise, exact label scores and greedy
// generation. An arm is a set of adapter scales sent with every request — every adapter the server loaded,
// each with its scale, because a request that lists none falls back to the server's global scales.
//
// Exact log P(label | prompt): the prompt goes as token ids, a token grammar forces the label's own ids
// (`root ::= <[id1]> <[id2]>`), and `completion_probabilities[i].logprob` (with post_sampling_probs off) is
// read from the raw logits before the grammar; their sum is the unconstrained label score.
import { TunegateError } from "../../errors.js";
import { shownPath } from "../../suite/paths.js";
import type { Suite } from "../../types.js";
import { firstWordComplete, LOG_PROBABILITY_FLOOR, type TokenId } from "../tokens.js";
import { checkedLogprob, isRecord, numberOr, plainVersion, tokenIdsOf, type ArmTargets, type BackendProbe, type Generated, type LabelScore, type RemoteBackend, type RequestCost } from "./backend.js";
import type { HttpClient } from "./http.js";
import { matchFile, matchingFiles } from "./same-file.js";
import { requireOneBaseModel } from "./served-models.js";

export interface LlamaServerAdapter {
  id: number;
  path: string;
  scale: number;
}

export interface LlamaServerProbe extends BackendProbe {
  modelPath: string;
  adapters: LlamaServerAdapter[];
}

/** The adapter scales a request sends: every loaded adapter, each with its scale. */
export type AdapterScales = readonly { id: number; scale: number }[];


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
    return checkedLogprob("llama-server", token, entry.logprob, LOG_PROBABILITY_FLOOR);
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

/** A lane's slot: llama-server takes `id_slot` modulo its slot count, and queues a request until that slot is free. */
function slotOf(lane: number | undefined): { id_slot?: number } {
  return lane === undefined ? {} : { id_slot: lane };
}

export class LlamaServerBackend implements RemoteBackend<AdapterScales> {
  readonly kind = "llama-server" as const;
  readonly runtime = "llama-server";
  readonly units = "tokens" as const;
  readonly hints = {
    context: "start llama-server with a larger context per slot (-c is shared by the -np slots), or shorten the prompt",
    cache:
      "start llama-server with --cache-ram 0 (its host-memory prompt cache restores a state computed with another adapter for the same tokens), and with --lora-init-without-apply",
  };
  #probe: LlamaServerProbe | undefined;

  constructor(readonly http: HttpClient) {}

  async probe(): Promise<LlamaServerProbe> {
    await this.http.json("/health", undefined, [404]);
    const answer = await this.http.json<unknown>("/props", undefined, [404]);
    if (answer.status === 404) {
      throw new TunegateError("ENGINE_UNSUPPORTED", `the server at ${this.http.shownUrl} has no /props: it is not a llama-server`, {
        hint: "leave out --engine-kind to detect the server's kind, or give the right one (vllm, sglang, openai)",
      });
    }
    const props = answer.body;
    if (!isRecord(props)) throw unexpected("/props", "not an object");
    const settings = isRecord(props.default_generation_settings) ? props.default_generation_settings : {};
    const adaptersBody = (await this.http.json<unknown>("/lora-adapters", undefined, [404])).body;
    const adapters: LlamaServerAdapter[] = Array.isArray(adaptersBody)
      ? adaptersBody.filter(isRecord).map((a) => ({ id: numberOr(a.id, -1), path: typeof a.path === "string" ? a.path : "", scale: numberOr(a.scale, 0) }))
      : [];
    const plain = await this.#tokenize("a", false);
    const special = await this.#tokenize("a", true);
    const bos = special.length > plain.length && special[0] !== plain[0] ? special[0]! : null;
    this.#probe = {
      modelPath: typeof props.model_path === "string" ? props.model_path : "",
      slots: Math.max(1, numberOr(props.total_slots, 1)),
      contextSize: numberOr(settings.n_ctx, 0),
      version: plainVersion(props.build_info),
      adapters,
      bos,
    };
    return this.#probe;
  }

  async #probed(): Promise<LlamaServerProbe> {
    return this.#probe ?? (await this.probe());
  }

  /**
   * Every adapter the server loaded, with its scale, on both arms: a request that lists none gets the server's
   * global scales. The LoRA arm's adapter is the one whose file is the suite's (path, content, or name).
   */
  async arms(suite: Suite): Promise<ArmTargets<AdapterScales>> {
    const probe = await this.#probed();
    const url = this.http.shownUrl;
    requireOneBaseModel(suite.fewShot.model, suite.lora.model);
    const model = await matchFile(probe.modelPath, suite.fewShot.model.path);
    if (model === undefined) {
      throw new TunegateError(
        "ENGINE_MISMATCH",
        `the server at ${url} runs the model ${JSON.stringify(probe.modelPath)}, not the suite's ${shownPath(suite.fewShot.model)}`,
        { location: suite.fewShot.model.location, hint: "start llama-server with -m on the suite's base model (the same file, or a copy with the same name)" },
      );
    }
    const matches = await matchingFiles(probe.adapters, (adapter) => adapter.path, suite.lora.adapter.path);
    const loaded = probe.adapters.length === 0 ? "none" : probe.adapters.map((a) => `${a.id}: ${JSON.stringify(a.path)}`).join(", ");
    if (matches.length === 0) {
      throw new TunegateError(
        "ENGINE_MISMATCH",
        `the server at ${url} has not loaded the suite's adapter ${shownPath(suite.lora.adapter)} (its adapters: ${loaded})`,
        { location: suite.lora.adapter.location, hint: "start llama-server with --lora on the suite's adapter file, and --lora-init-without-apply" },
      );
    }
    // The strongest kind of match wins; two adapters matched only by name cannot be told apart.
    if (matches.length > 1 && matches[0]!.how === matches[1]!.how && matches[0]!.how === "name") {
      throw new TunegateError("ENGINE_MISMATCH", `the server has several adapters named like the suite's ${shownPath(suite.lora.adapter)} (${loaded})`, {
        location: suite.lora.adapter.location,
        hint: "give each adapter file a distinct name (for example with its content hash)",
      });
    }
    const adapterId = matches[0]!.candidate.id;
    return {
      base: probe.adapters.map((a) => ({ id: a.id, scale: 0 })),
      lora: probe.adapters.map((a) => ({ id: a.id, scale: a.id === adapterId ? suite.lora.scale : 0 })),
    };
  }

  async checkScoring(): Promise<void> {
    // Both modes are exact on llama-server (forced token grammar; greedy generation).
  }

  async canScore(): Promise<boolean> {
    return true;
  }

  async #tokenize(content: string, addSpecial: boolean): Promise<TokenId[]> {
    const body = (await this.http.json<unknown>("/tokenize", { content, add_special: addSpecial, parse_special: false })).body;
    const tokens = tokenIdsOf(body);
    if (!tokens) throw unexpected("/tokenize", "no list of token ids");
    return tokens;
  }

  /** Plain tokens of a text, special tokens not parsed (as the in-process engine tokenises case text). */
  tokenize(text: string): Promise<TokenId[]> {
    return this.#tokenize(text, false);
  }

  async #complete(body: Record<string, unknown>): Promise<unknown> {
    return (await this.http.json<unknown>("/completion", { ...body, stream: false })).body;
  }

  /** One forced completion per label: the prompt stays in the slot's cache between them. */
  async scoreLabels(prompt: readonly TokenId[], labels: readonly (readonly TokenId[])[], adapters: AdapterScales, fresh = false, lane?: number): Promise<LabelScore[]> {
    const scores: LabelScore[] = [];
    for (const label of labels) {
      const body = await this.#complete({
        prompt: [...prompt],
        grammar: tokenGrammar(label),
        n_predict: label.length,
        n_probs: 1,
        temperature: 0,
        cache_prompt: !fresh,
        lora: adapters,
        return_tokens: true,
        ...slotOf(lane),
      });
      scores.push({ logprobs: labelLogprobs(body, label), cost: requestCost(body) });
    }
    return scores;
  }

  async topToken(prompt: readonly TokenId[], adapters: AdapterScales): Promise<{ token: TokenId; logprob: number }> {
    const body = await this.#complete({ prompt: [...prompt], n_predict: 1, n_probs: 1, temperature: 0, cache_prompt: true, lora: adapters });
    const first = isRecord(body) && Array.isArray(body.completion_probabilities) ? (body.completion_probabilities[0] as CompletionProbability) : undefined;
    if (!isRecord(first) || typeof first.id !== "number" || typeof first.logprob !== "number") throw unexpected("/completion", "no first-token probability");
    return { token: first.id, logprob: first.logprob };
  }

  async productionCall(prompt: readonly TokenId[], maxTokens: number, adapters: AdapterScales, lane?: number): Promise<void> {
    await this.#complete({ prompt: [...prompt], n_predict: maxTokens, temperature: 0, cache_prompt: true, lora: adapters, ...slotOf(lane) });
  }

  async generate(prompt: readonly TokenId[], maxTokens: number, adapters: AdapterScales, lane?: number): Promise<{ generated: Generated; cost: RequestCost }> {
    const body = await this.#complete({
      prompt: [...prompt],
      n_predict: maxTokens,
      n_probs: 1,
      temperature: 0,
      cache_prompt: true,
      lora: adapters,
      return_tokens: true,
      ...slotOf(lane),
    });
    return { generated: generatedUpToFirstWord(body), cost: requestCost(body) };
  }
}
