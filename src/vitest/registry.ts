// Every suite evaluation of this process, by suite file: written by the plugin's transform hook, read by the
// reporter. Imports nothing heavy, so the reporter stays loadable without the inference engine.
import { realpathSync } from "node:fs";
import type { TunegateError } from "../errors.js";
import type { Diagnostic } from "../suite/diagnostics.js";
import type { Suite, SuiteRun } from "../types.js";

export type Evaluation =
  | { kind: "invalid"; file: string; diagnostics: Diagnostic[] }
  | { kind: "failed"; file: string; suite: Suite; error: TunegateError; diagnostics: Diagnostic[] }
  | { kind: "done"; file: string; run: SuiteRun; diagnostics: Diagnostic[]; key: string };

/** The latest evaluation of each suite file, keyed by registryKey(file). */
export const evaluations = new Map<string, Evaluation>();

/**
 * The key of a suite file: its real path. Vitest names a test module by the path it globbed (through a
 * symbolic link, if the root is reached through one) while Vite's transform hook gets the resolved path.
 */
export function registryKey(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}
