// `tunegate run [suites...]`: the same Vitest run a developer gets from `vitest` with the plugin, started
// programmatically (src/run/suites.ts). Suites are validated first, so a bad file stops the run with exit 2
// before any model loads.
import { GPU_CHOICES, REMOTE_ENGINE_KINDS } from "../engine/engine.js";
import { resolveRemoteEngine, type RemoteEngineChoice } from "../engine/remote/options.js";
import { TunegateError, UsageError } from "../errors.js";
import { DEFAULT_TABLE_MODE, TABLE_MODES } from "../report/terminal.js";
import { SUITE_DEFAULTS } from "../suite/defaults.js";
import { parseShardSelector } from "../suite/shards.js";
import { formatDiagnostic } from "../suite/diagnostics.js";
import { checkSuiteOverrides, OVERRIDE_OPTIONS, type OverrideKey, type OverrideProblem, type SuiteOverrides } from "../suite/overrides.js";
import { FAIL_ON_POLICIES, MISS_POLICIES } from "../types.js";
import type { TunegatePluginOptions } from "../vitest/plugin.js";
import { outputGuarded } from "../run/command-guard.js";
import { EXIT_OK, type CliIO } from "../run/io.js";
import { describeInvalidGlob, unmatchedHint } from "../run/suite-paths.js";
import { notRunMessage, runSuites, type RunArguments, type SuitesRun } from "../run/suites.js";
import { parseCommandArgs } from "./args.js";

export const runUsage = `Usage: tunegate run [suites, globs or folders...] [options]

Runs each suite's few-shot and LoRA arms through llama.cpp as Vitest tests, prints the side-by-side
table and the verdict, and exits with the gate. Without arguments: every *.cases.yaml below here.

Options:
  --json FILE               write the JSON report (schema/report.schema.json)
  --markdown FILE           write the Markdown summary
  --html FILE               write the HTML report (charts and every case; one file, no network)
  --volume N                production calls a day, for every suite
  --within-points N         |LoRA − few-shot| ≤ N points: ship the prompt (default ${SUITE_DEFAULTS.gate.withinPoints})
  --lora-wins-points N      LoRA ahead by ≥ N points ... (default ${SUITE_DEFAULTS.gate.loraWinsPoints})
  --volume-threshold N      ... at ≥ N calls a day: the fine-tune pays off (default ${SUITE_DEFAULTS.gate.volumeThreshold})
  --fail-on VERDICT         ${FAIL_ON_POLICIES.join(" | ")}: which verdict fails the gate
  --misses ${MISS_POLICIES.join("|")}        whether a missed case (not \`must\`) fails its test
  --table ${TABLE_MODES.join("|")}   which cases the table lists (default ${DEFAULT_TABLE_MODE}: those an arm
                            missed or the arms disagree on)
  --engine-url URL          run both arms on this server (llama-server, vLLM, SGLang, OpenAI-compatible) instead of in-process
                            (several replicas: URLs separated by commas)
                            (env TUNEGATE_ENGINE_URL)
  --engine-kind KIND        ${REMOTE_ENGINE_KINDS.join(" | ")} (default: detected; env TUNEGATE_ENGINE_KIND)
  --engine-concurrency N    requests in flight at once (default: the server's slot count)
  --engine-model-base NAME  the served name of the base model (vLLM, SGLang, openai; default: matched by path)
  --engine-model-lora NAME  the served name of the adapter or fine-tune (vLLM, SGLang, openai)
  --gpu BACKEND             ${GPU_CHOICES.join(" | ")} (default auto; env TUNEGATE_GPU)
  --threads N               threads per context (default: chosen by model size)
  --context-size N          context size (default: just enough for the longest prompt)
  --sequential-arms         run the arms one after the other, so each arm's latency is timed alone
                            (on a CPU they run side by side by default, one context each on half
                            the cores; see README "How the engine measures")
  --shard I/N               run only shard I of N of every suite's cases (a stable hash of each case
                            picks its shard) and write a partial --json report with no verdict;
                            \`tunegate merge\` of all N parts builds the report (--html is merge's)
  --no-cache                run every case, reading and writing no result cache
  --cache-dir DIR           the result cache folder (default: env TUNEGATE_CACHE_DIR, else
                            node_modules/.cache/tunegate here; none by default on GitHub Actions)
  -h, --help                show this help

Exit status: 0 gate pass or warn, 1 gate failed (or a must case missed), 2 invalid input.
With --shard: 0 once the part is written, whatever its cases' results (a shard has no gate), 2 invalid
input or a suite not evaluated, 1 tunegate failed.`;

function numberOption(name: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`--${name} must be ${integer ? "a whole number" : "a number"} ≥ 0, got "${value}"`);
  }
  return number;
}

/** A number flag's text as a number; what the number may be is the overrides' check. */
function numberText(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  return number;
}

function describeOverrideProblem(problem: OverrideProblem, written: Partial<Record<OverrideKey, string>>): string {
  if (problem.kind === "order") {
    return `--${OVERRIDE_OPTIONS.withinPoints} (${problem.withinPoints}) must be below --${OVERRIDE_OPTIONS.loraWinsPoints} (${problem.loraWinsPoints}); the gray zone lies between them`;
  }
  return `--${OVERRIDE_OPTIONS[problem.key]} must be ${problem.allowed}, got "${written[problem.key]}"`;
}

/** The override flags, converted from text and checked against the suite schema. */
function overrideOptions(values: Partial<Record<string, string | boolean>>): SuiteOverrides {
  const written: Partial<Record<OverrideKey, string>> = {};
  for (const [key, name] of Object.entries(OVERRIDE_OPTIONS) as [OverrideKey, string][]) {
    const value = values[name];
    if (typeof value === "string") written[key] = value;
  }
  const converted = {
    callsPerDay: numberText(OVERRIDE_OPTIONS.callsPerDay, written.callsPerDay),
    withinPoints: numberText(OVERRIDE_OPTIONS.withinPoints, written.withinPoints),
    loraWinsPoints: numberText(OVERRIDE_OPTIONS.loraWinsPoints, written.loraWinsPoints),
    volumeThreshold: numberText(OVERRIDE_OPTIONS.volumeThreshold, written.volumeThreshold),
    failOn: written.failOn,
    misses: written.misses,
  };
  const problems = checkSuiteOverrides(converted);
  if (problems.length > 0) throw new UsageError(problems.map((problem) => describeOverrideProblem(problem, written)).join("; "));
  return Object.fromEntries(Object.entries(converted).filter(([, value]) => value !== undefined)) as SuiteOverrides;
}

function choiceOption<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got "${value}"`);
  return value as T;
}

export function parseRunArguments(args: string[]): RunArguments | "help" {
  const parsed = parseCommandArgs(args, {
    json: { type: "string" },
    markdown: { type: "string" },
    html: { type: "string" },
    volume: { type: "string" },
    "within-points": { type: "string" },
    "lora-wins-points": { type: "string" },
    "volume-threshold": { type: "string" },
    "fail-on": { type: "string" },
    misses: { type: "string" },
    table: { type: "string" },
    gpu: { type: "string" },
    "engine-url": { type: "string" },
    "engine-kind": { type: "string" },
    "engine-concurrency": { type: "string" },
    "engine-model-base": { type: "string" },
    "engine-model-lora": { type: "string" },
    threads: { type: "string" },
    "context-size": { type: "string" },
    "sequential-arms": { type: "boolean", default: false },
    "no-cache": { type: "boolean", default: false },
    "cache-dir": { type: "string" },
    shard: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  const v = parsed.values;
  if (v.help) return "help";
  const plugin: TunegatePluginOptions = {
    ...overrideOptions(v),
    report: { ...(v.json ? { json: v.json } : {}), ...(v.markdown ? { markdown: v.markdown } : {}), ...(v.html ? { html: v.html } : {}) },
  };
  const assign = <K extends keyof TunegatePluginOptions>(key: K, value: TunegatePluginOptions[K] | undefined) => {
    if (value !== undefined) plugin[key] = value;
  };
  assign("gpu", choiceOption("gpu", v.gpu?.toLowerCase(), GPU_CHOICES));
  assign("table", choiceOption("table", v.table, TABLE_MODES));
  const threads = numberOption("threads", v.threads, true);
  if (threads === 0) throw new UsageError("--threads must be at least 1");
  assign("threads", threads);
  assign("contextSize", numberOption("context-size", v["context-size"], true));
  if (v["sequential-arms"]) plugin.parallelArms = false;
  if (v["no-cache"] && v["cache-dir"] !== undefined) throw new UsageError("--no-cache and --cache-dir contradict each other: give one");
  if (v["no-cache"]) plugin.cache = false;
  if (v["cache-dir"] !== undefined) {
    if (v["cache-dir"].trim() === "") throw new UsageError("--cache-dir must name a folder");
    plugin.cacheDir = v["cache-dir"];
  }
  if (v.shard !== undefined) {
    const shard = parseShardSelector(v.shard);
    if (typeof shard === "string") throw new UsageError(`--shard ${shard}`);
    if (v.json === undefined) throw new UsageError("--shard needs --json FILE: the shard's part is what `tunegate merge` reads");
    if (v.html !== undefined) throw new UsageError("--html is not written by a shard (it has no verdict): give it to `tunegate merge`");
    plugin.shard = shard;
  }
  const concurrency = numberOption("engine-concurrency", v["engine-concurrency"], true);
  if (concurrency === 0) throw new UsageError("--engine-concurrency must be at least 1");
  const kind = choiceOption("engine-kind", v["engine-kind"]?.toLowerCase(), REMOTE_ENGINE_KINDS);
  const models = {
    ...(v["engine-model-base"] !== undefined ? { base: v["engine-model-base"] } : {}),
    ...(v["engine-model-lora"] !== undefined ? { lora: v["engine-model-lora"] } : {}),
  };
  for (const [key, name] of Object.entries(models)) if (name.trim() === "") throw new UsageError(`--engine-model-${key} must name a served model`);
  const named = Object.keys(models).length > 0;
  if (v["engine-url"] !== undefined || kind !== undefined || concurrency !== undefined || named) {
    // Without --engine-url the URL comes from TUNEGATE_ENGINE_URL; with neither, the run says so.
    plugin.engine = {
      ...(v["engine-url"] !== undefined ? { url: v["engine-url"] } : {}),
      ...(kind !== undefined ? { kind } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(named ? { models } : {}),
    };
  }
  return { suites: parsed.positionals, plugin };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseRunArguments(args);
  if (parsed === "help") {
    io.stdout(runUsage);
    return EXIT_OK;
  }
  try {
    resolveRemoteEngine(parsed.plugin.engine as RemoteEngineChoice | undefined, io.env);
  } catch (error) {
    if (error instanceof TunegateError) throw new UsageError(error.message, error.hint !== undefined ? { hint: error.hint } : {});
    throw error;
  }
  // Vitest's github-actions reporter prints workflow commands, which the guard would break up into noise.
  if (outputGuarded() && parsed.plugin.vitestReporters === undefined) parsed.plugin.vitestReporters = ["default"];
  const result = await runSuites(parsed, io);
  printProblems(result, io);
  return result.code;
}

/** What stopped a run before Vitest, or what it left out; Vitest and the plugin's reporter print the rest themselves. */
function printProblems(result: SuitesRun, io: CliIO): void {
  if (result.stage === "paths") {
    for (const glob of result.invalid) io.stderr(`tunegate: ${describeInvalidGlob(glob)}`);
    for (const pattern of result.unmatched) io.stderr(`tunegate: no suite files (*.cases.yaml) match ${pattern}${unmatchedHint(pattern, io.cwd)}`);
  } else if (result.stage === "validation") {
    for (const diagnostic of result.errors) io.stderr(formatDiagnostic(diagnostic, io.cwd));
    io.stderr("tunegate: fix the errors above (`tunegate validate` checks suites without running them)");
  } else if (result.stage === "destinations") {
    for (const { report, path, problem } of result.problems) io.stderr(`tunegate: --${report} ${path} ${problem}`);
  } else {
    for (const file of result.notRun) io.stderr(`tunegate: ${notRunMessage(file)}`);
  }
}
