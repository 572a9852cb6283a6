// SGLang's native API. An arm is the request's `lora_path`: the name an adapter was loaded under
// (`--enable-lora --lora-paths NAME=PATH`), or null for the base model, always sent. Shapes checked against
// SGLang's source (sgl-project/sglang main, 2025): python/sglang/srt/managers/io_struct.py GenerateReqInput
// (input_ids, sampling_params, return_logprob, logprob_start_len, lora_path), entrypoints/http_server.py
// (/get_model_info → model_path; /get_server_info → server args, "version"), entrypoints/openai/
// serving_tokenize.py (/v1/tokenize {prompt, add_special_tokens} → {tokens}).
//
// Exact scores: POST /generate with every label's prompt+label ids in one batch, `max_new_tokens: 0`,
// `return_logprob: true`, the prefix kept in the radix cache. Off by one, checked in
// managers/scheduler_output_processor_mixin.py add_input_logprob_return_values: meta_info.input_token_logprobs
// covers input_ids[logprob_start_len:] as [logprob, token_id, text] and ALWAYS pads its first entry with a null
// logprob. So logprob_start_len is the prompt length minus one: entry 0 is the prompt's last token (null),
// entries 1… are the label's tokens, each given everything before it. The length and ids are checked, so a
// version that counts differently is refused, never misread.
import { randomUUID } from "node:crypto";
import type { TunegateError } from "../../errors.js";
import type { Suite } from "../../types.js";
import { firstWordComplete, LOG_PROBABILITY_FLOOR, type TokenId } from "../tokens.js";
import {
  checkedLogprob,
  isRecord,
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

/** SGLang batches continuously and reports no slot count: the default concurrency. */
export const SGLANG_DEFAULT_CONCURRENCY = 32;

const HINT = "tunegate speaks SGLang's native /generate API (v0.4 and later); check --engine-kind and the server's version";

function unexpected(what: string, why: string): TunegateError {
  return unexpectedAnswer("SGLang", what, why, HINT);
}

/** The adapters a server loaded, from its server args' lora_paths in any of the shapes SGLang accepts. */
export function loraPaths(value: unknown): ServedModel[] {
  const one = (entry: unknown): ServedModel[] => {
    if (typeof entry === "string") {
      const eq = entry.indexOf("=");
      return eq > 0 ? [{ name: entry.slice(0, eq), path: entry.slice(eq + 1) }] : [{ name: entry, path: entry }];
    }
    if (isRecord(entry) && typeof entry.lora_name === "string") {
      return [{ name: entry.lora_name, ...(typeof entry.lora_path === "string" ? { path: entry.lora_path } : {}) }];
    }
    return [];
  };
  if (Array.isArray(value)) return value.flatMap(one);
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([name, path]) => (typeof path === "string" ? [{ name, path }] : isRecord(path) ? one({ lora_name: name, ...path }) : []));
  }
  return [];
}

/** What a /generate item cost, from its meta_info. */
export function metaCost(meta: Record<string, unknown>): RequestCost {
  const prompt = numberOr(meta.prompt_tokens, 0);
  const cached = Math.min(prompt, numberOr(meta.cached_tokens, 0));
  return { promptEvaluated: prompt - cached, cached, predicted: numberOr(meta.completion_tokens, 0) };
}

function metaOf(item: unknown): Record<string, unknown> {
  if (!isRecord(item) || !isRecord(item.meta_info)) throw unexpected("/generate", "no meta_info");
  return item.meta_info;
}

/** The label's log-probabilities from one item's input_token_logprobs (logprob_start_len = prompt length − 1). */
export function labelLogprobsFromInput(item: unknown, label: readonly TokenId[]): number[] {
  const entries = metaOf(item).input_token_logprobs;
  if (!Array.isArray(entries)) throw unexpected("/generate", "no meta_info.input_token_logprobs (is return_logprob ignored?)");
  if (entries.length !== label.length + 1) {
    throw unexpected("/generate", `${entries.length} input log-probabilities for the prompt's last token and a label of ${label.length} (logprob_start_len counted differently)`);
  }
  return label.map((token, i) => {
    const entry = entries[i + 1];
    if (!Array.isArray(entry) || entry[1] !== token) throw unexpected("/generate", `input token ${i + 1} is ${Array.isArray(entry) ? String(entry[1]) : "missing"}, not the label's ${token}`);
    return checkedLogprob("SGLang", token, entry[0], LOG_PROBABILITY_FLOOR);
  });
}

/** A greedy generation cut after the first complete word, from output_token_logprobs with text. */
export function generatedFromOutput(item: unknown): Generated {
  const meta = metaOf(item);
  const entries = meta.output_token_logprobs;
  if (!Array.isArray(entries) || !entries.every((e) => Array.isArray(e) && typeof e[1] === "number")) throw unexpected("/generate", "no meta_info.output_token_logprobs for a generation");
  let text = "";
  const kept: TokenId[] = [];
  for (const entry of entries as unknown[][]) {
    text += typeof entry[2] === "string" ? entry[2] : "";
    kept.push(entry[1] as number);
    if (firstWordComplete(text)) return { text, tokens: kept, endedByModel: false };
  }
  const finish = meta.finish_reason;
  return { text, tokens: kept, endedByModel: isRecord(finish) && finish.type === "stop" };
}

export class SglangBackend implements RemoteBackend<string | null> {
  readonly kind = "sglang" as const;
  readonly runtime = "SGLang";
  readonly units = "tokens" as const;
  readonly hints = {
    context: "start SGLang with a larger --context-length, or shorten the prompt",
    cache: "SGLang's radix cache must keep each adapter's prefixes apart: update SGLang, or start it with --disable-radix-cache",
  };
  #modelPath = "";
  #adapters: ServedModel[] = [];

  constructor(
    readonly http: HttpClient,
    readonly names: ArmModelNames,
  ) {}

  async probe(): Promise<BackendProbe> {
    await this.http.json("/health", undefined, [404]);
    const info = (await this.http.json<unknown>("/get_model_info")).body;
    if (!isRecord(info) || typeof info.model_path !== "string") throw unexpected("/get_model_info", "no model_path");
    this.#modelPath = info.model_path;
    let server = await this.http.json<unknown>("/get_server_info", undefined, [404]);
    if (server.status === 404) server = await this.http.json<unknown>("/server_info", undefined, [404]);
    const args = isRecord(server.body) ? server.body : {};
    this.#adapters = loraPaths(args.lora_paths);
    const plain = await this.#tokenize("a", false);
    const special = await this.#tokenize("a", true);
    const bos = special.length > plain.length && special[0] !== plain[0] ? special[0]! : null;
    return {
      version: plainVersion(args.version),
      slots: Math.max(1, numberOr(args.max_running_requests, SGLANG_DEFAULT_CONCURRENCY)),
      contextSize: Math.max(0, numberOr(args.context_length, 0)),
      bos,
    };
  }

  async arms(suite: Suite): Promise<ArmTargets<string | null>> {
    requireOneBaseModel(suite.fewShot.model, suite.lora.model);
    requireUnitScale(suite, "SGLang");
    if (this.#modelPath === "") await this.probe();
    const where = { url: this.http.shownUrl, runtime: "SGLang" };
    // The base model has no name of its own on SGLang: its --model-path is its name.
    await pickServedModel({ what: "base model", key: "base", file: suite.fewShot.model }, this.names.base, [{ name: this.#modelPath, path: this.#modelPath }], where);
    const lora = await pickServedModel({ what: "adapter", key: "lora", file: suite.lora.adapter }, this.names.lora, this.#adapters, where);
    return { base: null, lora: lora.name };
  }

  async checkScoring(): Promise<void> {
    // Both modes are exact (prompt log-probs of the forced label; greedy generation).
  }

  async canScore(): Promise<boolean> {
    return true;
  }

  async #tokenize(prompt: string, addSpecial: boolean): Promise<TokenId[]> {
    const body = (await this.http.json<unknown>("/v1/tokenize", { prompt, add_special_tokens: addSpecial })).body;
    const tokens = tokenIdsOf(body);
    if (!tokens) throw unexpected("/v1/tokenize", "no list of token ids");
    return tokens;
  }

  tokenize(text: string): Promise<TokenId[]> {
    return this.#tokenize(text, false);
  }

  async #generate(body: Record<string, unknown>, items: number): Promise<unknown[]> {
    const answer = (await this.http.json<unknown>("/generate", { ...body, stream: false })).body;
    if (!Array.isArray(answer) || answer.length !== items) throw unexpected("/generate", `not a list of ${items} results for a batch of ${items}`);
    return answer;
  }

  async scoreLabels(prompt: readonly TokenId[], labels: readonly (readonly TokenId[])[], loraPath: string | null, fresh = false): Promise<LabelScore[]> {
    if (prompt.length === 0) throw new Error("an empty prompt cannot be scored");
    const answer = await this.#generate(
      {
        input_ids: labels.map((label) => [...prompt, ...label]),
        sampling_params: { max_new_tokens: 0, temperature: 0 },
        return_logprob: true,
        logprob_start_len: prompt.length - 1,
        lora_path: labels.map(() => loraPath),
        // A salt of its own keeps the request out of every cached prefix: evaluated afresh.
        ...(fresh ? { cache_salt: randomUUID() } : {}),
      },
      labels.length,
    );
    return labels.map((label, i) => ({ logprobs: labelLogprobsFromInput(answer[i], label), cost: metaCost(metaOf(answer[i])) }));
  }

  async topToken(prompt: readonly TokenId[], loraPath: string | null): Promise<{ token: TokenId; logprob: number }> {
    const [item] = await this.#generate({ input_ids: [[...prompt]], sampling_params: { max_new_tokens: 1, temperature: 0 }, return_logprob: true, lora_path: [loraPath] }, 1);
    const first = (metaOf(item).output_token_logprobs as unknown[] | undefined)?.[0];
    if (!Array.isArray(first) || typeof first[0] !== "number" || typeof first[1] !== "number") throw unexpected("/generate", "no first output-token log-probability");
    return { token: first[1], logprob: first[0] };
  }

  async productionCall(prompt: readonly TokenId[], maxTokens: number, loraPath: string | null): Promise<void> {
    await this.#generate({ input_ids: [[...prompt]], sampling_params: { max_new_tokens: maxTokens, temperature: 0 }, lora_path: [loraPath] }, 1);
  }

  async generate(prompt: readonly TokenId[], maxTokens: number, loraPath: string | null): Promise<{ generated: Generated; cost: RequestCost }> {
    const [item] = await this.#generate(
      { input_ids: [[...prompt]], sampling_params: { max_new_tokens: maxTokens, temperature: 0 }, return_logprob: true, return_text_in_logprobs: true, lora_path: [loraPath] },
      1,
    );
    return { generated: generatedFromOutput(item), cost: metaCost(metaOf(item)) };
  }
}
