// Paths written in a suite: env interpolation, resolution against the suite's folder, and the existence
// checks for model and adapter files (their GGUF content is the engine's business; only the magic is peeked at).
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { readFirstBytes } from "../read-head.js";
import type { ModelRef, SourceLocation } from "../types.js";
import { error, warning, type Diagnostic } from "./diagnostics.js";
import { specialFileKind } from "./file-kind.js";
import { interpolateEnv, type Environment } from "./env.js";

export type PathResult = { resolved: ModelRef; diagnostic?: undefined } | { resolved?: undefined; diagnostic: Diagnostic };

/** `written` with env references expanded, made absolute against the folder of `suiteFile`. */
export function resolveSuitePath(written: string, suiteFile: string, env: Environment, location: SourceLocation): PathResult {
  const expanded = interpolateEnv(written, env);
  if (expanded.problem !== undefined) {
    return { diagnostic: error(expanded.problem.code, location, expanded.problem.message, expanded.problem.hint) };
  }
  const path = isAbsolute(expanded.value) ? resolve(expanded.value) : resolve(dirname(suiteFile), expanded.value);
  return { resolved: { path, written, envVars: expanded.envVars, location } };
}

/** What the message says about how a path was obtained: the written text and the env values used. */
export function describeResolution(ref: ModelRef, env: Environment): string {
  const vars = ref.envVars.map((name) => `${name}=${env[name] === undefined || env[name] === "" ? "(unset, default used)" : env[name]}`);
  return `written as \`${ref.written}\`${vars.length > 0 ? `, with ${vars.join(", ")}` : ""}`;
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
 * A missing model or adapter is an error. A file that exists but does not start with the GGUF magic only
 * warns: the engine refuses it later with its own message, and validation may run against placeholders.
 */
export async function checkModelFile(ref: ModelRef, what: string, key: string, suiteFile: string, env: Environment): Promise<Diagnostic[]> {
  try {
    const info = await stat(ref.path);
    if (info.isDirectory()) {
      return [
        error("model-not-found", ref.location, `the ${what} \`${key}\` is a directory, not a GGUF file: ${ref.path} (${describeResolution(ref, env)})`, "give the path of the .gguf file inside it"),
      ];
    }
    const special = specialFileKind(info);
    if (special !== undefined) {
      return [error("model-not-found", ref.location, `the ${what} \`${key}\` is ${special}, not a GGUF file: ${ref.path} (${describeResolution(ref, env)})`, "give the path of a .gguf file")];
    }
  } catch {
    return [
      error(
        "model-not-found",
        ref.location,
        `the ${what} file \`${key}\` does not exist: ${ref.path} (${describeResolution(ref, env)})`,
        pathHint(ref, suiteFile),
      ),
    ];
  }
  const head = await readHead(ref.path, 64);
  if (head === undefined) return [];
  if (head.subarray(0, 4).toString("latin1") === "GGUF") return [];
  const text = head.toString("latin1");
  const why = head.length === 0
    ? "it is empty"
    : text.startsWith("version https://git-lfs")
      ? "it is a Git LFS pointer, not the model itself"
      : "it does not start with the GGUF magic bytes";
  return [
    warning(
      "model-not-gguf",
      ref.location,
      `the ${what} ${ref.path} is not a GGUF file: ${why}; the engine will refuse it`,
      text.startsWith("version https://git-lfs") ? "run `git lfs pull` to fetch the file" : "point at a .gguf model file",
    ),
  ];
}

async function readHead(path: string, bytes: number): Promise<Buffer | undefined> {
  // Unreadable files are reported by the engine, which knows how it opens them.
  return readFirstBytes(path, bytes).catch(() => undefined);
}
