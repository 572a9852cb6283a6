// The merge both entry points share (`tunegate merge`, the Action's `merge` input): part files named by paths
// or globs → validated parts → the merged suite runs → the report, built by the same builder as a single
// machine's run. It prints and writes nothing; the caller reports, as runSuites' callers do.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { buildReport } from "../report/build.js";
import { mergeParts, readPart, type NamedPart } from "../report/merge.js";
import type { Report } from "../report/types.js";
import { singleLine } from "../text/width.js";
import { ARMS, type ReportedRun } from "../types.js";
import { EXIT_GATE_FAILED, EXIT_INVALID, EXIT_OK } from "./io.js";
import { describeInvalidGlob, expandGlob, globProblem, isGlob } from "./suite-paths.js";

export type PartsMerge =
  /** Nothing was merged: the part files could not all be found or read, or they are no set of one run's parts. */
  | { stage: "refused"; code: number; problems: string[] }
  /**
   * The merged report. `failedCases`: case results that fail their test in a single run (a must case missed,
   * or any miss under `misses: fail`); `files`: the suite files, absolute, as the report names them.
   */
  | { stage: "merged"; code: number; report: Report; runs: ReportedRun[]; failedCases: number; files: string[] };

/** Part files named by `args` (paths or globs, relative to `cwd`), in argument order, each once. */
function partPaths(args: readonly string[], cwd: string): { paths: string[]; problems: string[] } {
  const paths: string[] = [];
  const problems: string[] = [];
  const add = (path: string) => {
    if (!paths.includes(path)) paths.push(path);
  };
  for (const arg of args) {
    if (!isGlob(arg)) {
      add(resolve(cwd, arg));
      continue;
    }
    const problem = globProblem(arg);
    if (problem !== undefined) {
      problems.push(describeInvalidGlob({ pattern: arg, problem }));
      continue;
    }
    const matches = expandGlob(arg, cwd);
    if (matches.length === 0) problems.push(`no part file matches ${arg}`);
    matches.forEach(add);
  }
  return { paths, problems };
}

/** Case results that fail their case test in a single run: a must case missed, or any miss under misses: fail. */
function failingCaseResults(runs: readonly ReportedRun[]): number {
  return runs.reduce(
    (sum, run) => sum + ARMS.reduce((armSum, arm) => armSum + run.arms[arm].cases.filter((result, i) => !result.correct && (run.suite.cases[i]!.must || run.suite.misses === "fail")).length, 0),
    0,
  );
}

/**
 * Reads, checks and merges the parts. `cwd` is where relative part paths start and what the merged report's
 * paths are relative to (run the merge where the shards ran: the checkout's root).
 */
export async function mergePartFiles(args: readonly string[], cwd: string, now?: Date): Promise<PartsMerge> {
  if (args.length === 0) return { stage: "refused", code: EXIT_INVALID, problems: ["no part files given: name the parts written by `tunegate run --shard i/n --json FILE` (e.g. parts/*.json)"] };
  const { paths, problems } = partPaths(args, cwd);
  const parts: NamedPart[] = [];
  for (const path of paths) {
    const name = singleLine(path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(code === "ENOENT" ? `${name}: no such file` : code === "EISDIR" ? `${name} is a folder; name the part files in it (e.g. ${name}/*.json)` : `${name} could not be read (${code ?? (error as Error).message})`);
      continue;
    }
    const part = readPart(name, text);
    if (part.ok) parts.push({ name, report: part.value });
    else problems.push(...part.problems);
  }
  if (problems.length > 0) return { stage: "refused", code: EXIT_INVALID, problems };
  const merged = mergeParts(parts, cwd);
  if (!merged.ok) return { stage: "refused", code: EXIT_INVALID, problems: merged.problems };
  const runs = merged.value;
  const report = buildReport(runs, { root: cwd, ...(now ? { now } : {}) });
  const failedCases = failingCaseResults(runs);
  const code = report.gate === "fail" || failedCases > 0 ? EXIT_GATE_FAILED : EXIT_OK;
  return { stage: "merged", code, report, runs, failedCases, files: runs.map((run) => run.suite.file) };
}
