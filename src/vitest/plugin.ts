// The Vitest plugin: `plugins: [tunegate()]` makes every *.cases.yaml a test file. The transform hook
// evaluates the suite in Vitest's main process (one model load for the whole run, kept across watch reruns)
// and emits a test module whose tests report the recorded results, mapped back to the YAML lines.
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { defaultInclude } from "vitest/config";
import type { Vitest } from "vitest/node";
import { resolveCacheLocation } from "../cache/location.js";
import type { Engine } from "../engine/engine.js";
import type { Suite } from "../types.js";
import { resolveRemoteEngine, type RemoteEngineChoice } from "../engine/remote/options.js";
import { TunegateError } from "../errors.js";
import { buildSuiteReport } from "../report/build.js";
import { TABLE_MODES, type TableMode } from "../report/terminal.js";
import { formatDiagnostic, hasErrors } from "../suite/diagnostics.js";
import { checkSuiteOverrides, type SuiteOverrides } from "../suite/overrides.js";
import { MAX_SHARDS, type ShardSelector } from "../suite/shards.js";
import { isSuiteFile, searchFiles, SUITE_FILE_GLOB, SUITE_FILE_GLOB_ANY_CASE } from "../suite/suite-files.js";
import { ARM_TITLES, generateListingModule, generateTestModule } from "./codegen.js";
import type { EvaluationSettings, ProgressSink } from "./evaluations.js";
import { buildSuitePayload } from "./payload.js";
import { PayloadFiles } from "./payload-files.js";
import { TunegateReporter, type ReportFiles } from "./reporter.js";

/** The glob the plugin adds to Vitest's `include`: `.cases.yaml` and `.cases.yml` files, in any letter case. */
export const SUITE_FILE_PATTERN = SUITE_FILE_GLOB_ANY_CASE;

export interface TunegatePluginOptions extends SuiteOverrides {
  /** GPU backend: auto (CUDA when present, CPU otherwise), cuda, vulkan, metal or cpu. Env: TUNEGATE_GPU. */
  gpu?: string;
  threads?: number;
  contextSize?: number;
  /** Run the two arms side by side (default on a CPU with 2+ cores and a libuv pool of 2+ threads); false times each arm alone. */
  parallelArms?: boolean;
  /**
   * The engine to run suites on. An Engine object: its owner disposes it (and `gpu` is then the owner's
   * business). A remote server's settings (`{ url, kind?, apiKey?, concurrency?, timeoutMs?, retries? }`):
   * the plugin connects to it. Default: TUNEGATE_ENGINE_URL / TUNEGATE_ENGINE_KIND when set, else a local
   * engine; either is created on the first suite file and disposed when Vitest closes.
   */
  engine?: Engine | RemoteEngineChoice;
  /**
   * The result cache (default on): a case whose result is cached under the same key (engine, model and adapter
   * content, scale, scoring, prompt, labels) is not run again. false turns it off (`--no-cache`).
   */
  cache?: boolean;
  /**
   * The cache folder, relative to the working directory; default TUNEGATE_CACHE_DIR, else
   * node_modules/.cache/tunegate under Vitest's root (not used under GitHub Actions: see the README).
   */
  cacheDir?: string;
  /** Where the reporter writes the JSON report, the Markdown summary and the HTML report (relative to Vitest's root). */
  report?: ReportFiles;
  /** Add tunegate's reporter (the comparison table and verdicts) to Vitest's reporters; default true. */
  reporter?: boolean;
  /** Which cases the terminal table lists: "misses" (default: cases an arm missed or the arms disagree on), "all" or "none". */
  table?: TableMode;
  /**
   * Vitest's reporters beside tunegate's, when the config names none: default ["default"], plus
   * "github-actions" on GitHub (the Action passes ["default"], since it writes its own annotations).
   */
  vitestReporters?: string[];
  /**
   * Run one shard of every suite's cases (`tunegate run --shard i/n`): `{ index: 1, count: 3 }` runs shard 1 of
   * 3. Its JSON report is then a partial one with no verdict, for `tunegate merge`.
   */
  shard?: ShardSelector;
}

/** The assertions module the generated tests import, beside this file (.ts in the checkout's tests, .js when built). */
const ASSERTIONS_MODULE = fileURLToPath(new URL(`./assertions${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
/** Stack frames in the assertions module, as compiled and as source-mapped back to src/, which failures should not show. */
const ASSERTION_FRAMES = new Set([ASSERTIONS_MODULE, ASSERTIONS_MODULE.replace(/([\\/])dist\1src\1/, "$1src$1").replace(/\.js$/, ".ts")]);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Progress lines: on a terminal every few seconds for a long arm, elsewhere one line per finished arm. */
function progressPrinter(log: () => (line: string) => void): ProgressSink {
  const lastPrinted = new Map<string, number>();
  return ({ suite, arm, done, total, elapsedMs }) => {
    const key = `${suite}\u0000${arm}`;
    if (done === total) {
      log()(`tunegate ▸ ${suite} · ${ARM_TITLES[arm]} arm: ${total} cases in ${seconds(elapsedMs)}`);
      lastPrinted.delete(key);
      return;
    }
    if (!process.stdout.isTTY) return;
    const last = lastPrinted.get(key) ?? 0;
    if (elapsedMs - last < 3000) return;
    lastPrinted.set(key, elapsedMs);
    log()(`tunegate ▸ ${suite} · ${ARM_TITLES[arm]} ${done}/${total} cases (${seconds(elapsedMs)})`);
  };
}

/**
 * Suite files below the root when no project's test.include takes in any of them (a project that sets its own
 * include, e.g. ["src/**\/*.test.ts"]), or none. Some suites left out is a choice (fixtures); all is a mistake.
 */
function suitesLeftOut(vitest: Vitest): string[] {
  const suites = searchFiles(SUITE_FILE_GLOB, vitest.config.root);
  if (suites.length === 0) return [];
  const included = suites.some((file) => vitest.projects.some((project) => project.matchesTestGlob(file)));
  return included ? [] : suites;
}

export type TunegatePlugin = Plugin & { api: { reporter: TunegateReporter } };

/**
 * Whether this process is `vitest list`, which collects tests without running them: suites are then turned
 * into their tests' names without evaluating them, so listing never loads or runs a model. Vitest tells a
 * plugin nothing about the command, so it is read from the command line (`vitest [options] list ...`).
 */
export function isVitestList(argv: readonly string[] = process.argv): boolean {
  const [script, ...args] = argv.slice(1);
  if (script === undefined || !/vitest/i.test(script)) return false;
  return args.find((arg) => !arg.startsWith("-")) === "list";
}

/** Refuses override options the suite schema would refuse in a suite file, naming the option. */
function checkOverrideOptions(options: TunegatePluginOptions): void {
  const problems = checkSuiteOverrides(options).map((problem) =>
    problem.kind === "order"
      ? `options \`withinPoints\` (${problem.withinPoints}) and \`loraWinsPoints\` (${problem.loraWinsPoints}): withinPoints must be below loraWinsPoints; the gray zone lies between them`
      : `option \`${problem.key}\` must be ${problem.allowed}, got ${typeof problem.value === "string" ? JSON.stringify(problem.value) : String(problem.value)}`,
  );
  if (options.table !== undefined && !(TABLE_MODES as readonly unknown[]).includes(options.table)) {
    problems.push(`option \`table\` must be one of ${TABLE_MODES.join(", ")}, got ${JSON.stringify(options.table)}`);
  }
  const shard = options.shard;
  if (shard !== undefined && !(Number.isInteger(shard.count) && shard.count >= 1 && shard.count <= MAX_SHARDS && Number.isInteger(shard.index) && shard.index >= 1 && shard.index <= shard.count)) {
    problems.push(`option \`shard\` must be { index, count } with whole numbers 1 ≤ index ≤ count ≤ ${MAX_SHARDS}, got ${JSON.stringify(shard)}`);
  }
  if (problems.length > 0) {
    throw new TunegateError("BAD_OPTION", `tunegate(): ${problems.join("; ")}`, { hint: "fix the options passed to tunegate() in your Vitest config" });
  }
}

function isEngine(value: TunegatePluginOptions["engine"]): value is Engine {
  return typeof value === "object" && value !== null && typeof (value as Engine).runSuite === "function";
}

export function tunegate(options: TunegatePluginOptions = {}): TunegatePlugin {
  checkOverrideOptions(options);
  const settings: EvaluationSettings = {
    run: {
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
      ...(options.parallelArms !== undefined ? { parallelArms: options.parallelArms } : {}),
    },
    overrides: {
      ...(options.callsPerDay !== undefined ? { callsPerDay: options.callsPerDay } : {}),
      ...(options.withinPoints !== undefined ? { withinPoints: options.withinPoints } : {}),
      ...(options.loraWinsPoints !== undefined ? { loraWinsPoints: options.loraWinsPoints } : {}),
      ...(options.volumeThreshold !== undefined ? { volumeThreshold: options.volumeThreshold } : {}),
      ...(options.failOn !== undefined ? { failOn: options.failOn } : {}),
      ...(options.misses !== undefined ? { misses: options.misses } : {}),
    },
    ...(options.shard !== undefined ? { shard: options.shard } : {}),
  };
  // One engine for the plugin's life: watch reruns reuse the models it loaded.
  const given = isEngine(options.engine) ? options.engine : undefined;
  const remote = given ? undefined : resolveRemoteEngine(options.engine as RemoteEngineChoice | undefined);
  let engine: Engine | undefined = given;
  let creating: Promise<Engine> | undefined;
  // Remote engines named by suites' own `engine:` blocks (when no run option names one), one per setting.
  const suiteEngines = new Map<string, Promise<Engine>>();
  const engineForSuites = (): Promise<Engine> => {
    if (engine) return Promise.resolve(engine);
    // Loaded on first use: node-llama-cpp has a top-level await, which require() cannot load, and a
    // CommonJS vitest.config loads this plugin with require().
    creating ??= remote
      ? import("../engine/remote/replicas.js").then(({ openRemoteEngine }) => {
          engine = openRemoteEngine(remote);
          return engine;
        })
      : import("../engine/local/local-engine.js").then(({ createLocalEngine }) => {
          engine = createLocalEngine(options.gpu !== undefined ? { gpu: options.gpu } : {});
          return engine;
        });
    return creating;
  };
  /** The engine a suite runs on: a run option's, else the suite's own `engine:` block, else the default. */
  const uncachedEngineFor = (suite: Suite): Promise<Engine> => {
    const block = suite.engine;
    if (given || remote || block === undefined) return engineForSuites();
    // On GitHub Actions the suite may be a stranger's: its own server could invent the scores the gate reads.
    if (process.env.GITHUB_ACTIONS === "true") {
      return Promise.reject(
        new TunegateError("ENGINE_UNTRUSTED", "a suite's own `engine:` block is not used on GitHub Actions: a pull request could point the gate at a server it controls", {
          location: block.location,
          hint: "name the server in the workflow instead (the Action's engine-url input, --engine-url or TUNEGATE_ENGINE_URL), which takes precedence over the block",
        }),
      );
    }
    const { location: _location, ...settings } = block;
    const key = JSON.stringify(settings);
    let found = suiteEngines.get(key);
    if (!found) {
      found = import("../engine/remote/replicas.js").then(({ openRemoteEngine }) => openRemoteEngine(settings));
      suiteEngines.set(key, found);
      found.catch(() => suiteEngines.delete(key));
    }
    return found;
  };
  // The result cache in front of the engine, made once per engine (it needs Vitest's root): one object, so
  // suites queue on it one at a time.
  let cached = new WeakMap<Engine, Promise<Engine>>();
  const engineFor = async (suite: Suite): Promise<Engine> => {
    const inner = await uncachedEngineFor(suite);
    let front = cached.get(inner);
    if (!front) {
      front = cacheInFrontOf(inner);
      cached.set(inner, front);
    }
    return front;
  };
  const cacheInFrontOf = async (inner: Engine): Promise<Engine> => {
    const location = resolveCacheLocation(
      { ...(options.cache !== undefined ? { enabled: options.cache } : {}), ...(options.cacheDir !== undefined ? { dir: options.cacheDir } : {}) },
      { root: vitest?.config.root ?? process.cwd(), cwd: process.cwd(), env: process.env },
    );
    if (!location.on) {
      if (location.note) log()(`tunegate ▸ ${location.note}`);
      return inner;
    }
    const { withResultCache } = await import("../cache/caching-engine.js");
    return withResultCache(inner, { dir: location.dir, shownDir: location.shown, log: (line) => log()(line) });
  };
  const reporter = new TunegateReporter(options.report ?? {}, { modelLoads: () => engine?.modelLoads ?? 0 }, options.table);
  let vitest: Vitest | undefined;
  const log = () => (line: string) => (vitest ? vitest.logger.log(line) : console.error(line));
  const progress = progressPrinter(log);
  const payloads = new PayloadFiles();
  let userSelectsTestFiles = false;
  const listing = isVitestList();

  return {
    name: "tunegate",
    enforce: "pre",
    api: { reporter },

    config(user) {
      const test = (user as { test?: { include?: unknown; exclude?: unknown; dir?: unknown; reporters?: unknown; onStackTrace?: unknown } }).test ?? {};
      // Otherwise the include below takes in every suite file.
      userSelectsTestFiles = test.include !== undefined || test.exclude !== undefined || test.dir !== undefined;
      const reporters = options.reporter === false ? [] : [reporter];
      const defaults = options.vitestReporters ?? (process.env.GITHUB_ACTIONS === "true" ? ["default", "github-actions"] : ["default"]);
      return {
        test: {
          ...(test.include === undefined ? { include: [...defaultInclude, SUITE_FILE_PATTERN] } : {}),
          includeTaskLocation: true,
          // Vite concatenates arrays from plugins: add ours to the user's, or to Vitest's defaults when none.
          ...(reporters.length > 0 ? { reporters: test.reporters === undefined ? [...defaults, ...reporters] : reporters } : {}),
          // Failures thrown by the assertions point at the generated line, i.e. the YAML, not at tunegate's code.
          ...(test.onStackTrace === undefined ? { onStackTrace: (_error: unknown, frame: { file: string }) => !ASSERTION_FRAMES.has(frame.file) } : {}),
        },
      } as Record<string, unknown>;
    },

    configureVitest(context: { vitest: Vitest }) {
      vitest = context.vitest;
      // A `--reporter` on the command line replaces the configured reporters, ours included; without it there
      // would be no table, no verdict and no report files, and the run would pass unnoticed. Put it back.
      if (options.reporter !== false) {
        const reporters = vitest.config.reporters as unknown[];
        if (!reporters.includes(reporter)) reporters.push(reporter);
      }
      reporter.notIncluded = userSelectsTestFiles ? suitesLeftOut(vitest) : [];
      vitest.onClose(async () => {
        payloads.removeAll();
        cached = new WeakMap();
        if (given) return;
        const created = await creating?.catch(() => undefined);
        // A plugin that outlives this Vitest (a restart) starts a fresh engine on its next suite file.
        engine = undefined;
        creating = undefined;
        await created?.dispose();
        const remotes = [...suiteEngines.values()];
        suiteEngines.clear();
        for (const made of await Promise.all(remotes.map((p) => p.catch(() => undefined)))) await made?.dispose();
      });
    },

    async transform(yaml, id) {
      const file = id.split("?")[0]!;
      if (!isSuiteFile(file)) return null;
      if (listing) {
        const { loadSuiteFromText } = await import("../suite/loader.js");
        const loaded = await loadSuiteFromText(yaml, file, { checkModelFiles: false });
        if (!loaded.suite) {
          const errors = loaded.diagnostics.filter((d) => d.severity === "error");
          this.error({ message: `invalid suite\n${errors.map((d) => formatDiagnostic(d)).join("\n")}`, id: errors[0]!.location.file, loc: { line: errors[0]!.location.line, column: errors[0]!.location.column - 1 } });
        }
        const generated = generateListingModule(loaded.suite, yaml);
        return { code: generated.code, map: generated.map };
      }
      const { evaluateSuiteText, referencedFiles } = await import("./evaluations.js");
      const evaluation = await evaluateSuiteText(engineFor, yaml, file, settings, progress);
      for (const diagnostic of evaluation.diagnostics) {
        if (diagnostic.severity === "warning") log()(`tunegate ▸ ${formatDiagnostic(diagnostic)}`);
      }
      if (evaluation.kind === "invalid") {
        const errors = evaluation.diagnostics.filter((d) => d.severity === "error");
        const first = errors[0]!;
        this.error({
          message: `invalid suite\n${errors.map((d) => formatDiagnostic(d)).join("\n")}`,
          id: first.location.file,
          loc: { line: first.location.line, column: first.location.column - 1 },
        });
      }
      if (evaluation.kind === "failed") {
        for (const path of referencedFiles(evaluation.suite)) this.addWatchFile(path);
        const where = evaluation.error.location ?? { file, line: 1, column: 1 };
        this.error({ message: evaluation.error.describe(), id: where.file, loc: { line: where.line, column: where.column - 1 } });
      }
      if (hasErrors(evaluation.diagnostics) || evaluation.kind !== "done") return null;
      for (const path of referencedFiles(evaluation.run.suite)) this.addWatchFile(path);
      const payload = buildSuitePayload(evaluation.run, evaluation.run.shard ? undefined : buildSuiteReport(evaluation.run));
      const generated = generateTestModule(payload, await payloads.write(payload), yaml, ASSERTIONS_MODULE);
      return { code: generated.code, map: generated.map };
    },
  };
}
