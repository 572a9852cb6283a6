// `tunegate run [suites...]`: the same Vitest run a developer gets from `vitest` with the plugin, started
// programmatically (src/run/suites.ts). Suites are validated first, so a bad file stops the run with exit 2
// before any model loads.
import { parseArgs } from "node:util";
import { formatDiagnostic } from "../suite/diagnostics.js";
import { checkSuiteOverrides } from "../suite/overrides.js";
import type { FailOn, MissPolicy } from "../types.js";
import type { TunegatePluginOptions } from "../vitest/plugin.js";
import { EXIT_INVALID, EXIT_OK, type CliIO } from "../run/io.js";
import { runSuites, type RunArguments, type SuitesRun } from "../run/suites.js";

export const runUsage = `Usage: tunegate run [suites, globs or folders...] [options]

Runs each suite's few-shot and LoRA arms through llama.cpp as Vitest tests, prints the side-by-side
table and the verdict, and exits with the gate. Without arguments: every *.cases.yaml below here.

Options:
  --json FILE               write the JSON report (schema/report.schema.json)
  --markdown FILE           write the Markdown summary
  --volume N                production calls a day, for every suite
  --within-points N         |LoRA − few-shot| ≤ N points: ship the prompt (default 5)
  --lora-wins-points N      LoRA ahead by ≥ N points ... (default 15)
  --volume-threshold N      ... at ≥ N calls a day: the fine-tune pays off (default 100000)
  --fail-on VERDICT         fine-tune | gray-zone | never: which verdict fails the gate
  --misses warn|fail        whether a missed case (not \`must\`) fails its test
  --gpu BACKEND             auto | cuda | vulkan | metal | cpu (default auto; env TUNEGATE_GPU)
  --threads N               threads per context (default: chosen by model size)
  --context-size N          context size (default: just enough for the longest prompt)
  --sequential-arms         run the arms one after the other, so each arm's latency is timed alone
                            (default on a CPU with 2+ cores: side by side, a core each, faster)
  -h, --help                show this help

Exit status: 0 gate pass or warn, 1 gate failed (or a must case missed), 2 invalid input.`;

const FAIL_ON: readonly FailOn[] = ["fine-tune", "gray-zone", "never"];
const MISSES: readonly MissPolicy[] = ["warn", "fail"];

class UsageError extends Error {}

function numberOption(name: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`--${name} must be ${integer ? "a whole number" : "a number"} ≥ 0, got "${value}"`);
  }
  return number;
}

function choiceOption<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got "${value}"`);
  return value as T;
}

export function parseRunArguments(args: string[]): RunArguments | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: "string" },
        markdown: { type: "string" },
        volume: { type: "string" },
        "within-points": { type: "string" },
        "lora-wins-points": { type: "string" },
        "volume-threshold": { type: "string" },
        "fail-on": { type: "string" },
        misses: { type: "string" },
        gpu: { type: "string" },
        threads: { type: "string" },
        "context-size": { type: "string" },
        "sequential-arms": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return "help";
  const plugin: TunegatePluginOptions = {
    report: { ...(v.json ? { json: v.json } : {}), ...(v.markdown ? { markdown: v.markdown } : {}) },
  };
  const assign = <K extends keyof TunegatePluginOptions>(key: K, value: TunegatePluginOptions[K] | undefined) => {
    if (value !== undefined) plugin[key] = value;
  };
  assign("callsPerDay", numberOption("volume", v.volume));
  assign("withinPoints", numberOption("within-points", v["within-points"]));
  assign("loraWinsPoints", numberOption("lora-wins-points", v["lora-wins-points"]));
  assign("volumeThreshold", numberOption("volume-threshold", v["volume-threshold"]));
  assign("failOn", choiceOption("fail-on", v["fail-on"], FAIL_ON));
  assign("misses", choiceOption("misses", v.misses, MISSES));
  assign("gpu", choiceOption("gpu", v.gpu?.toLowerCase(), ["auto", "cuda", "vulkan", "metal", "cpu"]));
  const threads = numberOption("threads", v.threads, true);
  if (threads === 0) throw new UsageError("--threads must be at least 1");
  assign("threads", threads);
  assign("contextSize", numberOption("context-size", v["context-size"], true));
  if (v["sequential-arms"]) plugin.parallelArms = false;
  const problem = checkSuiteOverrides(plugin);
  if (problem) throw new UsageError(problem);
  return { suites: parsed.positionals, plugin };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed: RunArguments | "help";
  try {
    parsed = parseRunArguments(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`tunegate run: ${error.message}`);
    io.stderr("Run `tunegate run --help` for usage.");
    return EXIT_INVALID;
  }
  if (parsed === "help") {
    io.stdout(runUsage);
    return EXIT_OK;
  }
  const result = await runSuites(parsed, io);
  printProblems(result, io);
  return result.code;
}

/** What stopped a run before Vitest; Vitest and the plugin's reporter print the rest themselves. */
function printProblems(result: SuitesRun, io: CliIO): void {
  if (result.stage === "paths") {
    for (const pattern of result.unmatched) io.stderr(`tunegate: no suite files (*.cases.yaml) match ${pattern}`);
  } else if (result.stage === "validation") {
    for (const diagnostic of result.errors) io.stderr(formatDiagnostic(diagnostic, io.cwd));
    io.stderr("tunegate: fix the errors above (`tunegate validate` checks suites without running them)");
  }
}
