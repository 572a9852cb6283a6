// The engine on a server reached over HTTP: the base weights loaded once on the server, the arm chosen per
// request (adapter scales on llama-server, the model name on vLLM, lora_path on SGLang; backend.ts). It checks
// the server serves the suite's own files, runs the canaries, then every few-shot case and then every LoRA
// case (phases, so each slot computes a shared prefix once and never switches adapters mid-phase), at most
// `concurrency` requests in flight, each worker pinned to a slot; then times one production-shaped call per
// case for latency. Fail closed: the first case that cannot be scored (after retries) stops the run with how
// many cases are missing, and no SuiteRun, hence no verdict, comes out.
import { randomUUID } from "node:crypto";
import { TunegateError } from "../../errors.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../../prompts.js";
import type { ArmName, ArmRun, CaseArmResult, Suite, SuiteCase, SuiteRun } from "../../types.js";
import { ARM_DISPLAY } from "../../types.js";
import { generatedCaseResult, scoredCaseResult } from "../case-result.js";
import { DEFAULT_MAX_GENERATED_TOKENS, engineDisposedError, type Engine, type EngineDescription, type RemoteEngineKind, type RunOptions } from "../engine.js";
import { distinctPrefixCount, type TokenPath } from "../token-minimum.js";
import { casePromptTokens, commonPrefixLength, LABEL_SEPARATOR, tokensNeeded, withBos, type PromptTokens } from "../tokens.js";
import { runCanaries, type CanaryReport } from "./canaries.js";
import type { ArmModelNames, BackendProbe, RemoteBackend, RequestCost } from "./backend.js";
import { createBackend, detectKind } from "./detect.js";
import { HttpClient, redactUrl } from "./http.js";
import { PoolFailure, mapBounded } from "./pool.js";

export interface RemoteEngineOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8080. Credentials in it are never printed. */
  url: string;
  /** Default: detected from the server. */
  kind?: RemoteEngineKind;
  /** Sent as `Authorization: Bearer`; never printed. */
  apiKey?: string;
  /** Requests in flight at once; default: the server's slot count. */
  concurrency?: number;
  /** Per request, in milliseconds (default 120 000). */
  timeoutMs?: number;
  /** Retries of a transient failure (default 4). */
  retries?: number;
  /** First retry's backoff ceiling, in milliseconds (default 250; doubles per retry, full jitter). */
  backoffMs?: number;
  /** Per-arm model names, where the engine names its arms (vLLM, SGLang, a hosted fine-tune). */
  models?: ArmModelNames;
}

/** LoRA cases searched for one the adapter changes (the canaries' probe). */
const CANARY_CASES = 32;

export const REMOTE_DEFAULTS = { timeoutMs: 120_000, retries: 4, backoffMs: 250 } as const;

function caseName(c: SuiteCase): string {
  const input = c.input.length > 40 ? `${c.input.slice(0, 39)}…` : c.input;
  return `case ${c.index + 1} ("${input}")`;
}

interface ArmPlan {
  arm: ArmName;
  prompts: PromptTokens[];
  /** How a request selects this arm on the server (the backend's own setting). */
  target: unknown;
}

interface CaseOutcome {
  result: CaseArmResult;
  evaluated: number;
  /** Token runs after the prompt that any evaluator must add: each label but its last token, or the generated tokens fed back. */
  after: number[][];
}

/** Tokens the server evaluated for a request: its uncached prompt tokens, and each decoded token but the last fed back. */
function evaluatedBy(cost: RequestCost): number {
  return cost.promptEvaluated + Math.max(0, cost.predicted - 1);
}

export class RemoteEngine implements Engine {
  readonly modelLoads = 0;
  readonly #options: RemoteEngineOptions;
  readonly #http: HttpClient;
  #backend: Promise<RemoteBackend> | undefined;
  #kind: RemoteEngineKind | undefined;
  #probe: Promise<BackendProbe> | undefined;
  #disposed = false;
  /** The canaries' last findings, for tests and the curious. */
  lastCanaries: CanaryReport | undefined;

  constructor(options: RemoteEngineOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new TunegateError("BAD_ENGINE", `the engine URL is not a URL: ${JSON.stringify(redactUrl(options.url))}`, { hint: "write it as http://HOST:PORT" });
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new TunegateError("BAD_ENGINE", `the engine URL must be http or https, got ${parsed.protocol}`, { hint: "write it as http://HOST:PORT" });
    }
    // Credentials written in the URL become the API key, never part of what is printed.
    const apiKey = options.apiKey ?? (parsed.password !== "" ? decodeURIComponent(parsed.password) : undefined);
    parsed.username = "";
    parsed.password = "";
    this.#options = { ...options, url: parsed.toString() };
    this.#kind = options.kind;
    this.#http = new HttpClient({
      baseUrl: parsed.toString(),
      ...(apiKey !== undefined ? { apiKey } : {}),
      timeoutMs: options.timeoutMs ?? REMOTE_DEFAULTS.timeoutMs,
      retries: options.retries ?? REMOTE_DEFAULTS.retries,
      backoffMs: options.backoffMs ?? REMOTE_DEFAULTS.backoffMs,
    });
  }

  /** The server's kind: as given, else as detected (llama-server until the first probe has detected it). */
  get kind(): RemoteEngineKind {
    return this.#kind ?? "llama-server";
  }

  get url(): string {
    return this.#http.shownUrl;
  }

  #assertOpen(): void {
    if (this.#disposed) throw engineDisposedError();
  }

  /** The backend for the server's kind, detecting the kind once when it was not given. */
  backend(): Promise<RemoteBackend> {
    this.#assertOpen();
    if (!this.#backend) {
      const creating = (async () => {
        const kind = this.#options.kind ?? (await detectKind(this.#http));
        this.#kind = kind;
        return createBackend(kind, this.#http, this.#options.models ?? {});
      })();
      this.#backend = creating;
      creating.catch(() => {
        if (this.#backend === creating) this.#backend = undefined;
      });
    }
    return this.#backend;
  }

  /** The server's version, slots, context and tokenizer, asked once per engine. */
  async probe(): Promise<BackendProbe> {
    this.#assertOpen();
    if (!this.#probe) {
      const probing = this.backend().then((backend) => backend.probe());
      this.#probe = probing;
      probing.catch(() => {
        if (this.#probe === probing) this.#probe = undefined;
      });
    }
    return this.#probe;
  }

  async describe(): Promise<EngineDescription> {
    const probe = await this.probe();
    const backend = await this.backend();
    return { kind: this.kind, runtime: backend.runtime, version: probe.version, backend: this.url };
  }

  /** Requests in flight at once on this server: as configured, else its slot count. */
  concurrencyFor(probe: BackendProbe): number {
    return Math.max(1, Math.floor(this.#options.concurrency ?? probe.slots));
  }

  async #tokenizeCase(backend: RemoteBackend, prompt: string, labels: readonly string[], c: SuiteCase, bos: number | null): Promise<PromptTokens> {
    const tokens = withBos(await backend.tokenize(prompt), bos);
    const joined: number[][] = [];
    for (const label of labels) joined.push(withBos(await backend.tokenize(prompt + LABEL_SEPARATOR + label), bos));
    return casePromptTokens(tokens, joined, labels, { caseLabel: caseName(c), location: c.location });
  }

  async #evaluateCase(backend: RemoteBackend, suite: Suite, plan: ArmPlan, index: number, maxGenerated: number, lane: number): Promise<CaseOutcome> {
    const c = suite.cases[index]!;
    const prompt = plan.prompts[index]!;
    const started = performance.now();
    // A server without a tokenizer ("characters"): token counts come from its usage alone.
    const characters = backend.units === "characters";
    if (suite.scoring === "generate") {
      const { generated, cost } = await backend.generate(prompt.tokens, maxGenerated, plan.target, lane);
      const result = generatedCaseResult(c, suite.labels, {
        text: generated.text,
        tokens: characters ? cost.predicted : generated.tokens.length,
        promptTokens: characters ? cost.promptEvaluated + cost.cached : prompt.tokens.length,
        latencyMs: performance.now() - started,
      });
      // Every generated token is fed back to get the next, but the last when the limit (not the model) ended it.
      const fedBack = generated.endedByModel ? generated.tokens.length : Math.max(0, generated.tokens.length - 1);
      return { result, evaluated: evaluatedBy(cost), after: characters ? [] : [generated.tokens.slice(0, fedBack)] };
    }
    const labelScores = await backend.scoreLabels(prompt.tokens, prompt.labelTokens, plan.target, false, lane);
    const scores = labelScores.map(({ logprobs }) => {
      const sum = logprobs.reduce((total, p) => total + p, 0);
      // The server's own label tokens (equal to labelTokens where tunegate tokenised them).
      return suite.lengthNormalize ? sum / logprobs.length : sum;
    });
    const evaluated = labelScores.reduce((total, { cost }) => total + evaluatedBy(cost), 0);
    const first = labelScores[0]!;
    const result = scoredCaseResult(c, suite.labels, {
      scores,
      labelTokens: characters ? labelScores.map((s) => s.logprobs) : prompt.labelTokens,
      promptTokens: characters ? Math.max(0, first.cost.promptEvaluated + first.cost.cached - first.logprobs.length) : prompt.tokens.length,
      latencyMs: performance.now() - started,
    });
    return { result, evaluated, after: characters ? [] : prompt.labelTokens.filter((tokens) => tokens.length > 1).map((tokens) => tokens.slice(0, -1)) };
  }

  async #runArm(backend: RemoteBackend, suite: Suite, plan: ArmPlan, concurrency: number, options: RunOptions): Promise<ArmRun> {
    const started = performance.now();
    let done = 0;
    const outcomes = await mapBounded(plan.prompts, concurrency, async (_, index, lane) => {
      const outcome = await this.#evaluateCase(backend, suite, plan, index, options.maxGeneratedTokens ?? DEFAULT_MAX_GENERATED_TOKENS, lane);
      done++;
      options.onProgress?.({ suite: suite.name, arm: plan.arm, done, total: plan.prompts.length, elapsedMs: performance.now() - started });
      return outcome;
    });
    const wallMs = performance.now() - started;
    const cases = suite.scoring === "generate" ? outcomes.map((o) => o.result) : await this.#timeProductionCalls(backend, plan, outcomes, concurrency);
    const tokens = backend.units === "tokens";
    const prefix = Math.min(commonPrefixLength(plan.prompts.map((p) => p.tokens)), ...plan.prompts.map((p) => p.tokens.length - 1));
    // The same minimum as the in-process engine: every distinct token sequence counted once (token-minimum.ts).
    const paths: TokenPath[] = outcomes.flatMap((o, index) => {
      const prompt = plan.prompts[index]!.tokens;
      return [{ prompt, after: [] }, ...o.after.map((after) => ({ prompt, after }))];
    });
    return {
      arm: plan.arm,
      scoring: suite.scoring,
      cases,
      tokensEvaluated: outcomes.reduce((sum, o) => sum + o.evaluated, 0),
      // Without the server's tokens, the minimum, the shared prefix and which labels span several tokens are not known: 0 and none.
      tokensMinimum: tokens ? distinctPrefixCount(paths, prefix) : 0,
      multiTokenLabels: tokens ? suite.labels.filter((_, i) => plan.prompts.some((p) => p.labelTokens[i]!.length > 1)) : [],
      sharedPrefixTokens: tokens ? prefix : 0,
      contextSize: (await this.probe()).contextSize,
      wallMs,
    };
  }

  /**
   * Latency as production would see it, measured apart from the scoring requests (a case's several label
   * requests are not what a deployed call sends): after the arm is scored, each case is sent once more as a
   * production call — its prompt, greedy decoding of as many tokens as its predicted label — at the same
   * concurrency, each worker on its own slot (so the shared prefix is in cache, as on a warm production
   * server). These requests are timed only: their tokens do not count in tokens_evaluated. In generate mode
   * the scoring request already is that call.
   */
  async #timeProductionCalls(backend: RemoteBackend, plan: ArmPlan, outcomes: readonly CaseOutcome[], concurrency: number): Promise<CaseArmResult[]> {
    const latencies = await mapBounded(plan.prompts, concurrency, async (prompt, index, lane) => {
      const started = performance.now();
      await backend.productionCall(prompt.tokens, Math.max(1, outcomes[index]!.result.outputTokens), plan.target, lane);
      return performance.now() - started;
    });
    return outcomes.map((o, index) => ({ ...o.result, latencyMs: latencies[index]! }));
  }

  #checkContext(backend: RemoteBackend, suite: Suite, plan: ArmPlan, contextSize: number, maxGenerated: number): void {
    if (contextSize <= 0) return;
    plan.prompts.forEach((prompt, i) => {
      const need = tokensNeeded(prompt, suite.scoring === "generate", maxGenerated);
      if (need > contextSize) {
        const c = suite.cases[i]!;
        throw new TunegateError(
          "PROMPT_TOO_LONG",
          `${ARM_DISPLAY[plan.arm]} prompt of ${caseName(c)} needs ${need} tokens, more than the server's context of ${contextSize} per request`,
          { location: c.location, hint: backend.hints.context },
        );
      }
    });
  }

  async runSuite(suite: Suite, options: RunOptions = {}): Promise<SuiteRun> {
    this.#assertOpen();
    const probe = await this.probe();
    const backend = await this.backend();
    const targets = await backend.arms(suite);
    await backend.checkScoring(suite);
    const concurrency = this.concurrencyFor(probe);
    const maxGenerated = options.maxGeneratedTokens ?? DEFAULT_MAX_GENERATED_TOKENS;

    const tokenizeArm = (render: (input: string) => string) =>
      mapBounded(suite.cases, concurrency, (c) => this.#tokenizeCase(backend, render(c.input), suite.labels, c, probe.bos));
    const unwrap = async <T>(work: Promise<T>): Promise<T> => {
      try {
        return await work;
      } catch (error) {
        throw error instanceof PoolFailure ? error.error : error;
      }
    };
    const plans: ArmPlan[] = [
      { arm: "few_shot", prompts: await unwrap(tokenizeArm((input) => renderFewShotPrompt(suite.fewShot, input))), target: targets.base },
      { arm: "lora", prompts: await unwrap(tokenizeArm((input) => renderLoraPrompt(suite.lora, input))), target: targets.lora },
    ];
    for (const plan of plans) this.#checkContext(backend, suite, plan, probe.contextSize, maxGenerated);

    // Fresh random text in front of the probe: nothing an earlier request left in any cache shares more than BOS with it.
    const probeFor = (index: number) =>
      this.#tokenizeCase(backend, `${randomUUID()} tunegate canary\n${renderLoraPrompt(suite.lora, suite.cases[index]!.input)}`, suite.labels, suite.cases[index]!, probe.bos);
    const fillers: number[][] = [];
    // Fillers push a probe out of token-keyed caches; a server without a tokenizer is reached by text, where they mean nothing.
    for (let i = 0; backend.units === "tokens" && i < Math.max(probe.slots, concurrency); i++) {
      fillers.push(withBos(await backend.tokenize(`${randomUUID()} filler ${i}: ${"the quick brown fox jumps over the lazy dog ".repeat(3)}`), probe.bos));
    }
    // Canaries score labels: in generate mode too, where the server can (a server without prompt
    // log-probabilities is refused for logprob scoring by checkScoring, and checked by its generations only).
    if (suite.scoring === "logprob" || (await backend.canScore())) {
      this.lastCanaries = await runCanaries(backend, plans[1]!.prompts.slice(0, CANARY_CASES), probeFor, targets.base, targets.lora, fillers);
    }

    const arms: Partial<Record<ArmName, ArmRun>> = {};
    for (const [i, plan] of plans.entries()) {
      try {
        arms[plan.arm] = await this.#runArm(backend, suite, plan, concurrency, options);
      } catch (error) {
        if (!(error instanceof PoolFailure)) throw error;
        const missing = error.unfinished + plans.slice(i + 1).reduce((sum, p) => sum + p.prompts.length, 0);
        const total = plans.reduce((sum, p) => sum + p.prompts.length, 0);
        const cause = error.error;
        const c = suite.cases[error.index]!;
        const reason = cause instanceof TunegateError ? cause.message : (cause as Error).message;
        throw new TunegateError(
          "ENGINE_INCOMPLETE",
          `${missing} of ${total} case evaluations were not scored, so this suite gets no verdict: the ${ARM_DISPLAY[plan.arm]} arm failed on ${caseName(c)}: ${reason}`,
          { location: c.location, ...(cause instanceof TunegateError && cause.hint !== undefined ? { hint: cause.hint } : {}), cause },
        );
      }
    }
    return {
      suite,
      arms: arms as Record<ArmName, ArmRun>,
      engine: {
        backend: `${this.kind} ${probe.version}`,
        threads: 0,
        armsInParallel: false,
        contextSize: probe.contextSize,
        modelLoadMs: 0,
        nodeLlamaCppVersion: "",
        kind: this.kind,
        remote: { url: this.url, version: probe.version, concurrency },
      },
    };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#http.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

export function createRemoteEngine(options: RemoteEngineOptions): RemoteEngine {
  return new RemoteEngine(options);
}
