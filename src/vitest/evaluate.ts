// Suite evaluation on Vitest's side of the fence: the plugin's transform hook runs in Vitest's main process,
// so the model is loaded once there, for every suite file, and stays loaded across watch-mode reruns. Test
// workers never load a model: they receive the recorded results and assert on them.
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { isTunegateError } from "../errors.js";
import { runSuite, type EngineOptions } from "../engine/run-suite.js";
import { hasErrors } from "../suite/diagnostics.js";
import { loadSuiteFromText } from "../suite/loader.js";
import { applySuiteOverrides, type SuiteOverrides } from "../suite/overrides.js";
import type { Suite } from "../types.js";
import { evaluations, type Evaluation } from "./registry.js";

export interface EvaluationSettings {
  engine: Omit<EngineOptions, "onProgress">;
  overrides: SuiteOverrides;
}

export type ProgressSink = (event: { suite: string; arm: "few_shot" | "lora"; done: number; total: number; elapsedMs: number }) => void;

// One suite at a time: evaluations share the model and the CPU, and latency figures must not overlap.
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(work: () => Promise<T>): Promise<T> {
  const result = queue.then(work, work);
  queue = result.catch(() => undefined);
  return result;
}

async function fingerprintOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info ? `${path}:${info.size}:${info.mtimeMs}` : `${path}:missing`;
}

/** What the results depend on: the suite text, the files it names, and the run's settings. */
async function evaluationKey(text: string, suite: Suite, settings: EvaluationSettings): Promise<string> {
  const files = [suite.fewShot.model.path, suite.lora.model.path, suite.lora.adapter.path, ...(suite.casesFile ? [suite.casesFile] : [])];
  const hash = createHash("sha256").update(text).update(JSON.stringify(settings));
  for (const part of await Promise.all(files.map(fingerprintOf))) hash.update(part);
  return hash.digest("hex");
}

/** Files a suite's results depend on, for watch mode. */
export function referencedFiles(suite: Suite): string[] {
  return [...new Set([suite.fewShot.model.path, suite.lora.model.path, suite.lora.adapter.path, ...(suite.casesFile ? [suite.casesFile] : [])])];
}

/** Loads and evaluates one suite file; an unchanged file with unchanged models reuses its last evaluation. */
export async function evaluateSuiteText(text: string, file: string, settings: EvaluationSettings, progress?: ProgressSink): Promise<Evaluation> {
  const loaded = await loadSuiteFromText(text, file);
  if (!loaded.suite || hasErrors(loaded.diagnostics)) {
    const evaluation: Evaluation = { kind: "invalid", file, diagnostics: loaded.diagnostics };
    evaluations.set(file, evaluation);
    return evaluation;
  }
  let suite: Suite;
  try {
    suite = applySuiteOverrides(loaded.suite, settings.overrides);
  } catch (error) {
    if (!isTunegateError(error)) throw error;
    const evaluation: Evaluation = { kind: "failed", file, suite: loaded.suite, error, diagnostics: loaded.diagnostics };
    evaluations.set(file, evaluation);
    return evaluation;
  }
  const key = await evaluationKey(text, suite, settings);
  const previous = evaluations.get(file);
  if (previous?.kind === "done" && previous.key === key) return previous;

  return serially(async () => {
    try {
      const run = await runSuite(suite, {
        ...settings.engine,
        onProgress: (p) => progress?.({ suite: suite.name, arm: p.arm, done: p.done, total: p.total, elapsedMs: p.elapsedMs }),
      });
      const evaluation: Evaluation = { kind: "done", file, run, diagnostics: loaded.diagnostics, key };
      evaluations.set(file, evaluation);
      return evaluation;
    } catch (error) {
      if (!isTunegateError(error)) throw error;
      const evaluation: Evaluation = { kind: "failed", file, suite, error, diagnostics: loaded.diagnostics };
      evaluations.set(file, evaluation);
      return evaluation;
    }
  });
}
