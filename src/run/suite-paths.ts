// Command-line arguments → suite files. Shells expand globs themselves, but not when quoted, on Windows, or in
// CI YAML, so `*`, `**`, `?` and `[...]` are expanded here too. A directory stands for every suite file below it.
// Names are matched ignoring letter case, as suite files are (see suite/suite-files.ts), so the Action's default
// glob finds the same files as `tunegate run .`.
import { statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { searchFiles, SUITE_FILE_GLOB } from "../suite/suite-files.js";

/** Longest glob the matcher (picomatch) accepts. */
const MAX_GLOB_LENGTH = 65_536;

export interface InvalidGlob {
  pattern: string;
  /** Why the pattern cannot be used, as the end of a sentence that names it. */
  problem: string;
}

export interface ExpandedPaths {
  /** Absolute paths, in argument order, without repeats. Literal paths are kept even if they do not exist. */
  files: string[];
  /** Globs and directories that matched no suite file. */
  unmatched: string[];
  /** Globs that are no valid pattern (a usage error, not an empty match). */
  invalid: InvalidGlob[];
}

export function expandSuitePaths(args: readonly string[], cwd: string): ExpandedPaths {
  const files: string[] = [];
  const unmatched: string[] = [];
  const invalid: InvalidGlob[] = [];
  const add = (file: string) => {
    if (!files.includes(file)) files.push(file);
  };
  for (const arg of args) {
    if (isGlob(arg)) {
      const problem = globProblem(arg);
      if (problem !== undefined) {
        invalid.push({ pattern: arg, problem });
        continue;
      }
      let matches: string[];
      try {
        matches = expandGlob(arg, cwd);
      } catch (cause) {
        invalid.push({ pattern: arg, problem: (cause as Error).message });
        continue;
      }
      if (matches.length === 0) unmatched.push(arg);
      matches.forEach(add);
      continue;
    }
    const absolute = resolve(cwd, arg);
    if (isDirectory(absolute)) {
      const found = searchFiles(SUITE_FILE_GLOB, absolute);
      if (found.length === 0) unmatched.push(arg);
      found.forEach(add);
      continue;
    }
    add(absolute);
  }
  return { files, unmatched, invalid };
}

/**
 * For a folder that holds no suite file: the YAML files below it (up to `limit`, relative to it), which are
 * probably suites named without `.cases.yaml`. Empty when `arg` is no folder or holds no YAML at all.
 */
export function misnamedSuiteFiles(arg: string, cwd: string, limit = 3): string[] {
  const absolute = resolve(cwd, arg);
  if (isGlob(arg) || !isDirectory(absolute)) return [];
  return searchFiles("**/*.{yaml,yml}", absolute)
    .slice(0, limit)
    .map((file) => relative(absolute, file).split(sep).join("/"));
}

/** The end of the line that says a path matched no suite file: a hint when YAML files there are misnamed. */
export function unmatchedHint(arg: string, cwd: string): string {
  const yaml = misnamedSuiteFiles(arg, cwd);
  if (yaml.length === 0) return "";
  const names = yaml.map((name) => JSON.stringify(name)).join(", ");
  return ` (it holds YAML files such as ${names}, but a suite file's name must end in .cases.yaml, e.g. triage.cases.yaml: rename the suites)`;
}

/** The message for an invalid glob, e.g. `the glob "x/[z-a]" has an invalid character class ...`. */
export function describeInvalidGlob({ pattern, problem }: InvalidGlob): string {
  return `the glob "${pattern}" ${problem}`;
}

/** Whether an argument is a glob rather than a literal path. */
export function isGlob(arg: string): boolean {
  return /[*?[]/.test(arg);
}

/**
 * Why `pattern` is no usable glob, or undefined. The matcher would turn these into patterns that silently
 * match nothing, or throw; either way the user would not learn that the pattern itself is at fault.
 */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_GLOB_LENGTH) return `is ${pattern.length} characters long; a glob may have at most ${MAX_GLOB_LENGTH}`;
  for (const [characterClass, body] of pattern.matchAll(/\[(?!\[:)(!?\]?[^\]]*)\]/g)) {
    try {
      new RegExp(`[${body!.replace(/^!/, "^")}]`);
    } catch (cause) {
      const reason = (cause as Error).message.replace(/^Invalid regular expression: .*: /, "");
      return `has an invalid character class ${characterClass} (${reason}); write ranges low to high, e.g. [a-z]`;
    }
  }
  return undefined;
}

/** Files matching `pattern`, sorted. The search starts at the pattern's longest literal directory prefix. */
export function expandGlob(pattern: string, cwd: string): string[] {
  const normalised = pattern.split(sep).join("/");
  const segments = normalised.split("/");
  const firstGlob = segments.findIndex(isGlob);
  const baseSegments = segments.slice(0, firstGlob);
  // The literal prefix is resolved as a path, not matched, so parentheses or braces in folder names stay literal.
  const base = resolve(cwd, baseSegments.join("/") || (isAbsolute(normalised) ? "/" : "."));
  if (!isDirectory(base)) return [];
  return searchFiles(segments.slice(firstGlob).join("/"), base);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
