// Runs the Action's entry the way GitHub's runner runs action.yml's last step: a child process whose
// environment holds that step's `env:` block (every input mapped to INPUT_*, `${{ inputs.x }}` evaluated
// with action.yml's defaults), the GITHUB_* variables, and the files the runner provides ($GITHUB_OUTPUT,
// $GITHUB_STEP_SUMMARY, the event payload). Then reads back what a runner would: the outputs file, the
// summary file, the workflow commands on stdout and the exit code.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import type { InputName } from "../../src/action/inputs.js";

const exec = promisify(execFile);
export const ROOT = join(import.meta.dirname, "../..");
export const EVENT_PATH = join(import.meta.dirname, "fixtures/pull_request.synchronize.json");
/** The head commit of the fixture's pull request. */
export const SHA = "9f1c2d3e4b5a69788a9b0c1d2e3f405162738495";
export const REPOSITORY = "acme/support-triage";
export const FAKE_TOKEN = "ghs_fakeTokenForTests0123456789";

interface ActionYml {
  inputs: Record<string, { default?: string }>;
  runs: { steps: Array<{ id?: string; env?: Record<string, string>; run?: string }> };
}

const actionYml = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as ActionYml;
const runStep = actionYml.runs.steps.find((step) => step.id === "tunegate")!;

/** The step's env as the runner evaluates it: `${{ inputs.x }}` is the given value or action.yml's default. */
export function stepEnvironment(given: Partial<Record<InputName, string>>, githubToken: string): Record<string, string> {
  const evaluate = (expression: string): string =>
    expression.replace(/\$\{\{\s*(inputs\.[\w-]+|github\.token)\s*\}\}/g, (_, reference: string) => {
      if (reference === "github.token") return githubToken;
      const name = reference.slice("inputs.".length);
      const value = given[name as InputName] ?? actionYml.inputs[name]?.default ?? "";
      return evaluate(value);
    });
  return Object.fromEntries(Object.entries(runStep.env ?? {}).map(([key, value]) => [key, evaluate(value)]));
}

export interface Annotation {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
}

export interface ActionRunOptions {
  inputs?: Partial<Record<InputName, string>>;
  workspace: string;
  /** A folder outside the workspace for the runner's files (as the runner's _temp). */
  scratch: string;
  apiUrl?: string;
  eventName?: string;
  /**
   * Run as `npx tunegate action` from tunegate's checkout instead of `node bin/tunegate.js action`, as by hand:
   * npx runs it through /bin/sh, which (as dash) drops INPUT_FAIL-ON and the like, so each is also given with
   * underscores (INPUT_FAIL_ON), as src/action/README.md says to.
   */
  viaNpx?: boolean;
  /** More variables for the step, e.g. a proxy. */
  env?: Record<string, string>;
}

function unescapeData(text: string): string {
  return text.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
}

function unescapeProperty(text: string): string {
  return text.replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
}

/** `::command key=value,key=value::message` lines, as the runner reads them from stdout. */
export function parseWorkflowCommands(stdout: string): Annotation[] {
  const commands: Annotation[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::([A-Za-z][\w-]*)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? "").split(",").filter(Boolean)) {
      const equals = pair.indexOf("=");
      properties[pair.slice(0, equals)] = unescapeProperty(pair.slice(equals + 1));
    }
    commands.push({ command: match[1]!, properties, message: unescapeData(match[3]!) });
  }
  return commands;
}

/** The $GITHUB_OUTPUT file: `name<<DELIMITER` … `DELIMITER` blocks, or `name=value` lines. */
export function parseOutputsFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const end = lines.indexOf(delimiter!, i + 1);
      if (end < 0) throw new Error(`output ${name}: no closing delimiter ${delimiter}`);
      outputs[name!] = lines.slice(i + 1, end).join("\n");
      i = end;
      continue;
    }
    const equals = line.indexOf("=");
    if (equals < 0) throw new Error(`unreadable line in the outputs file: ${line}`);
    outputs[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return outputs;
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const files = mkdtempSync(join(options.scratch, "runner-"));
  const outputFile = join(files, "output");
  const summaryFile = join(files, "step_summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  // Only the variables a runner would give, so nothing from the developer's shell leaks in.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(INPUT_|GITHUB_|RUNNER_)/.test(key)));
  const step = stepEnvironment(options.inputs ?? {}, FAKE_TOKEN);
  const underscored = options.viaNpx ? Object.fromEntries(Object.entries(step).map(([key, value]) => [key.replace(/-/g, "_"), value])) : {};
  const env: Record<string, string | undefined> = {
    ...inherited,
    ...underscored,
    ...step,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_NAME: options.eventName ?? "pull_request",
    GITHUB_EVENT_PATH: EVENT_PATH,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_SHA: SHA,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_API_URL: options.apiUrl ?? "http://127.0.0.1:9",
    GITHUB_RUN_ID: "1234567890",
    GITHUB_ACTION_PATH: ROOT,
    NO_COLOR: "1",
    TUNEGATE_THREADS: "1",
    ...options.env,
  };
  const [command, args, cwd] = options.viaNpx
    ? ["npx", ["--no-install", "tunegate", "action"], ROOT]
    : [process.execPath, [join(ROOT, "bin/tunegate.js"), "action"], options.workspace];
  let code = 0;
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await exec(command, args, { cwd, env, maxBuffer: 64 << 20 }));
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    ({ code, stdout, stderr } = failed);
  }
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputsFile(readFileSync(outputFile, "utf8")),
    summary: readFileSync(summaryFile, "utf8"),
    annotations: parseWorkflowCommands(stdout),
  };
}
