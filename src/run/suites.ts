// The run both entry points share: suite paths → validated suites → one Vitest run with the tunegate plugin.
// It prints nothing of its own and returns what happened, with locations, so `tunegate run` can print it
// and the Action can annotate it without reading a log or loading the suites a second time.
import { realpathSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import type { Engine } from "../engine/engine.js";
import { resolveRemoteEngine, type RemoteEngineChoice } from "../engine/remote/options.js";
import type { Diagnostic } from "../suite/diagnostics.js";
import { checkSuite } from "./check-suite.js";
import { destinationProblem } from "../text/write-file.js";
import type { ReportFiles, RunOutcome } from "../vitest/reporter.js";
import type { TunegatePluginOptions } from "../vitest/plugin.js";
import { EXIT_GATE_FAILED, EXIT_INVALID, EXIT_OK, type CliIO } from "./io.js";
import { expandSuitePaths, type InvalidGlob } from "./suite-paths.js";

export interface RunArguments {
  /** Suite files, folders or globs; none means every suite below the working directory. */
  suites: string[];
  plugin: TunegatePluginOptions;
  /** Refuse suite and cases files that really lie outside this folder (the Action's workspace). */
  confineTo?: string;
}

/** What a run came to; `stage` says how far it got. */
export type SuitesRun =
  /** Some globs are invalid or some paths matched no suite file: nothing was loaded. */
  | { stage: "paths"; code: number; files: string[]; unmatched: string[]; invalid: InvalidGlob[] }
  /** Some suites are invalid (their files included, as `tunegate validate` checks them): their errors, in file order, each with its place; no model was loaded. */
  | { stage: "validation"; code: number; files: string[]; errors: Diagnostic[] }
  /** A report cannot be written where it was asked for: nothing was run. */
  | { stage: "destinations"; code: number; files: string[]; problems: DestinationProblem[] }
  /**
   * Vitest ran. `outcome` is the plugin's (undefined when Vitest finished without one); `root` is the folder
   * the report's paths are relative to. `notRun`: suite files Vitest never handed to the plugin (it could
   * not load them as test modules, e.g. with a `#` in the path), which would otherwise pass unnoticed.
   */
  | { stage: "run"; code: number; files: string[]; root: string; outcome: RunOutcome | undefined; notRun: string[] };

export interface DestinationProblem {
  /** Which report: the option that named it. */
  report: keyof ReportFiles;
  /** Absolute path, as the reporter would write it. */
  path: string;
  /** The end of a sentence that names the path: "is a folder; ...". */
  problem: string;
}

/** Where the reports would fail to be written, checked now so the run does not end with nowhere to put them. */
export function reportDestinationProblems(report: ReportFiles, root: string): DestinationProblem[] {
  return (["json", "markdown", "html"] as const).flatMap((kind) => {
    const target = report[kind];
    if (!target) return [];
    // As the reporter resolves it: against Vitest's root.
    const path = resolve(root, target);
    const problem = destinationProblem(path);
    return problem === undefined ? [] : [{ report: kind, path, problem }];
  });
}

function realPath(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
}

/** Why a suite file has no result: it names the file and what to do. */
export function notRunMessage(file: string): string {
  return `${JSON.stringify(file)} was not run: Vitest could not load it as a test file (its error is above); Vite takes a \`#\` or \`?\` in a path for a URL's fragment or query, so rename the file or folder`;
}

/** The deepest folder holding the working directory and every suite: Vitest's root for the run, and what the report's paths are relative to. */
export function runRoot(cwd: string, files: readonly string[]): string {
  let root = cwd;
  for (const file of files) {
    while (relative(root, file).startsWith("..")) root = dirname(root);
  }
  return root;
}

function isRemoteChoice(engine: TunegatePluginOptions["engine"]): engine is RemoteEngineChoice {
  return typeof engine === "object" && engine !== null && typeof (engine as Engine).runSuite !== "function";
}

/** Validates, runs and maps the outcome to an exit code. */
export async function runSuites(args: RunArguments, io: Pick<CliIO, "cwd" | "env">): Promise<SuitesRun> {
  const { files, unmatched, invalid } = expandSuitePaths(args.suites.length > 0 ? args.suites : ["."], io.cwd);
  if (files.length === 0 || unmatched.length > 0 || invalid.length > 0) return { stage: "paths", code: EXIT_INVALID, files, unmatched, invalid };

  const errors: Diagnostic[] = [];
  for (const file of files) {
    const { diagnostics } = await checkSuite(file, { cwd: io.cwd, env: io.env, confineTo: args.confineTo });
    errors.push(...diagnostics.filter((d) => d.severity === "error"));
  }
  if (errors.length > 0) return { stage: "validation", code: EXIT_INVALID, files, errors };
  const root = runRoot(io.cwd, files);
  const problems = reportDestinationProblems(args.plugin.report ?? {}, root);
  if (problems.length > 0) return { stage: "destinations", code: EXIT_INVALID, files, problems };

  // Vitest and the engine are loaded only now: `tunegate run --help` and invalid input stay instant.
  const [{ createVitest }, { tunegate }] = await Promise.all([import("vitest/node"), import("../vitest/plugin.js")]);
  // The plugin creates the engine (a run option's server, a suite's own `engine:` block, or in-process) and
  // disposes it when Vitest closes. The environment is this run's, not necessarily the process's.
  const remote = resolveRemoteEngine(isRemoteChoice(args.plugin.engine) ? args.plugin.engine : undefined, io.env);
  // A cache folder named relative to the working directory given here, which need not be the process's.
  const cacheDir = args.plugin.cacheDir !== undefined ? { cacheDir: resolve(io.cwd, args.plugin.cacheDir) } : {};
  const plugin = tunegate({ ...args.plugin, ...cacheDir, ...(remote ? { engine: remote } : {}) });
  const include = files.map((file) => relative(root, file).split(sep).join("/"));
  const vitest = await createVitest(
    "test",
    // cache: false, so a run leaves no node_modules/.vite/vitest results behind in the user's folders.
    { watch: false, config: false, root, include, passWithNoTests: false, cache: false },
    { plugins: [plugin] },
  );
  try {
    await vitest.start();
  } finally {
    await vitest.close();
  }
  const outcome: RunOutcome | undefined = plugin.api.reporter.lastOutcome;
  // Compared as real paths: Vitest may name a module by its real path (/private/tmp for /tmp on macOS).
  const seen = new Set([...(outcome?.report?.suites ?? outcome?.partial?.suites ?? []).map((suite) => resolve(root, suite.file)), ...(outcome?.unevaluated ?? []).filter((broken) => broken.kind !== "not-run").map((broken) => broken.file)].map(realPath));
  const notRun = files.filter((file) => !seen.has(realPath(file)));
  // A shard's exit status never depends on its cases' results (it has no gate): 0 once its part is written.
  const code =
    !outcome || outcome.unevaluated.length > 0 || notRun.length > 0
      ? EXIT_INVALID
      : outcome.report?.gate === "fail" || outcome.failed > 0
        ? EXIT_GATE_FAILED
        : EXIT_OK;
  return { stage: "run", code, files, root, outcome, notRun };
}
