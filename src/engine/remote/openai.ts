// A generic OpenAI-compatible API (hosted fine-tunes: the LoRA arm is a fine-tuned model id, the base arm the
// model it was tuned from, both named by the user). Such providers have no tokenizer endpoint, so prompts
// travel as text: the "tokens" tunegate handles are the text's UTF-16 code units, and token counts come from
// the provider's usage alone (the report's minimum and shared prefix are then 0: not known).
//
// Exact scores only where the provider returns prompt log-probabilities: POST /v1/completions with
// `echo: true`, `max_tokens: 0`, `logprobs: 0` on prompt + label, the label's tokens being those whose
// `text_offset` lies at or after the prompt's end (OpenAI's legacy completion logprobs: tokens,
// token_logprobs, text_offset). Probed once with a tiny request; where it does not work, `scoring: logprob`
// is refused with the provider's reason and `scoring: generate` runs instead (completions, or chat where the
// provider has no /v1/completions), at temperature 0. Paths are relative to the URL given: give the URL
// without /v1.
import { TunegateError } from "../../errors.js";
import type { Suite } from "../../types.js";
import { firstWordComplete, LOG_PROBABILITY_FLOOR, type TokenId } from "../tokens.js";
import {
  checkedLogprob,
  isRecord,
  numberOr,
  shownName,
  requireUnitScale,
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

/** Hosted APIs rate-limit: a modest default. */
export const OPENAI_DEFAULT_CONCURRENCY = 4;

const HINT = "tunegate speaks the OpenAI completions API (legacy logprobs: tokens, token_logprobs, text_offset); check --engine-kind";

function unexpected(what: string, why: string): TunegateError {
  return unexpectedAnswer("the OpenAI-compatible server", what, why, HINT);
}

/** Code units back to the text they spell. */
function textOf(units: readonly TokenId[]): string {
  return String.fromCharCode(...units);
}

/** A text as UTF-16 code units: the "tokens" of a server reached by text. */
export function codeUnits(text: string): TokenId[] {
  return Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
}

export function usageCost(body: unknown): RequestCost {
  const usage = isRecord(body) && isRecord(body.usage) ? body.usage : {};
  const prompt = numberOr(usage.prompt_tokens, 0);
  const details = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const cached = Math.min(prompt, numberOr(details.cached_tokens, 0));
  return { promptEvaluated: prompt - cached, cached, predicted: numberOr(usage.completion_tokens, 0) };
}

/**
 * The label's log-probabilities from an echoed completion of prompt + label: the tokens whose text_offset is at
 * or after the prompt's end. Offsets count code points (Python strings), so the prompt's end is counted so too.
 * A token that starts inside the prompt and ends inside the label means the label does not tokenise apart.
 */
export function echoedLabelLogprobs(body: unknown, promptText: string): number[] {
  const choices = isRecord(body) ? body.choices : undefined;
  const choice = Array.isArray(choices) ? choices[0] : undefined;
  const logprobs = isRecord(choice) ? choice.logprobs : undefined;
  if (!isRecord(logprobs) || !Array.isArray(logprobs.tokens) || !Array.isArray(logprobs.token_logprobs) || !Array.isArray(logprobs.text_offset)) {
    throw unexpected("/v1/completions", "no echoed logprobs (tokens, token_logprobs, text_offset)");
  }
  const { tokens, token_logprobs: values, text_offset: offsets } = logprobs as { tokens: unknown[]; token_logprobs: unknown[]; text_offset: unknown[] };
  if (values.length !== tokens.length || offsets.length !== tokens.length) throw unexpected("/v1/completions", "logprob lists of different lengths");
  const end = [...promptText].length;
  const label: number[] = [];
  for (const [i, token] of tokens.entries()) {
    const offset = offsets[i];
    if (typeof offset !== "number") throw unexpected("/v1/completions", `text_offset ${i} is not a number`);
    const length = typeof token === "string" ? [...token].length : 0;
    if (offset < end && offset + length > end) {
      throw new TunegateError("LABEL_NOT_SEPARABLE", `the provider's tokenizer merges the prompt's last characters with the label (token ${JSON.stringify(token)})`, {
        hint: "end the prompt with the output cue and a colon (e.g. `Category:`), or use scoring: generate",
      });
    }
    if (offset >= end) label.push(checkedLogprob("the OpenAI-compatible server", String(token), values[i], LOG_PROBABILITY_FLOOR));
  }
  if (label.length === 0) throw unexpected("/v1/completions", "no echoed token after the prompt (echo returned the prompt only?)");
  return label;
}

/** Whether prompt log-probabilities work here, and if not, the provider's reason. */
type EchoSupport = { ok: true } | { ok: false; reason: string; completions: boolean };

export class OpenAiBackend implements RemoteBackend<string> {
  readonly kind = "openai" as const;
  readonly runtime = "OpenAI-compatible";
  readonly units = "characters" as const;
  readonly hints = {
    context: "shorten the prompt: the provider's model has a smaller context",
    cache: "the provider served one arm's request from a cache filled by the other arm: it cannot be trusted to keep the arms apart",
  };
  #echo: Promise<EchoSupport> | undefined;

  constructor(
    readonly http: HttpClient,
    readonly names: ArmModelNames,
  ) {}

  #names(): { base: string; lora: string } {
    const { base, lora } = this.names;
    if (base === undefined || lora === undefined) {
      throw new TunegateError("BAD_ENGINE", "an OpenAI-compatible engine needs both arms' model names: the base model's and the fine-tune's", {
        hint: "give models: { base: NAME, lora: NAME } in the suite's engine block, --engine-model-base and --engine-model-lora, or the Action's engine-model-base / engine-model-lora inputs",
      });
    }
    return { base, lora };
  }

  async probe(): Promise<BackendProbe> {
    this.#names();
    return { version: "unknown", slots: OPENAI_DEFAULT_CONCURRENCY, contextSize: 0, bos: null };
  }

  async arms(suite: Suite): Promise<ArmTargets<string>> {
    requireUnitScale(suite, "an OpenAI-compatible server");
    const names = this.#names();
    // The models list, where the provider has one: both names must be on it.
    const answer = await this.http.json<unknown>("/v1/models", undefined, [404, 405]);
    const data = isRecord(answer.body) && Array.isArray(answer.body.data) ? answer.body.data : undefined;
    if (answer.status < 300 && data) {
      const ids = data.filter(isRecord).map((m) => m.id).filter((id): id is string => typeof id === "string");
      for (const [key, name] of [["base", names.base], ["lora", names.lora]] as const) {
        if (!ids.includes(name)) {
          const ref = key === "base" ? suite.fewShot.model : suite.lora.adapter;
          throw new TunegateError("ENGINE_MISMATCH", `the server at ${this.http.shownUrl} serves no model named ${shownName(name)} for the suite's ${key === "base" ? "base model" : "fine-tune"} (it serves ${ids.length} models: ${ids.slice(0, 10).map(shownName).join(", ")}${ids.length > 10 ? ", …" : ""})`, {
            location: ref.location,
            hint: `check models.${key} (or --engine-model-${key}) against the provider's model ids`,
          });
        }
      }
    }
    return names;
  }

  /** One tiny echoed completion: do prompt log-probabilities come back? */
  #echoSupport(): Promise<EchoSupport> {
    this.#echo ??= (async (): Promise<EchoSupport> => {
      try {
        const prompt = "The quick brown fox";
        const body = (await this.http.json<unknown>("/v1/completions", { model: this.#names().base, prompt: `${prompt} jumps`, echo: true, max_tokens: 0, logprobs: 0, temperature: 0 }, [404])).body;
        if (isRecord(body) && body.choices === undefined) return { ok: false, reason: "the server has no /v1/completions", completions: false };
        echoedLabelLogprobs(body, prompt);
        return { ok: true };
      } catch (error) {
        if (!(error instanceof TunegateError) || error.code === "ENGINE_UNREACHABLE") throw error;
        return { ok: false, reason: error.message, completions: true };
      }
    })();
    return this.#echo;
  }

  async canScore(): Promise<boolean> {
    return (await this.#echoSupport()).ok;
  }

  async checkScoring(suite: Suite): Promise<void> {
    if (suite.scoring !== "logprob") return;
    const support = await this.#echoSupport();
    if (!support.ok) {
      throw new TunegateError("ENGINE_UNSUPPORTED", `the server at ${this.http.shownUrl} returns no prompt log-probabilities (echo + logprobs on /v1/completions), so it cannot score labels exactly: ${support.reason}`, {
        hint: "use scoring: generate for this engine (greedy decoding at temperature 0), or serve the models on vLLM, SGLang or llama-server",
      });
    }
  }

  async tokenize(text: string): Promise<TokenId[]> {
    return codeUnits(text);
  }

  async scoreLabels(prompt: readonly TokenId[], labels: readonly (readonly TokenId[])[], model: string): Promise<LabelScore[]> {
    const promptText = textOf(prompt);
    const scores: LabelScore[] = [];
    for (const label of labels) {
      const body = (await this.http.json<unknown>("/v1/completions", { model, prompt: promptText + textOf(label), echo: true, max_tokens: 0, logprobs: 0, temperature: 0 })).body;
      scores.push({ logprobs: echoedLabelLogprobs(body, promptText), cost: usageCost(body) });
    }
    return scores;
  }

  async productionCall(prompt: readonly TokenId[], maxTokens: number, model: string): Promise<void> {
    // What a deployed call sends: chat where the provider has no completions endpoint, else a completion.
    const support = await this.#echoSupport();
    const text = textOf(prompt);
    if (!support.ok && !support.completions) await this.http.json<unknown>("/v1/chat/completions", { model, messages: [{ role: "user", content: text }], max_tokens: maxTokens, temperature: 0 });
    else await this.http.json<unknown>("/v1/completions", { model, prompt: text, max_tokens: maxTokens, temperature: 0 });
  }

  async generate(prompt: readonly TokenId[], maxTokens: number, model: string): Promise<{ generated: Generated; cost: RequestCost }> {
    const support = await this.#echoSupport();
    const text = textOf(prompt);
    const chat = !support.ok && !support.completions;
    const body = chat
      ? (await this.http.json<unknown>("/v1/chat/completions", { model, messages: [{ role: "user", content: text }], max_tokens: maxTokens, temperature: 0 })).body
      : (await this.http.json<unknown>("/v1/completions", { model, prompt: text, max_tokens: maxTokens, temperature: 0 })).body;
    const choices = isRecord(body) ? body.choices : undefined;
    const choice = Array.isArray(choices) && isRecord(choices[0]) ? choices[0] : undefined;
    const output = chat ? (isRecord(choice?.message) ? choice.message.content : undefined) : choice?.text;
    if (typeof output !== "string") throw unexpected(chat ? "/v1/chat/completions" : "/v1/completions", "no generated text");
    // Cut after the first complete word, as the in-process engine stops reading there.
    const word = /^\s*\S+\s/.exec(output);
    const kept = word && firstWordComplete(word[0]) ? word[0] : output;
    return { generated: { text: kept, tokens: codeUnits(kept), endedByModel: choice?.finish_reason === "stop" }, cost: usageCost(body) };
  }
}
