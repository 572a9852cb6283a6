// The Action's inputs: their names and defaults (action.yml declares the same; a test keeps the two in step),
// and the parsing of the raw strings the runner hands over into checked values. Parsing is pure so every
// rule can be tested without a runner; each problem names the input it comes from.
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { describeInvalidGlob, globProblem, isGlob } from "../run/suite-paths.js";
import { GPU_CHOICES, REMOTE_ENGINE_KINDS } from "../engine/engine.js";
import { checkSuiteOverrides, OVERRIDE_OPTIONS, overrideRange, type NumberOverrideKey, type OverrideKey, type SuiteOverrides } from "../suite/overrides.js";
import { liesWithin } from "../suite/confine.js";
import { SUITE_FILE_GLOB } from "../suite/suite-files.js";
import { failed, ok, type Result } from "../types.js";

/**
 * Every input of action.yml with the default the entry applies when the variable is absent or empty (the
 * composite action passes action.yml's defaults, but the entry also runs on its own, e.g. `npx tunegate action`).
 * `github-token` defaults to `${{ github.token }}` in action.yml; the entry itself has no way to know it.
 */
export const INPUT_DEFAULTS = {
  suites: SUITE_FILE_GLOB,
  merge: "",
  "working-directory": ".",
  volume: "",
  "within-points": "",
  "lora-wins-points": "",
  "volume-threshold": "",
  "fail-on": "",
  misses: "",
  gpu: "",
  cache: "true",
  "cache-dir": "",
  "engine-url": "",
  "engine-kind": "",
  "engine-model-base": "",
  "engine-model-lora": "",
  baseline: "",
  "max-regression-points": "",
  "report-path": "tunegate-report.json",
  "html-path": "",
  comment: "false",
  "github-token": "",
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;
export const INPUT_NAMES = Object.keys(INPUT_DEFAULTS) as InputName[];

/** The environment variable the runner sets for an input: INPUT_ + the name upper-cased, hyphens kept. */
export function inputVariable(name: InputName): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

export interface ActionInputs {
  /** Suite files, folders or globs, relative to `workingDirectory`. */
  suites: string[];
  /**
   * Part files or globs of a sharded run (`tunegate run --shard i/n --json`), relative to `workingDirectory`:
   * when given, the step merges them instead of running suites. Empty: run the suites.
   */
  merge: string[];
  /** Absolute. */
  workingDirectory: string;
  overrides: SuiteOverrides;
  gpu: string | undefined;
  /** false: no result cache at all. */
  cache: boolean;
  /** Absolute path of the result cache folder, if one was given (on GitHub Actions there is none otherwise). */
  cacheDir: string | undefined;
  /** A server to run both arms on (llama-server), and its kind; undefined: in-process (or TUNEGATE_ENGINE_URL). */
  engineUrl: string | undefined;
  engineKind: string | undefined;
  /** Served model names of the arms, where the engine names them (vLLM, SGLang, openai). */
  engineModels: { base?: string; lora?: string } | undefined;
  /** Absolute path of the baseline JSON report, if one was given. */
  baseline: string | undefined;
  maxRegressionPoints: number | undefined;
  /** Absolute path the JSON report is written to. */
  reportPath: string;
  /** Absolute path of the HTML report, if one was asked for. */
  htmlPath: string | undefined;
  comment: boolean;
  githubToken: string;
}

/** Inputs that change how suites run or what their parts hold, so a merge step cannot apply them. */
const RUN_ONLY_INPUTS = ["volume", "within-points", "lora-wins-points", "volume-threshold", "fail-on", "misses", "gpu", "cache-dir", "engine-url", "engine-kind"] as const satisfies readonly InputName[];

/** Reads one raw input; empty means "not given". */
export type RawInputs = (name: InputName) => string;

/** What each number override expects, in its problem message; the ranges are the suite schema's. */
const OVERRIDE_EXPECTED: Record<NumberOverrideKey, string> = {
  callsPerDay: `calls a day, a number ${overrideRange("callsPerDay")} (digits only, e.g. 120000)`,
  withinPoints: `a number of percentage points ${overrideRange("withinPoints")}`,
  loraWinsPoints: `a number of percentage points ${overrideRange("loraWinsPoints")}`,
  volumeThreshold: `calls a day, a number ${overrideRange("volumeThreshold")} (digits only, e.g. 100000)`,
};

/**
 * Readers with @actions/core's rules (getInput, getMultilineInput, getBooleanInput), so the entry reads its
 * inputs as a JavaScript action does. A bare RawInputs gets the same rules from `readersOf`.
 */
export interface InputReaders {
  text: RawInputs;
  /** The value's lines, each trimmed. */
  lines: (name: InputName) => string[];
  /** Throws unless the value is a YAML 1.2 core-schema boolean. */
  boolean: (name: InputName) => boolean;
}

const PLAIN_NUMBER = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_WORDS = ["true", "True", "TRUE"];
const FALSE_WORDS = ["false", "False", "FALSE"];

/**
 * Checks and converts every input. Relative paths: `working-directory` against the workspace, `baseline`
 * `report-path` and `html-path` against the working directory (where the suites' globs are matched too).
 */
export function parseActionInputs(source: RawInputs | InputReaders, workspace: string): Result<ActionInputs, string> {
  const read = typeof source === "function" ? readersOf(source) : source;
  const found: Array<{ name: InputName; message: string }> = [];
  const text = (name: InputName): string => {
    const value = read.text(name).trim();
    return value === "" ? INPUT_DEFAULTS[name] : value;
  };
  const problem = (name: InputName, expected: string, got: string): undefined => {
    found.push({ name, message: `Input \`${name}\`: expected ${expected}, got "${got}".` });
    return undefined;
  };

  const number = (name: InputName, expected: string, max = Infinity): number | undefined => {
    const value = text(name);
    if (value === "") return undefined;
    const parsed = Number(value);
    if (!PLAIN_NUMBER.test(value) || !Number.isFinite(parsed) || parsed > max) return problem(name, expected, value);
    return parsed;
  };
  const choice = <T extends string>(name: InputName, choices: readonly T[]): T | undefined => {
    const value = text(name).toLowerCase();
    if (value === "") return undefined;
    if (!(choices as readonly string[]).includes(value)) return problem(name, `one of ${choices.join(", ")}`, text(name));
    return value as T;
  };
  const lowerCase = (name: InputName): string | undefined => text(name).toLowerCase() || undefined;
  const points = "a number of percentage points from 0 to 100";

  const suites = read.lines("suites").filter((line) => line !== "");
  for (const pattern of suites) {
    const invalid = isGlob(pattern) ? globProblem(pattern) : undefined;
    if (invalid !== undefined) found.push({ name: "suites", message: `Input \`suites\`: ${describeInvalidGlob({ pattern, problem: invalid })}.` });
  }
  const merge = read.lines("merge").filter((line) => line !== "");
  for (const pattern of merge) {
    const invalid = isGlob(pattern) ? globProblem(pattern) : undefined;
    if (invalid !== undefined) found.push({ name: "merge", message: `Input \`merge\`: ${describeInvalidGlob({ pattern, problem: invalid })}.` });
  }
  const workingDirectory = resolve(workspace, text("working-directory"));
  const given = {
    callsPerDay: number(OVERRIDE_OPTIONS.callsPerDay, OVERRIDE_EXPECTED.callsPerDay),
    withinPoints: number(OVERRIDE_OPTIONS.withinPoints, OVERRIDE_EXPECTED.withinPoints),
    loraWinsPoints: number(OVERRIDE_OPTIONS.loraWinsPoints, OVERRIDE_EXPECTED.loraWinsPoints),
    volumeThreshold: number(OVERRIDE_OPTIONS.volumeThreshold, OVERRIDE_EXPECTED.volumeThreshold),
    failOn: lowerCase(OVERRIDE_OPTIONS.failOn),
    misses: lowerCase(OVERRIDE_OPTIONS.misses),
  };
  for (const override of checkSuiteOverrides(given)) {
    if (override.kind === "order") {
      found.push({
        name: OVERRIDE_OPTIONS.withinPoints,
        message: `Inputs \`within-points\` (${override.withinPoints}) and \`lora-wins-points\` (${override.loraWinsPoints}): within-points must be below lora-wins-points; the gray zone lies between them.`,
      });
    } else {
      const name = OVERRIDE_OPTIONS[override.key];
      const expected: Partial<Record<OverrideKey, string>> = OVERRIDE_EXPECTED;
      problem(name, expected[override.key] ?? override.allowed, text(name));
    }
  }
  const gpu = choice("gpu", GPU_CHOICES);
  const engineKind = choice("engine-kind", REMOTE_ENGINE_KINDS);
  const engineUrl = text("engine-url").trim();
  if (engineUrl !== "" && !engineUrl.split(/[\s,]+/).filter(Boolean).every((url) => /^https?:\/\/\S+$/i.test(url))) problem("engine-url", "an http:// or https:// URL (replicas: several, separated by commas)", "(not shown)");
  const modelBase = text("engine-model-base").trim();
  const modelLora = text("engine-model-lora").trim();
  const engineModels = modelBase !== "" || modelLora !== "" ? { ...(modelBase !== "" ? { base: modelBase } : {}), ...(modelLora !== "" ? { lora: modelLora } : {}) } : undefined;
  const maxRegressionPoints = number("max-regression-points", points, 100);
  const baseline = text("baseline");
  const reportPath = text("report-path");
  const htmlPath = text("html-path");

  let cache: boolean | undefined;
  try {
    cache = read.text("cache").trim() === "" ? true : read.boolean("cache");
  } catch {
    problem("cache", "true or false", text("cache"));
  }
  const cacheDir = text("cache-dir");
  // Results in a folder the pull request can write would pass for measured ones (see README, Security).
  if (cacheDir.trim() !== "" && insideFolder(resolve(workingDirectory, cacheDir), workspace)) {
    problem("cache-dir", "a folder outside the workspace (e.g. under runner.temp): a pull request could commit forged results inside it", cacheDir);
  }

  let comment: boolean | undefined;
  try {
    comment = read.text("comment").trim() === "" ? false : read.boolean("comment");
  } catch {
    problem("comment", "true or false", text("comment"));
  }
  if (merge.length > 0) {
    // The shards applied these when they ran (they are part of each part's suite content): here they would be ignored.
    for (const name of RUN_ONLY_INPUTS) {
      if (text(name) !== "") found.push({ name, message: `Input \`${name}\`: not used with \`merge\`, which reports what the shards ran; give it to the shard jobs' \`tunegate run --shard\` instead.` });
    }
  }
  if (/[\\/]$/.test(reportPath)) problem("report-path", "a file path for the JSON report, not a folder", reportPath);
  if (/[\\/]$/.test(htmlPath)) problem("html-path", "a file path for the HTML report, not a folder", htmlPath);

  if (found.length > 0) {
    // In the order action.yml lists the inputs, however they were found.
    const order = (name: InputName) => INPUT_NAMES.indexOf(name);
    return failed(found.sort((a, b) => order(a.name) - order(b.name)).map((p) => p.message));
  }
  // Checked above against the suite schema.
  const overrides = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as SuiteOverrides;
  return ok({
    suites: suites.length > 0 ? suites : [INPUT_DEFAULTS.suites],
    merge,
    workingDirectory,
    overrides,
    gpu,
    cache: cache !== false,
    cacheDir: cacheDir === "" ? undefined : resolve(workingDirectory, cacheDir),
    engineUrl: engineUrl === "" ? undefined : engineUrl,
    engineKind,
    engineModels,
    baseline: baseline === "" ? undefined : resolve(workingDirectory, baseline),
    maxRegressionPoints,
    reportPath: resolve(workingDirectory, reportPath),
    htmlPath: htmlPath === "" ? undefined : resolve(workingDirectory, htmlPath),
    comment: comment === true,
    githubToken: read.text("github-token").trim(),
  });
}

/** @actions/core's reading rules over a plain lookup. */
function readersOf(raw: RawInputs): InputReaders {
  return {
    text: raw,
    lines: (name) =>
      raw(name)
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.trim()),
    boolean: (name) => {
      const value = raw(name).trim();
      if (TRUE_WORDS.includes(value)) return true;
      if (FALSE_WORDS.includes(value)) return false;
      throw new TypeError(`Input ${name} is not a YAML 1.2 core-schema boolean`);
    },
  };
}

/** Whether `path` (links followed where it exists) lies in `folder` or is it. */
function insideFolder(path: string, folder: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return liesWithin(real(path), real(folder));
}
