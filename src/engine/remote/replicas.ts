// One engine over several servers that serve the same files (replicas): the cases are dealt out in
// proportion to each server's concurrency, every replica runs its share through the full remote engine
// (probe, file matching, canaries, phases) at once, and the results come back as one run in suite order.
// Fail closed: a replica that fails loses its whole share, and the run has no verdict.
import { TunegateError } from "../../errors.js";
import type { ArmName, ArmRun, Suite, SuiteRun } from "../../types.js";
import { engineDisposedError, type Engine, type EngineDescription, type RemoteEngineKind, type RunOptions } from "../engine.js";
import { engineUrls } from "./options.js";
import { RemoteEngine, type RemoteEngineOptions } from "./remote-engine.js";

/** Case i goes to the replica whose share, relative to its concurrency, is smallest so far. */
export function dealCases(count: number, weights: readonly number[]): number[][] {
  const shares = weights.map(() => [] as number[]);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let r = 1; r < weights.length; r++) if (shares[r]!.length / weights[r]! < shares[best]!.length / weights[best]!) best = r;
    shares[best]!.push(i);
  }
  return shares;
}

function combineArm(arm: ArmName, suite: Suite, parts: readonly { run: SuiteRun; cases: readonly number[] }[]): ArmRun {
  const cases = new Array<ArmRun["cases"][number]>(suite.cases.length);
  for (const { run, cases: indices } of parts) {
    // Never a hole in suite order: a share that came back short is an engine fault, and no verdict.
    if (run.arms[arm].cases.length !== indices.length) {
      throw new TunegateError("ENGINE_INCOMPLETE", `a replica returned ${run.arms[arm].cases.length} results for its ${indices.length} cases, so this suite gets no verdict`);
    }
    indices.forEach((at, i) => (cases[at] = run.arms[arm].cases[i]!));
  }
  const arms = parts.map((p) => p.run.arms[arm]);
  return {
    arm,
    scoring: suite.scoring,
    cases,
    // Each replica computes what its cases share itself: the figures are sums over replicas.
    tokensEvaluated: arms.reduce((sum, a) => sum + a.tokensEvaluated, 0),
    tokensMinimum: arms.reduce((sum, a) => sum + a.tokensMinimum, 0),
    multiTokenLabels: suite.labels.filter((label) => arms.some((a) => a.multiTokenLabels.includes(label))),
    sharedPrefixTokens: Math.min(...arms.map((a) => a.sharedPrefixTokens)),
    contextSize: Math.max(...arms.map((a) => a.contextSize)),
    // The replicas run at once: the arm took as long as its slowest share.
    wallMs: Math.max(...arms.map((a) => a.wallMs)),
  };
}

export class ReplicatedEngine implements Engine {
  readonly modelLoads = 0;
  readonly #replicas: RemoteEngine[];
  #disposed = false;

  constructor(options: RemoteEngineOptions, urls: readonly string[]) {
    this.#replicas = urls.map((url) => new RemoteEngine({ ...options, url }));
  }

  get kind(): RemoteEngineKind {
    return this.#replicas[0]!.kind;
  }

  get url(): string {
    return this.#replicas.map((r) => r.url).join(", ");
  }

  /** Every replica must be the same kind and version of server: one engine block describes them all. */
  async describe(): Promise<EngineDescription> {
    if (this.#disposed) throw engineDisposedError();
    const each = await Promise.all(this.#replicas.map((r) => r.describe()));
    const first = each[0]!;
    const other = each.findIndex((d) => d.kind !== first.kind || d.version !== first.version);
    if (other > 0) {
      throw new TunegateError(
        "ENGINE_MISMATCH",
        `the replicas are not the same server: ${this.#replicas[0]!.url} is ${first.kind} ${first.version}, ${this.#replicas[other]!.url} is ${each[other]!.kind} ${each[other]!.version}`,
        { hint: "give several URLs only for servers of the same kind and version, started on the same files" },
      );
    }
    return { ...first, backend: this.url };
  }

  async runSuite(suite: Suite, options: RunOptions = {}): Promise<SuiteRun> {
    const description = await this.describe();
    const probes = await Promise.all(this.#replicas.map((r) => r.probe()));
    const concurrency = probes.map((p, r) => this.#replicas[r]!.concurrencyFor(p));
    const shares = dealCases(suite.cases.length, concurrency);
    const active = shares.map((cases, r) => ({ cases, r })).filter((s) => s.cases.length > 0);
    let done: Record<ArmName, number> = { few_shot: 0, lora: 0 };
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      active.map(({ cases, r }) =>
        this.#replicas[r]!.runSuite(
          { ...suite, cases: cases.map((i) => suite.cases[i]!) },
          {
            ...options,
            onProgress: (p) => {
              done = { ...done, [p.arm]: done[p.arm] + 1 };
              options.onProgress?.({ ...p, done: done[p.arm], total: suite.cases.length, elapsedMs: performance.now() - started });
            },
          },
        ),
      ),
    );
    const failed = outcomes.flatMap((o, i) => (o.status === "rejected" ? [{ error: o.reason as unknown, ...active[i]! }] : []));
    if (failed.length > 0) {
      const missing = 2 * failed.reduce((sum, f) => sum + f.cases.length, 0);
      const first = failed[0]!;
      const reason = first.error instanceof Error ? first.error.message : String(first.error);
      throw new TunegateError(
        "ENGINE_INCOMPLETE",
        `${missing} of ${2 * suite.cases.length} case evaluations were not scored, so this suite gets no verdict: the replica at ${this.#replicas[first.r]!.url} failed: ${reason}`,
        { ...(first.error instanceof TunegateError && first.error.hint !== undefined ? { hint: first.error.hint } : {}), cause: first.error },
      );
    }
    const parts = outcomes.map((o, i) => ({ run: (o as PromiseFulfilledResult<SuiteRun>).value, cases: active[i]!.cases }));
    const engine = parts[0]!.run.engine;
    return {
      suite,
      arms: { few_shot: combineArm("few_shot", suite, parts), lora: combineArm("lora", suite, parts) },
      engine: {
        ...engine,
        backend: `${description.kind} ${description.version}`,
        contextSize: Math.max(...parts.map((p) => p.run.engine.contextSize)),
        remote: { url: this.url, version: description.version, concurrency: active.reduce((sum, { r }) => sum + concurrency[r]!, 0) },
      },
    };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await Promise.all(this.#replicas.map((r) => r.dispose()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** The engine for an engine URL setting: one server, or replicas when it lists several URLs. */
export function openRemoteEngine(options: RemoteEngineOptions): RemoteEngine | ReplicatedEngine {
  const urls = engineUrls(options.url);
  return urls.length > 1 ? new ReplicatedEngine(options, urls) : new RemoteEngine({ ...options, url: urls[0] ?? options.url });
}
