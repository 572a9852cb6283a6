// The result cache between the run layer and any Engine: for each case and arm it derives the key (key.ts) and
// serves the cached result when there is one; only the cases missing in either arm go to the engine, as a suite
// with fewer cases, and the results are merged back in suite order. A suite whose every case is cached loads no
// model at all. The engine underneath does not know about the cache, so any engine (local, remote) gets it.
import { DEFAULT_MAX_GENERATED_TOKENS, engineDisposedError, type Engine, type EngineDescription, type RunOptions } from "../engine/engine.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../prompts.js";
import { singleLine } from "../text/width.js";
import { ARMS, type ArmName, type ArmRun, type CaseArmResult, type EngineInfo, type Suite, type SuiteCase, type SuiteRun } from "../types.js";
import { caseKey, type CaseKeyInputs } from "./key.js";
import { FileHasher } from "./file-hash.js";
import { readHashes, readSuiteResults, writeHashes, writeSuiteResults, type CachedResult, type ResultShape, type SuiteResults } from "./store.js";

export interface ResultCacheOptions {
  /** The cache folder (absolute). */
  dir: string;
  /** How the folder is named in warnings (default: its path); never a value from the environment. */
  shownDir?: string;
  /** Where warnings (a damaged cache file) and notes (how many cases the cache served) go, one line each. */
  log?: (line: string) => void;
  /** The clock that stamps new results; for tests. */
  now?: () => Date;
  /** Dispose the engine underneath when this one is disposed; default false (its owner does). */
  ownsEngine?: boolean;
}

/** Per case of a suite, in suite order: the key of its result in each arm. */
export type SuiteKeys = Record<ArmName, string[]>;

/** The keys of every case of `suite`, given the engine and the content hashes of its files. */
export function suiteKeys(
  suite: Suite,
  engine: EngineDescription,
  hashes: { fewShotModel: string; loraModel: string; adapter: string },
  options: Pick<RunOptions, "maxGeneratedTokens"> = {},
): SuiteKeys {
  const common: Omit<CaseKeyInputs, "arm" | "modelSha256" | "prompt"> = {
    engine,
    scoring: suite.scoring,
    lengthNormalize: suite.lengthNormalize,
    maxGeneratedTokens: options.maxGeneratedTokens ?? DEFAULT_MAX_GENERATED_TOKENS,
    labels: suite.labels,
  };
  return {
    few_shot: suite.cases.map((c) =>
      caseKey({ ...common, arm: "few_shot", modelSha256: hashes.fewShotModel, prompt: renderFewShotPrompt(suite.fewShot, c.input) }),
    ),
    lora: suite.cases.map((c) =>
      caseKey({
        ...common,
        arm: "lora",
        modelSha256: hashes.loraModel,
        adapter: { sha256: hashes.adapter, scale: suite.lora.scale },
        prompt: renderLoraPrompt(suite.lora, c.input),
      }),
    ),
  };
}

function union(labels: readonly string[], lists: readonly (readonly string[])[]): string[] {
  const seen = new Set(lists.flat());
  return labels.filter((label) => seen.has(label));
}

export class CachingEngine implements Engine {
  readonly kind: Engine["kind"];
  readonly #inner: Engine;
  readonly #options: ResultCacheOptions;
  #hasher: Promise<FileHasher> | undefined;
  #disposed = false;

  constructor(inner: Engine, options: ResultCacheOptions) {
    this.#inner = inner;
    this.kind = inner.kind;
    this.#options = options;
  }

  get modelLoads(): number {
    return this.#inner.modelLoads;
  }

  /** Files read to hash them so far (a remembered hash reads nothing). */
  async filesHashed(): Promise<number> {
    return (await this.#fileHasher()).hashes;
  }

  describe(): Promise<EngineDescription> {
    if (this.#disposed) return Promise.reject(engineDisposedError());
    return this.#inner.describe();
  }

  #log(line: string): void {
    (this.#options.log ?? ((text: string) => console.error(text)))(line);
  }

  #warn(message: string): void {
    this.#log(`tunegate ▸ warning: result cache ${this.#options.shownDir ?? this.#options.dir}: ${message}`);
  }

  #fileHasher(): Promise<FileHasher> {
    this.#hasher ??= readHashes(this.#options.dir, (message) => this.#warn(message)).then((memo) => new FileHasher(memo));
    return this.#hasher;
  }

  async runSuite(suite: Suite, options: RunOptions = {}): Promise<SuiteRun> {
    if (this.#disposed) throw engineDisposedError();
    const measuredAt = (this.#options.now?.() ?? new Date()).toISOString();
    const description = await this.#inner.describe();
    const hasher = await this.#fileHasher();
    let hashes: { fewShotModel: string; loraModel: string; adapter: string };
    try {
      hashes = {
        fewShotModel: await hasher.sha256(suite.fewShot.model.path),
        loraModel: await hasher.sha256(suite.lora.model.path),
        adapter: await hasher.sha256(suite.lora.adapter.path),
      };
    } catch {
      // A file that cannot be read: the engine says what is wrong with it, at its suite line.
      return this.#inner.runSuite(suite, options);
    }
    const keys = suiteKeys(suite, description, hashes, options);
    const shape: ResultShape = { labels: suite.labels, scoring: suite.scoring };
    const wanted = new Map(ARMS.flatMap((arm) => keys[arm].map((key) => [key, shape] as const)));
    const stored = await readSuiteResults(this.#options.dir, suite.file, wanted, (message) => this.#warn(message));

    const hit = (arm: ArmName, i: number): CachedResult | undefined => stored.entries.get(keys[arm][i]!);
    const missing: SuiteCase[] = suite.cases.filter((_, i) => ARMS.some((arm) => hit(arm, i) === undefined));
    const fresh = missing.length > 0 ? await this.#inner.runSuite({ ...suite, cases: missing }, options) : undefined;
    if (fresh) {
      for (const arm of ARMS) {
        if (fresh.arms[arm].cases.length !== missing.length) throw new Error(`engine returned ${fresh.arms[arm].cases.length} ${arm} results for ${missing.length} cases`);
      }
    }
    const freshAt = new Map(missing.map((c, i) => [c.index, i]));

    const results = new Map<string, CachedResult>();
    const armRun = (arm: ArmName): ArmRun => {
      const freshArm = fresh?.arms[arm];
      const cachedEntries: CachedResult[] = [];
      const cases = suite.cases.map((c, i): CaseArmResult => {
        const key = keys[arm][i]!;
        const at = freshAt.get(c.index);
        if (at !== undefined && freshArm) {
          const { correct: _correct, cached: _cached, ...result } = freshArm.cases[at]!;
          results.set(key, { result, measuredAt, multiTokenLabels: freshArm.multiTokenLabels, contextSize: freshArm.contextSize });
          return freshArm.cases[at]!;
        }
        const entry = hit(arm, i)!;
        results.set(key, entry);
        cachedEntries.push(entry);
        return { ...entry.result, correct: entry.result.predicted === c.expected, cached: { measuredAt: entry.measuredAt } };
      });
      return {
        arm,
        scoring: suite.scoring,
        cases,
        // What this run evaluated: nothing for the cases the cache served.
        tokensEvaluated: freshArm?.tokensEvaluated ?? 0,
        tokensMinimum: freshArm?.tokensMinimum ?? 0,
        multiTokenLabels: union(suite.labels, [freshArm?.multiTokenLabels ?? [], ...cachedEntries.map((entry) => entry.multiTokenLabels)]),
        sharedPrefixTokens: freshArm?.sharedPrefixTokens ?? 0,
        contextSize: Math.max(freshArm?.contextSize ?? 0, ...cachedEntries.map((entry) => entry.contextSize)),
        wallMs: freshArm?.wallMs ?? 0,
      };
    };
    const arms: Record<ArmName, ArmRun> = { few_shot: armRun("few_shot"), lora: armRun("lora") };
    const engine: EngineInfo = fresh?.engine ??
      (stored.engine ? { ...stored.engine, contextSize: Math.max(arms.few_shot.contextSize, arms.lora.contextSize) } : undefined) ?? {
        backend: description.backend,
        threads: 0,
        armsInParallel: false,
        contextSize: Math.max(arms.few_shot.contextSize, arms.lora.contextSize),
        modelLoadMs: 0,
        nodeLlamaCppVersion: description.version,
        kind: description.kind,
      };

    const served = suite.cases.length - missing.length;
    if (served > 0) {
      const rest = missing.length > 0 ? `; ${missing.length} run now` : "";
      this.#log(`tunegate ▸ ${singleLine(suite.name)}: ${served} of ${suite.cases.length} cases from the result cache${rest}`);
    }
    await this.#save(suite.file, { entries: results, engine: fresh?.engine ?? stored.engine }, hasher);
    return { suite, arms, engine, resultCache: true };
  }

  /** Writes the suite's results and the hashes; a cache that cannot be written costs speed, not the run. */
  async #save(suiteFile: string, results: SuiteResults, hasher: FileHasher): Promise<void> {
    try {
      await writeSuiteResults(this.#options.dir, suiteFile, results);
      await writeHashes(this.#options.dir, hasher.entries());
    } catch (error) {
      this.#warn(`cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); results are not kept for the next run`);
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#options.ownsEngine) await this.#inner.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** `engine` with the result cache in `options.dir` in front of it. */
export function withResultCache(engine: Engine, options: ResultCacheOptions): CachingEngine {
  return new CachingEngine(engine, options);
}
