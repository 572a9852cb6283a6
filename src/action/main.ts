// `tunegate action`: the GitHub Action's entry. Reads the inputs from the runner's INPUT_* variables, runs
// the suites as `tunegate run` does, and reports the way a step does: outputs ($GITHUB_OUTPUT), the job
// summary ($GITHUB_STEP_SUMMARY), annotations and the failure message (workflow commands on stdout), the
// exit status, and optionally one PR comment.
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { totalmem } from "node:os";
import * as core from "@actions/core";
import { reportToJson } from "../report/build.js";
import { renderHtml } from "../report/html/render.js";
import type { Report } from "../report/types.js";
import { runProcessEnvironment } from "../run/process-environment.js";
import { guardProcessOutput, newStopToken, own, resumeCommands, STOP_TOKEN_VARIABLE, stopCommands } from "../run/command-guard.js";
import { EXIT_GATE_FAILED, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, type CliIO } from "../run/io.js";
import { mergePartFiles } from "../run/merge-parts.js";
import { describeInvalidGlob } from "../run/suite-paths.js";
import { notRunMessage, runSuites, type RunArguments, type SuitesRun } from "../run/suites.js";
import { formatDiagnostic, type Diagnostic } from "../suite/diagnostics.js";
import { destinationProblem, writeFileAtomic } from "../text/write-file.js";
import type { RunOutcome } from "../vitest/reporter.js";
import { emitAnnotation, reportAnnotations, type Annotation } from "./annotations.js";
import { loadBaseline, type BaselineReport } from "./baseline.js";
import { upsertComment } from "./comment.js";
import { renderComparison } from "./comparison-markdown.js";
import { compareWithBaseline, newlyFailingCases, type BaselineComparison } from "./comparison.js";
import { htmlBaseline } from "./html-baseline.js";
import { pullRequestOfRun, readRunnerContext, runUrl, type RunnerContext } from "./context.js";
import { completeInputVariables } from "./environment.js";
import { INPUT_NAMES, inputVariable, parseActionInputs, type ActionInputs } from "./inputs.js";
import { checkReportRoot, ReportLocations } from "./locations.js";
import { actionOutputs, OUTPUT_NAMES, type OutputName } from "./outputs.js";
import { composeFailureMarkdown, composeReportMarkdown, measureUtf8Bytes, SUMMARY_MAX_BYTES, truncateMarkdown } from "./summary.js";

export const actionUsage = `Usage: tunegate action

The GitHub Action's entry (action.yml runs it). It takes no arguments: it reads the Action's inputs from
the runner's environment (INPUT_SUITES, INPUT_WORKING-DIRECTORY, INPUT_FAIL-ON, ...) and GITHUB_* variables,
runs the suites, and writes the step's outputs, job summary, annotations and optional PR comment.
Inputs: ${INPUT_NAMES.join(", ")}. See src/action/README.md.

Exit status: 0 gate pass or warn, 1 gate failed (or a baseline regression, or tunegate failed),
2 invalid input (a bad input value, a bad suite, a model or adapter that cannot be used).`;

/** Rows per case table in the PR comment: a comment is read in a timeline, the summary holds more. */
const COMMENT_CASE_ROWS = 25;

/** A problem that stops the step before any report exists, with annotations on suite lines where known. */
class StepFailure extends Error {
  constructor(
    readonly problems: string[],
    readonly annotations: Annotation[] = [],
    readonly code: number = EXIT_INVALID,
  ) {
    super(problems.join("\n"));
    this.name = "StepFailure";
  }
}

function diagnosticAnnotation(diagnostic: Diagnostic, locations: ReportLocations): Annotation {
  return {
    level: "error",
    title: `tunegate: invalid suite (${diagnostic.code})`,
    message: diagnostic.hint === undefined ? diagnostic.message : `${diagnostic.message}\nhint: ${diagnostic.hint}`,
    file: locations.annotationFile(diagnostic.location.file),
    line: diagnostic.location.line,
    column: diagnostic.location.column,
  };
}

function checkWorkingDirectory(inputs: ActionInputs, context: RunnerContext): void {
  const isFolder = (() => {
    try {
      return statSync(inputs.workingDirectory).isDirectory();
    } catch {
      return false;
    }
  })();
  if (!isFolder) throw new StepFailure([`Input \`working-directory\`: ${inputs.workingDirectory} is not a folder (relative paths start at GITHUB_WORKSPACE, ${context.workspace}).`]);
  let reportIsFolder = false;
  try {
    reportIsFolder = statSync(inputs.reportPath).isDirectory();
  } catch {
    // absent: the run creates it
  }
  if (reportIsFolder) throw new StepFailure([`Input \`report-path\`: ${inputs.reportPath} is a folder; give a file name such as tunegate-report.json.`]);
  // Checked now, like report-path, so a bad destination stops the step before any model loads.
  const htmlProblem = inputs.htmlPath === undefined ? undefined : destinationProblem(inputs.htmlPath);
  if (htmlProblem !== undefined) throw new StepFailure([`Input \`html-path\`: ${inputs.htmlPath} ${htmlProblem}.`]);
}

/** A warning annotation: tunegate's own workflow command. */
function warn(message: string, properties?: core.AnnotationProperties): void {
  own(() => core.warning(message, properties));
}

/**
 * Sets every output action.yml declares, those without a value to "", so that no output keeps a value set
 * earlier in the job, or by a line of a suite's text that reached the log.
 */
function writeOutputs(values: Partial<Record<OutputName, string>>): void {
  own(() => {
    for (const name of OUTPUT_NAMES) core.setOutput(name, values[name] ?? "");
  });
}

async function readBaseline(inputs: ActionInputs): Promise<BaselineReport | undefined> {
  if (inputs.baseline === undefined) return undefined;
  const loaded = await loadBaseline(inputs.baseline);
  if (loaded.ok) return loaded.value;
  const invalid = loaded.problems.filter((problem) => problem.reason === "invalid");
  if (invalid.length > 0) throw new StepFailure(invalid.map((problem) => problem.message));
  for (const problem of loaded.problems) warn(problem.message, { title: "tunegate: no baseline" });
  return undefined;
}

/** Why a run produced no usable report: the suites' own errors, on their lines. */
function unevaluatedFailure(outcome: RunOutcome | undefined, cwd: string, locations: ReportLocations): StepFailure {
  const annotations: Annotation[] = [];
  const problems: string[] = [];
  for (const broken of outcome?.unevaluated ?? []) {
    if (broken.kind === "invalid") {
      const errors = broken.diagnostics.filter((d) => d.severity === "error");
      annotations.push(...errors.map((d) => diagnosticAnnotation(d, locations)));
      problems.push(...errors.map((d) => formatDiagnostic(d, cwd)));
    } else if (broken.kind === "not-run") {
      problems.push(`tunegate: ${broken.file} was not evaluated: ${broken.reason}`);
    } else {
      const where = broken.error.location ?? { file: broken.file, line: 1, column: 1 };
      annotations.push({ level: "error", title: "tunegate: suite could not be evaluated", message: broken.error.describe(), file: locations.annotationFile(where.file), line: where.line, column: where.column });
      problems.push(broken.error.describe());
    }
  }
  if (problems.length === 0) problems.push("tunegate: the run produced no report (see the log above).");
  return new StepFailure(problems, annotations);
}

async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info("GITHUB_STEP_SUMMARY is not set (not on a GitHub runner?): no job summary written.");
    return;
  }
  const text = truncateMarkdown(markdown, SUMMARY_MAX_BYTES, measureUtf8Bytes, "_The report was cut to fit the job summary's 1 MiB; the JSON report has all of it._");
  try {
    await core.summary.addRaw(text).write();
  } catch (error) {
    warn(`The job summary could not be written: ${(error as Error).message}`);
  }
}

async function postComment(inputs: ActionInputs | undefined, context: RunnerContext, markdown: string): Promise<void> {
  if (inputs === undefined || !inputs.comment) return;
  if (inputs.githubToken === "") {
    warn("Input `comment` is true but `github-token` is empty, so no PR comment is written. Pass `github-token: ${{ github.token }}` (the default) or a token that may write PR comments.", { title: "tunegate: no PR comment" });
    return;
  }
  const pr = await pullRequestOfRun(context);
  if (!pr.ok) {
    core.info(`No PR comment: ${pr.problems.join("; ")}.`);
    return;
  }
  if (context.repository === undefined) {
    warn("No PR comment: GITHUB_REPOSITORY is not set.", { title: "tunegate: no PR comment" });
    return;
  }
  const run = runUrl(context);
  const footer = `\n---\n<sub>tunegate${context.sha ? ` · commit ${context.sha.slice(0, 7)}` : ""}${run ? ` · [workflow run](${run})` : ""}</sub>\n`;
  const outcome = await upsertComment({ apiUrl: context.apiUrl, graphqlUrl: context.graphqlUrl, token: inputs.githubToken, repository: context.repository, pullRequest: pr.value }, markdown + footer);
  switch (outcome.kind) {
    case "created":
    case "updated":
      core.info(`PR comment ${outcome.kind}: ${outcome.url || `#${outcome.id}`}`);
      break;
    case "forbidden":
      warn(
        `The PR comment could not be written: ${outcome.message}. A pull request from a fork gets a read-only GITHUB_TOKEN; otherwise give the job \`permissions: pull-requests: write\`. The gate is not affected.`,
        { title: "tunegate: no PR comment (403)" },
      );
      break;
    case "failed":
      warn(`The PR comment could not be written: ${outcome.message}. The gate is not affected.`, { title: "tunegate: no PR comment" });
      break;
  }
}

function regressionMessages(comparison: BaselineComparison | undefined): string[] {
  return (comparison?.regressed ?? []).map((s) => {
    const check = s.regression!;
    return `${s.suite.name}: few-shot accuracy fell ${check.dropPoints.toFixed(2)} points against the baseline (${(100 * s.accuracy.few_shot.before).toFixed(1)}% → ${(100 * s.accuracy.few_shot.after).toFixed(1)}%), more than max-regression-points ${check.limitPoints}.`;
  });
}

async function reportRun(report: Report, failedTests: number, root: string, files: readonly string[], inputs: ActionInputs, context: RunnerContext, baseline: BaselineReport | undefined): Promise<number> {
  const unmapped = checkReportRoot(report, root, files);
  if (unmapped.length > 0) warn(`tunegate could not place ${unmapped.join(", ")} in the repository; annotations and links for them may point nowhere.`);
  const locations = new ReportLocations(root, context);
  const comparison = baseline === undefined ? undefined : compareWithBaseline(report, baseline, inputs.maxRegressionPoints);

  const outputs = actionOutputs(report, inputs.reportPath);
  writeOutputs({ ...outputs, ...(comparison?.maxRegressionPoints !== undefined ? { regression: comparison.regressed.length > 0 ? "true" : "false" } : {}) });

  for (const annotation of reportAnnotations(report, locations, newlyFailingCases(comparison))) emitAnnotation(annotation);

  const gateFailures = report.suites.filter((s) => s.gate === "fail").map((s) => `${s.name}: ${s.reason}`);
  const otherFailures = regressionMessages(comparison);
  if (failedTests > 0 && report.gate !== "fail") {
    otherFailures.push(`${failedTests} case test${failedTests === 1 ? "" : "s"} failed: with \`misses: fail\` every missed case fails its test and the step (see the annotations).`);
  }

  const fileLink = locations.fileLink(report);
  if (inputs.htmlPath !== undefined) {
    const baselineView = comparison && baseline ? htmlBaseline(comparison, baseline, inputs.baseline ?? "") : undefined;
    await writeFileAtomic(inputs.htmlPath, renderHtml(report, { ...(fileLink ? { fileLink } : {}), ...(baselineView ? { baseline: baselineView } : {}) }));
  }
  const comparisonMarkdown = (maxCaseRows: number) =>
    comparison && renderComparison(comparison, { fileLink, baselineLabel: inputs.baseline ?? "", maxCaseRows });
  await writeJobSummary(composeReportMarkdown({ report, fileLink, comparison: comparisonMarkdown(100), failures: otherFailures }));
  await postComment(inputs, context, composeReportMarkdown({ report, fileLink, comparison: comparisonMarkdown(COMMENT_CASE_ROWS), failures: otherFailures, maxCaseRows: COMMENT_CASE_ROWS }));

  const failures = [...(gateFailures.length > 0 ? [`tunegate gate failed: ${gateFailures.join(" ")}`] : []), ...otherFailures];
  if (failures.length > 0) {
    own(() => core.setFailed(failures.join("\n")));
    return EXIT_GATE_FAILED;
  }
  core.info(`tunegate: gate ${report.gate} (verdict ${outputs.verdict}).`);
  return EXIT_OK;
}

/**
 * Merges the parts of a sharded run (the `merge` input) and reports the merged report exactly as a run's: the
 * same outputs, summary, annotations, comment and status. Parts that are not one whole run fail the step
 * with exit 2 and no verdict.
 */
async function mergeAndReport(inputs: ActionInputs, context: RunnerContext, baseline: BaselineReport | undefined): Promise<number> {
  const result = await mergePartFiles(inputs.merge, inputs.workingDirectory);
  if (result.stage === "refused") throw new StepFailure([...result.problems.map((problem) => `Input \`merge\`: ${problem}.`), "tunegate: nothing merged, no verdict."], [], result.code);
  await writeFileAtomic(inputs.reportPath, reportToJson(result.report));
  return reportRun(result.report, result.failedCases, inputs.workingDirectory, result.files, inputs, context, baseline);
}

/** Runs the suites (or merges a sharded run's parts) and reports; a StepFailure for anything that leaves no report. */
async function runAndReport(inputs: ActionInputs, io: CliIO, context: RunnerContext): Promise<number> {
  checkWorkingDirectory(inputs, context);
  const baseline = await readBaseline(inputs);
  if (inputs.merge.length > 0) return mergeAndReport(inputs, context, baseline);

  const args: RunArguments = {
    suites: inputs.suites,
    // A pull request's suites may link anywhere on the runner; only files inside the checkout are read.
    confineTo: context.workspace,
    plugin: {
      ...inputs.overrides,
      ...(inputs.gpu !== undefined ? { gpu: inputs.gpu } : {}),
      ...(inputs.cache ? {} : { cache: false }),
      ...(inputs.cache && inputs.cacheDir !== undefined ? { cacheDir: inputs.cacheDir } : {}),
      ...(inputs.engineUrl !== undefined || inputs.engineKind !== undefined || inputs.engineModels !== undefined
        ? {
            engine: {
              ...(inputs.engineUrl !== undefined ? { url: inputs.engineUrl } : {}),
              ...(inputs.engineKind !== undefined ? { kind: inputs.engineKind } : {}),
              ...(inputs.engineModels !== undefined ? { models: inputs.engineModels } : {}),
            },
          }
        : {}),
      report: { json: inputs.reportPath },
      // tunegate writes its own annotations; Vitest's github-actions reporter would repeat them.
      vitestReporters: ["default"],
    },
  };
  // Everything the run prints (Vitest's output, progress, the terminal report) carries the suites' text:
  // besides the guard on the streams, the runner executes no command at all until tunegate's own resume.
  own(() => core.startGroup("tunegate: running the suites"));
  const resume = stopCommands();
  let result: SuitesRun;
  try {
    result = await runSuites(args, { cwd: inputs.workingDirectory, env: io.env });
  } finally {
    resume();
    own(() => core.endGroup());
  }
  // Diagnostics carry absolute paths, which resolve to themselves against any root.
  const locations = new ReportLocations(inputs.workingDirectory, context);
  switch (result.stage) {
    case "paths":
      throw new StepFailure([
        ...result.invalid.map((glob) => `Input \`suites\`: ${describeInvalidGlob(glob)}.`),
        ...(result.unmatched.length > 0 || result.invalid.length === 0
          ? [
              `Input \`suites\`: no suite files (*.cases.yaml) match ${result.unmatched.map((p) => `"${p}"`).join(", ")} in ${inputs.workingDirectory}. ` +
                "Give one path, folder or glob per line, relative to working-directory (node_modules, .git, dist, .cache and coverage are not searched).",
            ]
          : []),
      ]);
    case "validation":
      throw new StepFailure(
        [...result.errors.map((d) => formatDiagnostic(d, inputs.workingDirectory)), "tunegate: fix the errors above (`tunegate validate` checks suites without running them)"],
        result.errors.map((d) => diagnosticAnnotation(d, locations)),
      );
    case "destinations":
      throw new StepFailure(result.problems.map(({ path, problem }) => `Input \`report-path\`: ${path} ${problem}.`));
    case "run": {
      const { outcome } = result;
      if (result.notRun.length > 0) throw new StepFailure(result.notRun.map((file) => `Input \`suites\`: ${notRunMessage(file)}.`));
      if (outcome?.report === undefined || outcome.unevaluated.length > 0) throw unevaluatedFailure(outcome, inputs.workingDirectory, locations);
      return reportRun(outcome.report, outcome.failed, result.root, result.files, inputs, context, baseline);
    }
  }
}

/** Set in the process that does the work, by the one that supervises it. */
const WORKER_VARIABLE = "TUNEGATE_ACTION_WORKER";

export async function action(args: string[], io: CliIO): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    io.stdout(actionUsage);
    return EXIT_OK;
  }
  if (args.length > 0) {
    io.stderr(`tunegate action: takes no arguments (got ${args.join(" ")}); it reads the Action's inputs from INPUT_* variables.`);
    io.stderr("Run `tunegate action --help` for usage.");
    return EXIT_INVALID;
  }
  guardProcessOutput();
  // Before anything reads an input: core.getInput reads process.env.
  const note = completeInputVariables(INPUT_NAMES.map(inputVariable), process.env);
  if (note !== undefined) core.info(note);
  const context = readRunnerContext(io.env, io.cwd);
  const parsed = parseActionInputs(
    { text: (name) => core.getInput(name), lines: (name) => core.getMultilineInput(name), boolean: (name) => core.getBooleanInput(name) },
    context.workspace,
  );
  const inputs = parsed.ok ? parsed.value : undefined;
  if (inputs !== undefined && inputs.githubToken !== "") own(() => core.setSecret(inputs.githubToken));
  try {
    if (!parsed.ok) throw new StepFailure(parsed.problems);
    if (io.env[WORKER_VARIABLE] !== "1") return await superviseRun(parsed.value, context, io);
    return await runAndReport(parsed.value, io, context);
  } catch (error) {
    const failure =
      error instanceof StepFailure ? error : new StepFailure([`tunegate failed: ${error instanceof Error ? error.message : String(error)}`], [], EXIT_INTERNAL);
    if (!(error instanceof StepFailure) && io.env.TUNEGATE_DEBUG && error instanceof Error) io.stderr(error.stack ?? "");
    return reportFailure(failure, inputs, context);
  }
}

/** The step's failure, everywhere the step reports: outputs, annotations, summary, PR comment, status. */
async function reportFailure(failure: StepFailure, inputs: ActionInputs | undefined, context: RunnerContext): Promise<number> {
  writeOutputs({});
  for (const annotation of failure.annotations) emitAnnotation(annotation);
  const markdown = composeFailureMarkdown(failure.problems);
  await writeJobSummary(markdown);
  // A PR comment from an earlier push must not keep saying "pass" once the suites cannot run.
  await postComment(inputs, context, markdown);
  own(() => core.setFailed(failure.problems.join("\n")));
  return failure.code;
}

/**
 * Runs the step in a child process and reports for it if it dies. llama.cpp aborts the whole process on a
 * model it cannot handle (more asserts than any pre-load check can list); the step must still end its log
 * bracket and group, set its outputs and replace an earlier run's PR comment, never leave that result standing.
 */
async function superviseRun(inputs: ActionInputs, context: RunnerContext, io: CliIO): Promise<number> {
  const token = newStopToken();
  const entry = process.argv[1];
  if (entry === undefined) throw new Error("cannot tell which script to run the step with (process.argv[1] is empty)");
  const child = spawn(process.execPath, [entry, "action"], {
    cwd: io.cwd,
    stdio: "inherit",
    // The worker runs the suites: one libuv pool thread per arm and a heap limit sized to the machine.
    env: runProcessEnvironment({ ...process.env, [WORKER_VARIABLE]: "1", [STOP_TOKEN_VARIABLE]: token }, totalmem()),
  });
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  if (ended.signal === null) return ended.code ?? EXIT_INTERNAL;
  // The child may have died inside its bracket and group; both are harmless to close when they are not open.
  resumeCommands(token);
  own(() => core.endGroup());
  return reportFailure(
    new StepFailure(
      [
        `tunegate crashed: the run was ended by ${ended.signal}, before any verdict. ` +
          "llama.cpp aborts the process on a model or adapter file it cannot use; the log above shows its last words. " +
          "Check the model files the suites name (convert them again), or run `tunegate run` locally to see where it stops.",
      ],
      [],
      EXIT_INTERNAL,
    ),
    inputs,
    context,
  );
}
