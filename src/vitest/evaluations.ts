// Suite evaluation on Vitest's side of the fence: the plugin's transform hook runs in Vitest's main process,
// where the plugin's one engine loads the model once for every suite file and keeps it across watch-mode
// reruns. Test workers never load a model: they receive the recorded results and assert on them.
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { isTunegateError } from "../errors.js";
import type { Engine, RunOptions } from "../engine/engine.js";
import { hasErrors } from "../suite/diagnostics.js";
import { loadSuiteFromText } from "../suite/loader.js";
import { applySuiteOverrides, type SuiteOverrides } from "../suite/overrides.js";
import type { Suite } from "../types.js";
import { evaluations, registryKey, type Evaluation } from "./registry.js";

export interface EvaluationSettings {
  run: Omit<RunOptions, "onProgress">;
  overrides: SuiteOverrides;
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
      const run = await engine.runSuite(suite, { ...settings.run, ...(progress ? { onProgress: progress } : {}) });
      return record({ kind: "done", file, run, diagnostics: loaded.diagnostics, key });
    } catch (error) {
      if (!isTunegateError(error)) throw error;
      return record({ kind: "failed", file, suite, error, diagnostics: loaded.diagnostics });
    }
  });
}
