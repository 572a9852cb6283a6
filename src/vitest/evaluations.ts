// Suite evaluation on Vitest's side of the fence: the plugin's transform hook runs in Vitest's main process,
// where the plugin's one engine loads the model once for every suite file and keeps it across watch-mode
// reruns. Test workers never load a model: they receive the recorded results and assert on them.
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { sha256File } from "../cache/file-hash.js";
import { isTunegateError } from "../errors.js";
import type { Engine, RunOptions } from "../engine/engine.js";
import { hasErrors } from "../suite/diagnostics.js";
import { loadSuiteFromText } from "../suite/loader.js";
import { applySuiteOverrides, type SuiteOverrides } from "../suite/overrides.js";
import { casesOfShard, suiteContentSha256, type ShardSelector } from "../suite/shards.js";
import { ARMS, type ArmName, type ArmRun, type ShardInfo, type Suite, type SuiteRun } from "../types.js";
import { evaluations, registryKey, type Evaluation } from "./registry.js";

export interface EvaluationSettings {
  run: Omit<RunOptions, "onProgress">;
  overrides: SuiteOverrides;
  /** Run only this shard's cases (`tunegate run --shard i/n`): the run then gets no verdict. */
  shard?: ShardSelector;
}

export type ProgressSink = NonNullable<RunOptions["onProgress"]>;

// One suite at a time per engine: its evaluations share the model and the CPU, and latency figures must not overlap.
const queues = new WeakMap<Engine, Promise<unknown>>();
function serially<T>(engine: Engine, work: () => Promise<T>): Promise<T> {
  const result = (queues.get(engine) ?? Promise.resolve()).then(work, work);
  queues.set(engine, result.catch(() => undefined));
  return result;
}

async function fingerprintOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info ? `${path}:${info.size}:${info.mtimeMs}` : `${path}:missing`;
}

/** Files a suite's results depend on: for the evaluation key and for watch mode. */
export function referencedFiles(suite: Suite): string[] {
  return [...new Set([suite.fewShot.model.path, suite.lora.model.path, suite.lora.adapter.path, ...(suite.casesFile ? [suite.casesFile] : [])])];
}

/** What the results depend on: the suite text, the files it names, and the run's settings. */
async function evaluationKey(text: string, suite: Suite, settings: EvaluationSettings): Promise<string> {
  const hash = createHash("sha256").update(text).update(JSON.stringify(settings));
  for (const part of await Promise.all(referencedFiles(suite).map(fingerprintOf))) hash.update(part);
  return hash.digest("hex");
}

function record(evaluation: Evaluation): Evaluation {
  evaluations.set(registryKey(evaluation.file), evaluation);
  return evaluation;
}

/** Loads and evaluates one suite file; an unchanged file with unchanged models reuses its last evaluation. */
export async function evaluateSuiteText(
  engineFor: Engine | ((suite: Suite) => Promise<Engine>),
  text: string,
  file: string,
  settings: EvaluationSettings,
  progress?: ProgressSink,
): Promise<Evaluation> {
  const loaded = await loadSuiteFromText(text, file);
  if (!loaded.suite || hasErrors(loaded.diagnostics)) return record({ kind: "invalid", file, diagnostics: loaded.diagnostics });
  let suite: Suite;
  try {
    suite = applySuiteOverrides(loaded.suite, settings.overrides);
  } catch (error) {
    if (!isTunegateError(error)) throw error;
    return record({ kind: "failed", file, suite: loaded.suite, error, diagnostics: loaded.diagnostics });
  }
  const key = await evaluationKey(text, suite, settings);
  const previous = evaluations.get(registryKey(file));
  if (previous?.kind === "done" && previous.key === key) return previous;
  let engine: Engine;
  try {
    engine = typeof engineFor === "function" ? await engineFor(suite) : engineFor;
  } catch (error) {
    if (!isTunegateError(error)) throw error;
    return record({ kind: "failed", file, suite, error, diagnostics: loaded.diagnostics });
  }

  return serially(engine, async () => {
    try {
      const options = { ...settings.run, ...(progress ? { onProgress: progress } : {}) };
      const run = settings.shard ? await runShard(engine, suite, settings.shard, options) : await engine.runSuite(suite, options);
      return record({ kind: "done", file, run, diagnostics: loaded.diagnostics, key });
    } catch (error) {
      if (!isTunegateError(error)) throw error;
      return record({ kind: "failed", file, suite, error, diagnostics: loaded.diagnostics });
    }
  });
}

/** A file's content hash, or null when this machine cannot read it (a remote engine may hold the only copy). */
async function sha256OrNull(path: string): Promise<string | null> {
  return sha256File(path).catch(() => null);
}

/** What identifies the whole suite a shard's part belongs to, for `tunegate merge`. */
async function shardInfo(suite: Suite, selector: ShardSelector): Promise<ShardInfo> {
  const [fewShotModel, loraModel, adapter] = await Promise.all([suite.fewShot.model.path, suite.lora.model.path, suite.lora.adapter.path].map(sha256OrNull));
  return { ...selector, casesTotal: suite.cases.length, suiteSha256: suiteContentSha256(suite), sha256: { fewShotModel: fewShotModel ?? null, loraModel: loraModel ?? null, adapter: adapter ?? null } };
}

/**
 * One shard of a suite. A shard that none of the suite's cases fall into runs nothing (a small suite split into
 * many shards): its part carries no case and no figures, and `tunegate merge` reads its engine as unused.
 */
async function runShard(engine: Engine, suite: Suite, selector: ShardSelector, options: RunOptions): Promise<SuiteRun> {
  const shard = await shardInfo(suite, selector);
  const cases = casesOfShard(suite.cases, selector);
  if (cases.length > 0) return { ...(await engine.runSuite({ ...suite, cases }, options)), shard };
  const description = await engine.describe();
  const empty = (arm: ArmName): ArmRun => ({ arm, scoring: suite.scoring, cases: [], tokensEvaluated: 0, tokensMinimum: 0, multiTokenLabels: [], sharedPrefixTokens: 0, contextSize: 0, wallMs: 0 });
  return {
    suite: { ...suite, cases },
    arms: Object.fromEntries(ARMS.map((arm) => [arm, empty(arm)])) as Record<ArmName, ArmRun>,
    engine: { backend: description.backend, threads: 0, armsInParallel: false, contextSize: 0, modelLoadMs: 0, nodeLlamaCppVersion: description.version, kind: description.kind },
    shard,
  };
}
