// The engine on a server reached over HTTP: the base weights loaded once on the server, the arm chosen per
// request by the adapter scales sent with it. It checks the server serves the suite's own files, runs the
// canaries, then every few-shot case and then every LoRA case (phases, so each slot computes a shared prefix
// once and never switches adapters mid-phase), at most `concurrency` requests in flight. Fail closed: the
// first case that cannot be scored (after retries) stops the run with how many cases are missing, and no
// SuiteRun, hence no verdict, comes out.
import { randomUUID } from "node:crypto";
import { TunegateError } from "../../errors.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../../prompts.js";
import { shownPath } from "../../suite/paths.js";
import type { ArmName, ArmRun, CaseArmResult, Suite, SuiteCase, SuiteRun } from "../../types.js";
import { ARM_DISPLAY } from "../../types.js";
import { generatedCaseResult, scoredCaseResult } from "../case-result.js";
import { DEFAULT_MAX_GENERATED_TOKENS, engineDisposedError, type Engine, type EngineDescription, type RemoteEngineKind, type RunOptions } from "../engine.js";
import { distinctPrefixCount, type TokenPath } from "../token-minimum.js";
import { casePromptTokens, commonPrefixLength, LABEL_SEPARATOR, tokensNeeded, withBos, type PromptTokens } from "../tokens.js";
import { runCanaries, type CanaryReport } from "./canaries.js";
import { HttpClient, redactUrl } from "./http.js";
import { LlamaServerClient, type AdapterScales, type LlamaServerProbe, type RequestCost } from "./llama-server.js";
import { PoolFailure, mapBounded } from "./pool.js";
import { matchFile, type FileMatch } from "./same-file.js";

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
  adapters: AdapterScales;
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
  readonly kind: RemoteEngineKind = "llama-server";
  readonly modelLoads = 0;
  readonly #options: RemoteEngineOptions;
  readonly #http: HttpClient;
  readonly #client: LlamaServerClient;
  #probe: Promise<LlamaServerProbe> | undefined;
  #disposed = false;
  /** The canaries' last findings, for tests and the curious. */
  lastCanaries: CanaryReport | undefined;

  constructor(options: RemoteEngineOptions) {
    if (options.kind !== undefined && options.kind !== "llama-server") {
      throw new TunegateError("ENGINE_UNSUPPORTED", `the ${options.kind} engine is not implemented in this version of tunegate`, {
        hint: "run the suite on llama-server (--engine-kind llama-server) or in-process (no --engine-url)",
      });
    }
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
    this.#http = new HttpClient({
      baseUrl: parsed.toString(),
      ...(apiKey !== undefined ? { apiKey } : {}),
      timeoutMs: options.timeoutMs ?? REMOTE_DEFAULTS.timeoutMs,
      retries: options.retries ?? REMOTE_DEFAULTS.retries,
      backoffMs: options.backoffMs ?? REMOTE_DEFAULTS.backoffMs,
    });
    this.#client = new LlamaServerClient(this.#http);
  }

  get url(): string {
    return this.#http.shownUrl;
  }

  #assertOpen(): void {
    if (this.#disposed) throw engineDisposedError();
  }

  /** The server's model, slots, context and adapters, asked once per engine. */
  async probe(): Promise<LlamaServerProbe> {
    this.#assertOpen();
    if (!this.#probe) {
      const probing = this.#client.probe();
      this.#probe = probing;
      probing.catch(() => {
        if (this.#probe === probing) this.#probe = undefined;
      });
    }
    return this.#probe;
  }

  async describe(): Promise<EngineDescription> {
    const probe = await this.probe();
    return { kind: this.kind, runtime: "llama-server", version: probe.build, backend: this.url };
  }

  #concurrency(probe: LlamaServerProbe): number {
    return Math.max(1, Math.floor(this.#options.concurrency ?? probe.slots));
  }

  /** The server's id for the suite's adapter, after checking the server runs the suite's base model. */
  async #matchFiles(suite: Suite, probe: LlamaServerProbe): Promise<{ adapterId: number; how: FileMatch }> {
    if (suite.lora.model.path !== suite.fewShot.model.path) {
      throw new TunegateError(
        "ENGINE_MISMATCH",
        `a remote engine serves one base model, but the arms name two (${shownPath(suite.fewShot.model)} and ${shownPath(suite.lora.model)})`,
        { location: suite.lora.model.location, hint: "give both arms the same base model, or run the suite in-process" },
      );
    }
    const model = await matchFile(probe.modelPath, suite.fewShot.model.path);
    if (model === undefined) {
      throw new TunegateError(
        "ENGINE_MISMATCH",
        `the server at ${this.url} runs the model ${JSON.stringify(probe.modelPath)}, not the suite's ${shownPath(suite.fewShot.model)}`,
        { location: suite.fewShot.model.location, hint: "start llama-server with -m on the suite's base model (the same file, or a copy with the same name)" },
      );
    }
    const matches: { id: number; how: FileMatch; path: string }[] = [];
    for (const adapter of probe.adapters) {
      const how = await matchFile(adapter.path, suite.lora.adapter.path);
      if (how !== undefined) matches.push({ id: adapter.id, how, path: adapter.path });
    }
    const loaded = probe.adapters.length === 0 ? "none" : probe.adapters.map((a) => `${a.id}: ${JSON.stringify(a.path)}`).join(", ");
    if (matches.length === 0) {
      throw new TunegateError(
        "ENGINE_MISMATCH",
        `the server at ${this.url} has not loaded the suite's adapter ${shownPath(suite.lora.adapter)} (its adapters: ${loaded})`,
        { location: suite.lora.adapter.location, hint: "start llama-server with --lora on the suite's adapter file, and --lora-init-without-apply" },
      );
    }
    // The strongest kind of match wins; two adapters matched only by name cannot be told apart.
    const rank: Record<FileMatch, number> = { path: 0, content: 1, name: 2 };
    matches.sort((a, b) => rank[a.how] - rank[b.how]);
    if (matches.length > 1 && matches[0]!.how === matches[1]!.how && matches[0]!.how === "name") {
      throw new TunegateError("ENGINE_MISMATCH", `the server has several adapters named like the suite's ${shownPath(suite.lora.adapter)} (${loaded})`, {
        location: suite.lora.adapter.location,
        hint: "give each adapter file a distinct name (for example with its content hash)",
      });
    }
    return { adapterId: matches[0]!.id, how: matches[0]!.how };
  }

  async #tokenizeCase(prompt: string, labels: readonly string[], c: SuiteCase, bos: number | null): Promise<PromptTokens> {
    const tokens = withBos(await this.#client.tokenize(prompt), bos);
    const joined: number[][] = [];
    for (const label of labels) joined.push(withBos(await this.#client.tokenize(prompt + LABEL_SEPARATOR + label), bos));
    return casePromptTokens(tokens, joined, labels, { caseLabel: caseName(c), location: c.location });
  }

  async #evaluateCase(suite: Suite, plan: ArmPlan, index: number, maxGenerated: number): Promise<CaseOutcome> {
    const c = suite.cases[index]!;
    const prompt = plan.prompts[index]!;
    const started = performance.now();
    if (suite.scoring === "generate") {
      const { generated, cost } = await this.#client.generate(prompt.tokens, maxGenerated, plan.adapters);
      const result = generatedCaseResult(c, suite.labels, {
        text: generated.text,
        tokens: generated.tokens.length,
        promptTokens: prompt.tokens.length,
        latencyMs: performance.now() - started,
      });
      // Every generated token is fed back to get the next, but the last when the limit (not the model) ended it.
      const fedBack = generated.endedByModel ? generated.tokens.length : Math.max(0, generated.tokens.length - 1);
      return { result, evaluated: evaluatedBy(cost), after: [generated.tokens.slice(0, fedBack)] };
    }
    const scores: number[] = [];
    let evaluated = 0;
    for (const label of prompt.labelTokens) {
      const { logprobs, cost } = await this.#client.scoreLabel({ prompt: prompt.tokens, label, adapters: plan.adapters });
      const sum = logprobs.reduce((total, p) => total + p, 0);
      scores.push(suite.lengthNormalize ? sum / label.length : sum);
      evaluated += evaluatedBy(cost);
    }
    const result = scoredCaseResult(c, suite.labels, { scores, labelTokens: prompt.labelTokens, promptTokens: prompt.tokens.length, latencyMs: performance.now() - started });
    return { result, evaluated, after: prompt.labelTokens.filter((tokens) => tokens.length > 1).map((tokens) => tokens.slice(0, -1)) };
  }

  async #runArm(suite: Suite, plan: ArmPlan, concurrency: number, options: RunOptions): Promise<ArmRun> {
    const started = performance.now();
    let done = 0;
    const outcomes = await mapBounded(plan.prompts, concurrency, async (_, index) => {
      const outcome = await this.#evaluateCase(suite, plan, index, options.maxGeneratedTokens ?? DEFAULT_MAX_GENERATED_TOKENS);
      done++;
      options.onProgress?.({ suite: suite.name, arm: plan.arm, done, total: plan.prompts.length, elapsedMs: performance.now() - started });
      return outcome;
    });
    const prefix = Math.min(commonPrefixLength(plan.prompts.map((p) => p.tokens)), ...plan.prompts.map((p) => p.tokens.length - 1));
    // The same minimum as the in-process engine: every distinct token sequence counted once (token-minimum.ts).
    const paths: TokenPath[] = outcomes.flatMap((o, index) => {
      const prompt = plan.prompts[index]!.tokens;
      return [{ prompt, after: [] }, ...o.after.map((after) => ({ prompt, after }))];
    });
    return {
      arm: plan.arm,
      scoring: suite.scoring,
      cases: outcomes.map((o) => o.result),
      tokensEvaluated: outcomes.reduce((sum, o) => sum + o.evaluated, 0),
      tokensMinimum: distinctPrefixCount(paths, prefix),
      multiTokenLabels: suite.labels.filter((_, i) => plan.prompts.some((p) => p.labelTokens[i]!.length > 1)),
      sharedPrefixTokens: prefix,
      contextSize: (await this.probe()).contextSize,
      wallMs: performance.now() - started,
    };
  }

  #checkContext(suite: Suite, plan: ArmPlan, contextSize: number, maxGenerated: number): void {
    if (contextSize <= 0) return;
    plan.prompts.forEach((prompt, i) => {
      const need = tokensNeeded(prompt, suite.scoring === "generate", maxGenerated);
      if (need > contextSize) {
        const c = suite.cases[i]!;
        throw new TunegateError(
          "PROMPT_TOO_LONG",
          `${ARM_DISPLAY[plan.arm]} prompt of ${caseName(c)} needs ${need} tokens, more than the server's context of ${contextSize} per slot`,
          { location: c.location, hint: "start llama-server with a larger context per slot (-c is shared by the -np slots), or shorten the prompt" },
        );
      }
    });
  }

  async runSuite(suite: Suite, options: RunOptions = {}): Promise<SuiteRun> {
    this.#assertOpen();
    const probe = await this.probe();
    const { adapterId } = await this.#matchFiles(suite, probe);
    const concurrency = this.#concurrency(probe);
    const maxGenerated = options.maxGeneratedTokens ?? DEFAULT_MAX_GENERATED_TOKENS;
    // Every adapter the server loaded, with its scale, on both arms: a request that lists none gets the
    // server's global scales.
    const base: AdapterScales = probe.adapters.map((a) => ({ id: a.id, scale: 0 }));
    const lora: AdapterScales = probe.adapters.map((a) => ({ id: a.id, scale: a.id === adapterId ? suite.lora.scale : 0 }));

    const tokenizeArm = (render: (input: string) => string) =>
      mapBounded(suite.cases, concurrency, (c) => this.#tokenizeCase(render(c.input), suite.labels, c, probe.bos));
    const unwrap = async <T>(work: Promise<T>): Promise<T> => {
      try {
        return await work;
      } catch (error) {
        throw error instanceof PoolFailure ? error.error : error;
      }
    };
    const plans: ArmPlan[] = [
      { arm: "few_shot", prompts: await unwrap(tokenizeArm((input) => renderFewShotPrompt(suite.fewShot, input))), adapters: base },
      { arm: "lora", prompts: await unwrap(tokenizeArm((input) => renderLoraPrompt(suite.lora, input))), adapters: lora },
    ];
    for (const plan of plans) this.#checkContext(suite, plan, probe.contextSize, maxGenerated);

    // Fresh random text in front of the probe: nothing an earlier request left in any cache shares more than BOS with it.
    const probeFor = (index: number) =>
      this.#tokenizeCase(`${randomUUID()} tunegate canary\n${renderLoraPrompt(suite.lora, suite.cases[index]!.input)}`, suite.labels, suite.cases[index]!, probe.bos);
    const fillers: number[][] = [];
    for (let i = 0; i < Math.max(probe.slots, concurrency); i++) {
      fillers.push(withBos(await this.#client.tokenize(`${randomUUID()} filler ${i}: ${"the quick brown fox jumps over the lazy dog ".repeat(3)}`), probe.bos));
    }
    this.lastCanaries = await runCanaries(this.#client, plans[1]!.prompts.slice(0, CANARY_CASES), probeFor, base, lora, fillers);

    const arms: Partial<Record<ArmName, ArmRun>> = {};
    for (const [i, plan] of plans.entries()) {
      try {
        arms[plan.arm] = await this.#runArm(suite, plan, concurrency, options);
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
        backend: `${this.kind} ${probe.build}`,
        threads: 0,
        armsInParallel: false,
        contextSize: probe.contextSize,
        modelLoadMs: 0,
        nodeLlamaCppVersion: "",
        kind: this.kind,
        remote: { url: this.url, version: probe.build, concurrency },
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
