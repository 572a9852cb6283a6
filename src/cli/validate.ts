// `tunegate validate <files|globs|dirs...> [--json] [--skip-models]`: loads each suite and prints its
// problems as `file:line:col: severity: message`, and one summary line per file. Exit 0 when every file is
// valid (warnings allowed), 2 when any is invalid or nothing matched.
import { displayPath, error, formatDiagnostic, startOf, type Diagnostic } from "../suite/diagnostics.js";
import { CASES_FILE_MAX_BYTES, formatLimit, SUITE_FILE_MAX_BYTES } from "../suite/limits.js";
import type { LoadSuiteResult } from "../suite/loader.js";
import { checkSuite } from "../run/check-suite.js";
import { EXIT_INVALID, EXIT_OK, type CliIO } from "../run/io.js";
import { describeInvalidGlob, expandSuitePaths, unmatchedHint } from "../run/suite-paths.js";
import { parseCommandArgs } from "./args.js";

export const validateUsage = `Usage: tunegate validate [files, globs or folders...] [--json] [--skip-models]

Checks tunegate suite files (*.cases.yaml): YAML syntax, the schema, labels, templates,
cases files, the few-shot prompt rules, and the model and adapter files as \`tunegate run\`
checks them before loading: each a GGUF file of its role (a model, a LoRA adapter), the
adapter made for the LoRA arm's base model (architecture, tensor names and shapes).
A folder stands for every *.cases.yaml below it; quoted globs ("suites/**/*.cases.yaml")
are expanded. Without arguments: every *.cases.yaml below here, as \`tunegate run\`.

Prints each problem as  file:line:col: error|warning: message  and one summary line a file.
Suite files over ${formatLimit(SUITE_FILE_MAX_BYTES)} and cases files over ${formatLimit(CASES_FILE_MAX_BYTES)} are refused unread.

Options:
  --json          print one JSON document: { files: [{ file, valid, summary, diagnostics }] }
  --skip-models   do not check the model and adapter files (for a machine without them)
  -h, --help      show this help

Exit status: 0 all files valid (warnings allowed), 2 a file is invalid or nothing matched.`;

export interface FileReport {
  /** Relative to the working directory. */
  file: string;
  valid: boolean;
  summary: {
    name?: string;
    cases?: number;
    labels?: number;
    examples?: number;
    errors: number;
    warnings: number;
  };
  diagnostics: {
    severity: Diagnostic["severity"];
    code: Diagnostic["code"];
    message: string;
    hint?: string;
    location: { file: string; line: number; column: number };
  }[];
}

export async function validate(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(args, {
    json: { type: "boolean", default: false },
    "skip-models": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(validateUsage);
    return EXIT_OK;
  }
  // Where `tunegate run` looks without arguments.
  const { files, unmatched, invalid } = expandSuitePaths(positionals.length > 0 ? positionals : ["."], io.cwd);
  if (invalid.length > 0) {
    for (const glob of invalid) io.stderr(`tunegate validate: ${describeInvalidGlob(glob)}`);
    io.stderr("Run `tunegate validate --help` for usage.");
    return EXIT_INVALID;
  }
  const results: LoadSuiteResult[] = [];
  for (const file of files) results.push(await loadOne(file, io, !values["skip-models"]));
  const reports = files.map((file, i) => fileReport(file, results[i]!, io.cwd));

  if (values.json) {
    io.stdout(JSON.stringify(unmatched.length > 0 ? { files: reports, unmatched } : { files: reports }, null, 2));
  } else {
    for (const pattern of unmatched) io.stdout(`${pattern}: error: no suite files match this path or pattern${unmatchedHint(pattern, io.cwd)}`);
    reports.forEach((report, i) => printReport(report, results[i]!, io));
  }
  const valid = files.length > 0 && unmatched.length === 0 && reports.every((r) => r.valid);
  return valid ? EXIT_OK : EXIT_INVALID;
}

async function loadOne(file: string, io: CliIO, checkModelFiles: boolean): Promise<LoadSuiteResult> {
  try {
    return await checkSuite(file, { cwd: io.cwd, env: io.env, checkModelFiles });
  } catch (cause) {
    // A bug in tunegate must not look like a clean run, nor print a stack trace at the user.
    return {
      diagnostics: [
        error(
          "internal-error",
          startOf(file),
          `tunegate failed while validating this file: ${(cause as Error)?.message ?? String(cause)}`,
          "this is a bug in tunegate; please report it with the file",
        ),
      ],
    };
  }
}

function fileReport(file: string, result: LoadSuiteResult, cwd: string): FileReport {
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = result.diagnostics.length - errors;
  const suite = result.suite;
  return {
    file: displayPath(file, cwd),
    valid: suite !== undefined,
    summary:
      suite !== undefined
        ? { name: suite.name, cases: suite.cases.length, labels: suite.labels.length, examples: suite.fewShot.examples.length, errors, warnings }
        : { errors, warnings },
    diagnostics: result.diagnostics.map((d) => ({
      severity: d.severity,
      code: d.code,
      message: d.message,
      ...(d.hint !== undefined ? { hint: d.hint } : {}),
      location: { file: displayPath(d.location.file, cwd), line: d.location.line, column: d.location.column },
    })),
  };
}

function printReport(report: FileReport, result: LoadSuiteResult, io: CliIO): void {
  for (const d of result.diagnostics) io.stdout(formatDiagnostic(d, io.cwd));
  const { summary } = report;
  if (report.valid) {
    const warnings = summary.warnings > 0 ? ` (${count(summary.warnings, "warning")})` : "";
    io.stdout(
      `${report.file}: ok — ${count(summary.cases ?? 0, "case")}, ${count(summary.labels ?? 0, "label")}, ${count(summary.examples ?? 0, "example")}${warnings}`,
    );
  } else {
    const warnings = summary.warnings > 0 ? `, ${count(summary.warnings, "warning")}` : "";
    io.stdout(`${report.file}: invalid — ${count(summary.errors, "error")}${warnings}`);
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
