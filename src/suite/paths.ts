// Paths written in a suite: env interpolation, resolution against the suite's folder, and the existence
// checks for model and adapter files (their GGUF content is checked by src/gguf/suite-files.ts).
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { failed, ok, type ModelRef, type Result, type SourceLocation } from "../types.js";
import { error, type Diagnostic } from "./diagnostics.js";
import { specialFileKind } from "./file-kind.js";
import { interpolateEnv, type Environment } from "./env.js";

/** `written` with env references expanded, made absolute against the folder of `suiteFile`. */
export function resolveSuitePath(written: string, suiteFile: string, env: Environment, location: SourceLocation): Result<ModelRef, Diagnostic> {
  const expanded = interpolateEnv(written, env);
  if (!expanded.ok) return failed(expanded.problems.map((problem) => error(problem.code, location, problem.message, problem.hint)));
  const { text, envVars } = expanded.value;
  const path = isAbsolute(text) ? resolve(text) : resolve(dirname(suiteFile), text);
  return ok({ path, written, envVars, location });
}

/**
 * How a path is named in messages: as resolved, unless an environment variable went into it. A variable's
 * value may be a secret, and messages reach CI logs and PR comments, which mask no secret of ours.
 */
export function shownPath(ref: ModelRef): string {
  return ref.envVars.length > 0 ? `\`${ref.written}\`` : ref.path;
}

/** How a path was obtained: the written text, or which variables went into it and whether each was set (never their values). */
export function describeResolution(ref: ModelRef, env: Environment): string {
  if (ref.envVars.length === 0) return `written as \`${ref.written}\``;
  const vars = ref.envVars.map((name) => `${name} ${env[name] === undefined || env[name] === "" ? "unset (its default used)" : "set"}`);
  return `with ${vars.join(", ")}; values are not shown`;
}

/** Hints for the usual reasons a written path does not resolve to what its author meant. */
export function pathHint(ref: ModelRef, suiteFile: string): string {
  if (/^~[\\/]/.test(ref.written)) return "`~` is not expanded; write `${env:HOME}/...` instead";
  if (/\$(?!\{)/.test(ref.written)) return "only `${env:NAME}` is expanded, not `$NAME`";
  if (ref.envVars.length > 0) return `check the value of ${ref.envVars.join(", ")}`;
  return isAbsolute(ref.written)
    ? "check the path"
    : `relative paths are resolved against the suite's folder, ${dirname(suiteFile)}`;
}

/**
 * A missing model or adapter, or a folder or device in its place, is an error. What the file holds is checked
 * as GGUF by src/gguf/suite-files.ts, which `tunegate validate`, `tunegate run` and the engine all run.
 */
export async function checkModelFile(ref: ModelRef, what: string, key: string, suiteFile: string, env: Environment): Promise<Diagnostic[]> {
  try {
    const info = await stat(ref.path);
    if (info.isDirectory()) {
      return [
        error("model-not-found", ref.location, `the ${what} \`${key}\` is a directory, not a GGUF file: ${shownPath(ref)} (${describeResolution(ref, env)})`, "give the path of the .gguf file inside it"),
      ];
    }
    const special = specialFileKind(info);
    if (special !== undefined) {
      return [error("model-not-found", ref.location, `the ${what} \`${key}\` is ${special}, not a GGUF file: ${shownPath(ref)} (${describeResolution(ref, env)})`, "give the path of a .gguf file")];
    }
  } catch {
    return [
      error(
        "model-not-found",
        ref.location,
        `the ${what} file \`${key}\` does not exist: ${shownPath(ref)} (${describeResolution(ref, env)})`,
        pathHint(ref, suiteFile),
      ),
    ];
  }
  return [];
}
