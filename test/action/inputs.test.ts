// The Action's inputs as the runner hands them over (strings, empty when not given) → checked values.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { INPUT_DEFAULTS, INPUT_NAMES, inputVariable, parseActionInputs, type ActionInputs, type InputName } from "../../src/action/inputs.js";
import type { Result } from "../../src/types.js";

const WORKSPACE = resolve("/home/runner/work/repo/repo");
const ROOT = join(import.meta.dirname, "../..");

function parseWith(given: Partial<Record<InputName, string>>): Result<ActionInputs, string> {
  return parseActionInputs((name) => given[name] ?? "", WORKSPACE);
}

function inputs(given: Partial<Record<InputName, string>>) {
  const parsed = parseWith(given);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.value;
}

function problems(given: Partial<Record<InputName, string>>): string[] {
  const parsed = parseWith(given);
  return parsed.ok ? [] : parsed.problems;
}

describe("parseActionInputs", () => {
  it("applies the defaults when nothing is given", () => {
    expect(inputs({})).toEqual({
      suites: ["**/*.cases.{yaml,yml}"],
      merge: [],
      workingDirectory: WORKSPACE,
      overrides: {},
      gpu: undefined,
      cache: true,
      cacheDir: undefined,
      baseline: undefined,
      maxRegressionPoints: undefined,
      reportPath: join(WORKSPACE, "tunegate-report.json"),
      comment: false,
      githubToken: "",
    });
  });

  it("reads the engine's URL and kind", () => {
    expect(inputs({ "engine-url": " http://10.0.0.5:8080 ", "engine-kind": "LLAMA-SERVER" })).toMatchObject({ engineUrl: "http://10.0.0.5:8080", engineKind: "llama-server" });
    expect(inputs({})).toMatchObject({ engineUrl: undefined, engineKind: undefined, engineModels: undefined });
    expect(inputs({ "engine-url": "http://h:1", "engine-model-base": " base-hf ", "engine-model-lora": "support-v3" })).toMatchObject({ engineModels: { base: "base-hf", lora: "support-v3" } });
  });

  it("reads merge's part files one per line, and refuses the inputs a merge cannot apply, naming each", () => {
    expect(inputs({ merge: "parts/*.json\n\n  more/p1.json " }).merge).toEqual(["parts/*.json", "more/p1.json"]);
    expect(problems({ merge: "parts/[z-a].json" })).toEqual([expect.stringMatching(/^Input `merge`: the glob "parts\/\[z-a\]\.json" has an invalid character class/)]);
    expect(problems({ merge: "parts/*.json", "fail-on": "gray-zone", "engine-url": "http://127.0.0.1:8080" })).toEqual([
      "Input `fail-on`: not used with `merge`, which reports what the shards ran; give it to the shard jobs' `tunegate run --shard` instead.",
      "Input `engine-url`: not used with `merge`, which reports what the shards ran; give it to the shard jobs' `tunegate run --shard` instead.",
    ]);
    // Without merge, the same inputs are a run's.
    expect(problems({ "fail-on": "gray-zone", "engine-url": "http://127.0.0.1:8080" })).toEqual([]);
  });

  it("treats blank values as not given", () => {
    expect(inputs({ suites: "  \n \n", volume: "  ", comment: " ", "report-path": "\t" })).toEqual(inputs({}));
  });

  it("reads suites one per line, trimmed, blank lines dropped, spaces inside a path kept", () => {
    expect(inputs({ suites: "suites/a.cases.yaml\r\n\n  evals/**/*.cases.yaml  \nmy suites/b.cases.yaml\n" }).suites).toEqual([
      "suites/a.cases.yaml",
      "evals/**/*.cases.yaml",
      "my suites/b.cases.yaml",
    ]);
  });

  it("resolves working-directory against the workspace, baseline and report-path against the working directory", () => {
    const parsed = inputs({ "working-directory": "ml/evals", baseline: "../main/report.json", "report-path": "out/report.json" });
    expect(parsed.workingDirectory).toBe(join(WORKSPACE, "ml/evals"));
    expect(parsed.baseline).toBe(join(WORKSPACE, "ml/main/report.json"));
    expect(parsed.reportPath).toBe(join(WORKSPACE, "ml/evals/out/report.json"));
    expect(parsed.htmlPath).toBeUndefined();
    expect(inputs({ "working-directory": "ml/evals", "html-path": "out/report.html" }).htmlPath).toBe(join(WORKSPACE, "ml/evals/out/report.html"));
    expect(inputs({ "working-directory": "/abs/dir", "report-path": "/tmp/r.json" })).toMatchObject({ workingDirectory: resolve("/abs/dir"), reportPath: resolve("/tmp/r.json") });
  });

  it("maps the threshold, volume and policy inputs to suite overrides", () => {
    expect(
      inputs({ volume: "120000", "within-points": "2.5", "lora-wins-points": "10", "volume-threshold": "1e5", "fail-on": "Gray-Zone", misses: "FAIL" }).overrides,
    ).toEqual({ callsPerDay: 120000, withinPoints: 2.5, loraWinsPoints: 10, volumeThreshold: 100000, failOn: "gray-zone", misses: "fail" });
    expect(inputs({ volume: "0", "within-points": "0", "lora-wins-points": "100" }).overrides).toEqual({ callsPerDay: 0, withinPoints: 0, loraWinsPoints: 100 });
  });

  it("accepts each gpu backend in any case, and the regression limit", () => {
    for (const gpu of ["auto", "cuda", "vulkan", "metal", "cpu", "CUDA"]) expect(inputs({ gpu }).gpu).toBe(gpu.toLowerCase());
    expect(inputs({ "max-regression-points": "2" }).maxRegressionPoints).toBe(2);
  });

  it("reads comment as a YAML 1.2 boolean, and keeps the token", () => {
    for (const word of ["true", "True", "TRUE"]) expect(inputs({ comment: word }).comment).toBe(true);
    for (const word of ["false", "False", "FALSE"]) expect(inputs({ comment: word }).comment).toBe(false);
    expect(inputs({ "github-token": " ghs_abc \n" }).githubToken).toBe("ghs_abc");
  });

  it.each([
    ["volume", "-5", 'Input `volume`: expected calls a day, a number from 0 to 1000000000000 (digits only, e.g. 120000), got "-5".'],
    ["volume", "120,000", 'Input `volume`: expected calls a day, a number from 0 to 1000000000000 (digits only, e.g. 120000), got "120,000".'],
    ["volume", "0x10", 'Input `volume`: expected calls a day, a number from 0 to 1000000000000 (digits only, e.g. 120000), got "0x10".'],
    ["volume", "Infinity", 'Input `volume`: expected calls a day, a number from 0 to 1000000000000 (digits only, e.g. 120000), got "Infinity".'],
    ["volume-threshold", "lots", 'Input `volume-threshold`: expected calls a day, a number from 0 to 1000000000000 (digits only, e.g. 100000), got "lots".'],
    ["within-points", "5%", 'Input `within-points`: expected a number of percentage points from 0 to 100, got "5%".'],
    ["within-points", "150", 'Input `within-points`: expected a number of percentage points from 0 to 100, got "150".'],
    ["lora-wins-points", "150", 'Input `lora-wins-points`: expected a number of percentage points from 0 to 100, got "150".'],
    ["max-regression-points", "-1", 'Input `max-regression-points`: expected a number of percentage points from 0 to 100, got "-1".'],
    ["fail-on", "always", 'Input `fail-on`: expected one of fine-tune, gray-zone, never, got "always".'],
    ["misses", "ignore", 'Input `misses`: expected one of warn, fail, got "ignore".'],
    ["gpu", "rocm", 'Input `gpu`: expected one of auto, cuda, vulkan, metal, cpu, got "rocm".'],
    ["engine-kind", "ollama", 'Input `engine-kind`: expected one of llama-server, vllm, sglang, openai, got "ollama".'],
    ["engine-url", "ftp://user:secret@h", "Input `engine-url`: expected an http:// or https:// URL (replicas: several, separated by commas), got \"(not shown)\"."],
    ["engine-url", "http://a:1, ftp://b", "Input `engine-url`: expected an http:// or https:// URL (replicas: several, separated by commas), got \"(not shown)\"."],
    ["comment", "yes", 'Input `comment`: expected true or false, got "yes".'],
    ["cache", "off", 'Input `cache`: expected true or false, got "off".'],
    ["report-path", "reports/", 'Input `report-path`: expected a file path for the JSON report, not a folder, got "reports/".'],
    ["html-path", "reports/", 'Input `html-path`: expected a file path for the HTML report, not a folder, got "reports/".'],
  ] as const)("refuses %s = %j, naming the input", (name, value, message) => {
    expect(problems({ [name]: value })).toEqual([message]);
  });

  it("reads cache as a boolean and cache-dir against the working directory", () => {
    expect(inputs({ cache: "false" }).cache).toBe(false);
    expect(inputs({ cache: "TRUE" }).cache).toBe(true);
    expect(inputs({ "working-directory": "ml", "cache-dir": "../../.tunegate-cache" }).cacheDir).toBe(resolve(WORKSPACE, "../.tunegate-cache"));
    expect(inputs({ "cache-dir": "/runner/temp/tg" }).cacheDir).toBe(resolve("/runner/temp/tg"));
  });

  it("refuses a cache-dir inside the workspace, where a pull request could commit forged results", () => {
    for (const dir of [".tunegate-cache", "../ml/cache", WORKSPACE]) {
      expect(problems({ "working-directory": "ml", "cache-dir": dir })).toEqual([
        `Input \`cache-dir\`: expected a folder outside the workspace (e.g. under runner.temp): a pull request could commit forged results inside it, got ${JSON.stringify(dir)}.`,
      ]);
    }
  });

  it("refuses an invalid glob in suites, naming the input", () => {
    expect(problems({ suites: "evals/a.cases.yaml\nevals/[z-a]*.cases.yaml" })).toEqual([
      'Input `suites`: the glob "evals/[z-a]*.cases.yaml" has an invalid character class [z-a] (Range out of order in character class); write ranges low to high, e.g. [a-z].',
    ]);
  });

  it("refuses within-points at or above lora-wins-points", () => {
    expect(problems({ "within-points": "15", "lora-wins-points": "15" })).toEqual([
      "Inputs `within-points` (15) and `lora-wins-points` (15): within-points must be below lora-wins-points; the gray zone lies between them.",
    ]);
    expect(problems({ "within-points": "14.9", "lora-wins-points": "15" })).toEqual([]);
  });

  it("reports every bad input at once", () => {
    expect(problems({ volume: "x", "fail-on": "y", comment: "z" })).toHaveLength(3);
  });
});

describe("inputs and action.yml", () => {
  const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
    runs: { steps: Array<{ id?: string; env?: Record<string, string>; shell?: string; run?: string }> };
  };

  it("declares exactly the entry's inputs, with the same defaults", () => {
    expect(Object.keys(action.inputs)).toEqual(INPUT_NAMES);
    for (const name of INPUT_NAMES) {
      const declared = action.inputs[name]!.default ?? "";
      expect(declared, name).toBe(name === "github-token" ? "${{ github.token }}" : INPUT_DEFAULTS[name]);
    }
  });

  it("maps every input to the variable the runner would set for a JavaScript action, in a bash step", () => {
    expect(inputVariable("working-directory")).toBe("INPUT_WORKING-DIRECTORY");
    const step = action.runs.steps.find((s) => s.id === "tunegate")!;
    expect(step.env).toEqual(Object.fromEntries(INPUT_NAMES.map((name) => [inputVariable(name), `\${{ inputs.${name} }}`])));
    // dash (sh) drops variables whose names hold a hyphen; bash passes them on.
    expect(step.shell).toBe("bash");
    expect(step.run).toBe('node "$GITHUB_ACTION_PATH/bin/tunegate.js" action');
  });
});
